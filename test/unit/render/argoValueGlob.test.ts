// Argo CD v3.6 value file globs: doublestar v4 FilepathGlob as repo-server calls it (getResolvedValueFiles). Every
// expected list below is what doublestar v4.10.0 (the version argo-cd v3.6.2 pins) FilepathGlob printed for the same
// tree (a throw-away Go program); its order is not lexical, as Argo's comment says, but doGlob's, which the referee
// also shows against repo-server (test/referee/argo.test.ts shop-helm-glob: envs/b.yaml before envs/a/x.yaml).
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkGlobMatchesInside, globValueFiles, isArgoGlob } from '../../../src/core/render/argoValueGlob';

describe('render/argoValueGlob (helm valueFiles globs as doublestar.FilepathGlob)', () => {
  let root: string;
  const touch = async (rel: string) => {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), 'x: 1\n');
  };
  before(async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'gd-argo-glob-')));
    for (const f of ['values-b.yaml', 'values-a.yaml', 'values.yaml', '.values-hidden.yaml', 'envs/b.yaml', 'envs/a/x.yaml', 'envs/a/deep/y.yaml', 'envs/c/z.yml', 'envs/B.yaml']) await touch(f);
  });
  after(() => fs.rm(root, { recursive: true, force: true }));
  const rel = (xs: string[]) => xs.map((x) => path.relative(root, x));

  it('only *, ? and [ make a glob (isGlobPath)', () => {
    assert.deepEqual(['a*.yaml', 'a?.yaml', 'a[12].yaml', 'a.yaml', '{a,b}.yaml'].map(isArgoGlob), [true, true, true, false, false]);
  });

  it('`*` stays in one folder, matches dot files, sorted by name (bytes: upper case first)', async () => {
    assert.deepEqual(rel(await globValueFiles(path.join(root, 'values-*.yaml'))), ['values-a.yaml', 'values-b.yaml']);
    assert.deepEqual(rel(await globValueFiles(path.join(root, '*values*.yaml'))), ['.values-hidden.yaml', 'values-a.yaml', 'values-b.yaml', 'values.yaml']);
    assert.deepEqual(rel(await globValueFiles(path.join(root, 'envs', '*.yaml'))), ['envs/B.yaml', 'envs/b.yaml']);
  });

  it('`**`: a folder’s own matches before its subfolders’, depth first', async () => {
    assert.deepEqual(rel(await globValueFiles(path.join(root, 'envs', '**', '*.yaml'))), ['envs/B.yaml', 'envs/b.yaml', 'envs/a/x.yaml', 'envs/a/deep/y.yaml']);
    assert.deepEqual(rel(await globValueFiles(path.join(root, 'envs', '*', '*.y?l'))), ['envs/c/z.yml']);
    assert.deepEqual(rel(await globValueFiles(path.join(root, 'envs', '*', '*.yaml'))), ['envs/a/x.yaml']);
    // A trailing ** matches folders too (helm then fails on them, as in Argo CD).
    assert.deepEqual(rel(await globValueFiles(path.join(root, 'envs', '**'))), ['envs', 'envs/B.yaml', 'envs/a', 'envs/a/deep', 'envs/a/deep/y.yaml', 'envs/a/x.yaml', 'envs/b.yaml', 'envs/c', 'envs/c/z.yml']);
  });

  it('no match is an empty list; a match whose real path leaves the repository is refused', async () => {
    assert.deepEqual(await globValueFiles(path.join(root, 'nope-*.yaml')), []);
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'gd-argo-glob-out-'));
    try {
      await fs.writeFile(path.join(outside, 'secret.yaml'), 'x: 1\n');
      await fs.symlink(path.join(outside, 'secret.yaml'), path.join(root, 'values-link.yaml'));
      const matches = await globValueFiles(path.join(root, 'values-*.yaml'));
      assert.ok(rel(matches).includes('values-link.yaml'));
      await assert.rejects(checkGlobMatchesInside(matches, root, 'values-*.yaml'), /values-link\.yaml resolves outside the repository/);
    } finally {
      await fs.rm(path.join(root, 'values-link.yaml'), { force: true });
      await fs.rm(outside, { recursive: true, force: true });
    }
  });
});
