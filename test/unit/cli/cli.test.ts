import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, detectManager } from '../../../src/cli/cli';
import { memoryIo, type MemoryIo } from '../../cli/memoryIo';

const io = (): MemoryIo => memoryIo({});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-cli-'));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

const desired = write('d.yaml', `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  template:
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
`);
const live = write('l.yaml', `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  managedFields:
  - {manager: argocd-controller, operation: Apply, apiVersion: apps/v1, time: "2026-11-28T03:00:00Z", fieldsType: FieldsV1,
     fieldsV1: {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {'k:{"name":"web"}': {".": {}, "f:name": {}, "f:image": {}}}}}}}}
  - {manager: kubectl-edit, operation: Update, apiVersion: apps/v1, time: "2026-11-28T03:40:00Z", fieldsType: FieldsV1,
     fieldsV1: {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {'k:{"name":"web"}': {"f:env": {".": {}, 'k:{"name":"DEBUG"}': {".": {}, "f:name": {}, "f:value": {}}}}}}}}}}
spec:
  replicas: 5
  template:
    spec:
      containers: [{name: web, image: "nginx:1.27", env: [{name: DEBUG, value: "1"}]}]
`);

describe('gitops-drift CLI (offline pair)', () => {
  it('reports drift with attribution as JSON and exits 1', async () => {
    const o = io();
    const code = await main(['diff', '--desired', desired, '--live', live, '-o', 'json'], o);
    assert.equal(code, 1);
    const report = JSON.parse(o.stdout);
    assert.deepEqual(report.summary, { synced: 0, modified: 1, missingLive: 0, extraLive: 0, unknown: 0 });
    const [r] = report.resources;
    assert.equal(r.kind, 'Deployment');
    const replicas = r.changes.find((c: { path: string }) => c.path === 'spec.replicas');
    assert.deepEqual({ d: replicas.desired, l: replicas.live, m: replicas.manager, c: replicas.category }, { d: 2, l: 5, m: 'kubectl-edit', c: 'modified' });
    assert.ok(r.changes.some((c: { category: string; path: string }) => c.category === 'live-only' && c.path.includes('containers[name=web].env')));
  });

  it('exits 0 when the pair is in sync', async () => {
    const o = io();
    assert.equal(await main(['diff', '--desired', desired, '--live', desired], o), 0);
    assert.match(o.stdout, /1 synced, 0 modified/);
  });

  it('exits 2 with a clear message on malformed YAML', async () => {
    const bad = write('bad.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n');
    const o = io();
    assert.equal(await main(['diff', '--desired', bad, '--live', live], o), 2);
    assert.match(o.stderr, /bad\.yaml/);
  });

  it('detects the applier from managedFields', () => {
    assert.equal(detectManager({ apiVersion: 'v1', kind: 'X', metadata: { managedFields: [{ manager: 'kubectl-edit', operation: 'Update' }, { manager: 'kustomize-controller', operation: 'Apply' }] } }), 'kustomize-controller');
    assert.equal(detectManager({ apiVersion: 'v1', kind: 'X', metadata: { managedFields: [{ manager: 'my-tool', operation: 'Apply' }] } }), 'my-tool');
    assert.equal(detectManager({ apiVersion: 'v1', kind: 'X', metadata: {} }), undefined);
  });
});
