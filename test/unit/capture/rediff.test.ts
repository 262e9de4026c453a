import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../../src/core/model';
import { diffResource } from '../../../src/core/diff';
import { planCapture } from '../../../src/core/capture/planCapture';
import { preselectChanges } from '../../../src/core/capture/preselect';
import { captureCommit } from '../../../src/core/git/captureCommit';
import { buildBranchName } from '../../../src/core/git/branchName';
import { formatCaptureMessage } from '../../../src/core/git/captureMessage';

const MANIFEST = `# checkout service
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: shop
  labels:
    app: checkout # selector label
spec:
  replicas: 2
  selector:
    matchLabels:
      app: checkout
  template:
    metadata:
      labels:
        app: checkout
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/checkout:2.1.0
          env:
            - name: MODE
              value: prod
`;

const TIME = '2026-11-28T02:30:00Z';

/** The live object after `kubectl edit` set replicas 4 and added LOG_LEVEL; argocd-controller applied the rest. */
function liveAfterKubectlEdit(desired: KubeObject): KubeObject {
  const live = structuredClone(desired) as any;
  live.spec.replicas = 4;
  live.spec.template.spec.containers[0].env.push({ name: 'LOG_LEVEL', value: 'debug' });
  live.metadata.managedFields = [
    {
      manager: 'argocd-controller',
      operation: 'Apply',
      time: '2026-11-27T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:env': { 'k:{"name":"MODE"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } },
          },
        },
      },
    },
    {
      manager: 'kubectl-edit',
      operation: 'Update',
      time: TIME,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:replicas': {},
          'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { 'f:env': { 'k:{"name":"LOG_LEVEL"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } },
        },
      },
    },
  ];
  return live;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

describe('capture → re-diff with the drift engine', function () {
  this.timeout(60000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'capture-rediff-'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'config', 'user.name', 'Test');
    git(dir, 'config', 'user.email', 'test@example.com');
    writeFileSync(path.join(dir, 'checkout.yaml'), MANIFEST);
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'initial');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('captures the kubectl-edit changes the engine reports, and the engine then reports Synced', async () => {
    const file = path.join(dir, 'checkout.yaml');
    const desired = parse(MANIFEST, { version: '1.1' }) as KubeObject;
    const live = liveAfterKubectlEdit(desired);
    const before = diffResource(desired, live, { app: 'shop' });
    assert.equal(before.status, 'Modified');
    const picked = preselectChanges({ ...before, source: { file, documentIndex: 0, startLine: 1, endLine: 24 } });
    assert.deepEqual(picked.map((c) => [c.path, c.manager]).sort(), [
      ['spec.replicas', 'kubectl-edit'],
      ['spec.template.spec.containers[name=app].env[name=LOG_LEVEL]', 'kubectl-edit'],
    ]);

    const diff = { ...before, source: { file, documentIndex: 0, startLine: 1, endLine: 24 } };
    const plan = await planCapture({ diff, changes: picked });
    const branch = buildBranchName({ app: 'shop', kind: diff.ref.kind, name: diff.ref.name, now: new Date(TIME) });
    const res = await captureCommit({ repoDir: dir, files: plan.edits, branch, message: formatCaptureMessage({ ref: diff.ref, changes: picked, app: 'shop', context: 'kind-demo' }) });
    assert.equal(res.branch, 'breakglass/shop-deployment-checkout-20261128-0230');

    const text = readFileSync(file, 'utf8');
    assert.equal(text, MANIFEST.replace('  replicas: 2\n', '  replicas: 4\n') + '            - name: LOG_LEVEL\n              value: debug\n');
    const after = diffResource(parse(text, { version: '1.1' }) as KubeObject, live, { app: 'shop' });
    assert.equal(after.status, 'Synced', JSON.stringify(after.changes));
    assert.deepEqual(after.changes, []);
  });
});
