import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileEdits } from '../../../src/core/capture/writeFileEdits';
import { makeUnwritable, makeWritable } from './unwritable';

describe('capture/writeFileEdits (files-only capture)', () => {
  const KUST = 'resources:\n  - ../base\n';
  let dir: string;
  let locked: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'write-edits-'));
    locked = undefined;
  });
  afterEach(() => {
    if (locked) makeWritable(locked);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes all files or none: a patch file that cannot be created leaves the kustomization untouched (never rewritten)', async function () {
    const k = path.join(dir, 'kustomization.yaml');
    writeFileSync(k, KUST);
    const patches = path.join(dir, 'patches');
    mkdirSync(patches);
    if (!makeUnwritable(patches)) this.skip();
    locked = patches;
    const before = statSync(k);
    await new Promise((r) => setTimeout(r, 20));
    const edits = [
      { file: k, before: KUST, after: `${KUST}patches:\n  - path: patches/patch-deployment-web.yaml\n` },
      { file: path.join(patches, 'patch-deployment-web.yaml'), before: undefined, after: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n' },
    ];
    await assert.rejects(writeFileEdits(edits), (e: Error) => {
      assert.match(e.message, /patch-deployment-web\.yaml/, 'names the file that could not be written');
      return true;
    });
    assert.equal(readFileSync(k, 'utf8'), KUST);
    assert.equal(statSync(k).mtimeMs, before.mtimeMs, 'the kustomization was never rewritten (a Ctrl-C mid-way cannot leave it pointing at a missing patch)');
    assert.deepEqual(readdirSync(dir).sort(), ['kustomization.yaml', 'patches'], 'no temporary file left behind');
  });

  it('writes every file, keeping the mode of an edited one and writing through a symlink', async () => {
    const real = path.join(dir, 'shared.yaml');
    writeFileSync(real, 'a: 1\n');
    chmodSync(real, 0o640);
    const link = path.join(dir, 'link.yaml');
    execFileSync('ln', ['-s', 'shared.yaml', link]);
    await writeFileEdits([
      { file: link, before: 'a: 1\n', after: 'a: 2\n' },
      { file: path.join(dir, 'new', 'created.yaml'), before: undefined, after: 'b: 1\n' },
    ]);
    assert.equal(readFileSync(real, 'utf8'), 'a: 2\n');
    assert.equal(statSync(real).mode & 0o777, 0o640);
    assert.ok(execFileSync('readlink', [link], { encoding: 'utf8' }).startsWith('shared.yaml'), 'the symlink is kept');
    assert.equal(readFileSync(path.join(dir, 'new', 'created.yaml'), 'utf8'), 'b: 1\n');
  });
});
