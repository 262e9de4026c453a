import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FieldChange, ResourceDiff } from '../../../src/core/model';
import { captureLiveChanges } from '../../../src/core/capture/captureLiveChanges';
import { writeFileEdits } from '../../../src/core/capture/writeFileEdits';

const YAML = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg # config\ndata:\n  level: info\n';
const CHANGES: FieldChange[] = [
  { path: 'data.level', category: 'modified', desired: 'info', live: 'debug', manager: 'kubectl-edit', time: '2026-11-28T03:00:00Z' },
  { path: 'data.extra', category: 'live-only', live: 'x', manager: 'some-operator' },
];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

describe('capture/captureLiveChanges', function () {
  this.timeout(60000);
  let dir: string;
  let file: string;
  let diff: ResourceDiff;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'capture-live-'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'config', 'user.name', 'Test');
    git(dir, 'config', 'user.email', 'test@example.com');
    file = path.join(dir, 'cfg.yaml');
    writeFileSync(file, YAML);
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'initial');
    diff = { ref: { group: '', kind: 'ConfigMap', namespace: 'default', name: 'cfg' }, app: 'demo', status: 'Modified', changes: CHANGES, source: { file, documentIndex: 0, startLine: 1, endLine: 6 } };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('plan mode preselects human changes and writes nothing', async () => {
    const r = await captureLiveChanges({ diff, mode: 'plan' });
    assert.deepEqual(r.plan.captured.map((c) => c.change.path), ['data.level']);
    assert.equal(readFileSync(file, 'utf8'), YAML);
    assert.match(r.message, /- data\.level: info → debug \(kubectl-edit at 2026-11-28T03:00:00Z\)/);
    assert.equal(r.commit, undefined);
  });

  it('write mode edits the working tree only', async () => {
    const r = await captureLiveChanges({ diff, mode: 'write', changes: CHANGES });
    assert.equal(readFileSync(file, 'utf8'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg # config\ndata:\n  level: debug\n  extra: x\n');
    assert.equal(r.plan.captured.length, 2);
    assert.equal(git(dir, 'rev-list', '--count', 'HEAD').trim(), '1');
    await assert.rejects(writeFileEdits(r.plan.edits), /changed since the capture was planned/);
  });

  it('commit mode names the branch from the pattern and the clock', async () => {
    const r = await captureLiveChanges({ diff, mode: 'commit', context: 'kind-demo', clock: { now: () => new Date(Date.UTC(2026, 10, 28, 3, 5)) } });
    assert.equal(r.branch, 'breakglass/demo-configmap-cfg-20261128-0305');
    assert.equal(r.commit?.branch, r.branch);
    assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD').trim(), r.branch);
    assert.match(git(dir, 'log', '-1', '--format=%B'), /cluster context kind-demo, app demo/);
    const custom = await captureLiveChanges({ diff: { ...diff, changes: [CHANGES[1]] }, changes: [CHANGES[1]], mode: 'commit', branchPattern: 'capture/<namespace>/<name>-<hhmm>', clock: { now: () => new Date(Date.UTC(2026, 10, 28, 3, 6)) } });
    assert.equal(custom.branch, 'capture/default/cfg-0306');
  });
});
