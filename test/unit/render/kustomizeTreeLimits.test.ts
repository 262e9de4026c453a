import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isGitOpsError } from '../../../src/core/model';
import { collectKustomizeOrigins } from '../../../src/core/render';

describe('render/collectKustomizeOrigins bounds (issue 18 item 4)', function () {
  this.timeout(20000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ktree-limits-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stops at a cycle of two symlinks to `.` and still maps the real resource once', async () => {
    writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources:\n- a\n- b\n- cm.yaml\n');
    writeFileSync(path.join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n');
    symlinkSync('.', path.join(dir, 'a'));
    symlinkSync('.', path.join(dir, 'b'));
    // Without cycle detection the walk is exponential and only this deadline ends it.
    const origins = await collectKustomizeOrigins(dir, AbortSignal.timeout(5000));
    assert.deepEqual(origins.map((o) => [o.kind, o.name, o.source.file]), [['ConfigMap', 'web', path.join(dir, 'cm.yaml')]]);
  });

  it('gives up with a render error on a tree that reaches the same folders by exponentially many paths', async () => {
    const levels = 30;
    for (let i = 0; i < levels; i++) {
      mkdirSync(path.join(dir, `d${i}`));
      const next = i + 1 < levels ? `- ../d${i + 1}\n- ./../d${i + 1}\n` : '- cm.yaml\n';
      writeFileSync(path.join(dir, `d${i}`, 'kustomization.yaml'), `resources:\n${next}`);
    }
    writeFileSync(path.join(dir, `d${levels - 1}`, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n');
    const err = await collectKustomizeOrigins(path.join(dir, 'd0'), AbortSignal.timeout(10000)).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isGitOpsError(err), `expected a GitOpsError, got ${String(err)}`);
    assert.equal(err.reason, 'render');
    assert.match(err.message, /more than \d+ entries/);
  });
});
