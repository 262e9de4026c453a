// API-level behaviour of the emulator over raw HTTPS: auth, discovery, CRUD semantics, list/watch, CRDs, faults.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { type Emulator, startEmulator } from './emulator';
import { mergeKubeconfig } from './kubeconfigFile';
import { raw, watchEvents } from './rawClient';

const CRDS = resolve(__dirname, 'demo/crds');
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';

function deployment(name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } },
      ...extra,
    },
  };
}

describe('emulator API server', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ bookmarkIntervalMs: 200 });
  });
  after(async () => {
    await emu?.stop();
  });

  describe('auth', () => {
    it('answers 401 Unauthorized without a token or with a wrong one', async () => {
      for (const token of [null, 'wrong']) {
        const r = await raw(emu, '/api/v1/namespaces', { token });
        assert.equal(r.status, 401);
        assert.equal(r.json.kind, 'Status');
        assert.equal(r.json.reason, 'Unauthorized');
      }
    });

    it('lets the read-only token read but answers 403 with the real message on writes', async () => {
      assert.equal((await raw(emu, '/api/v1/namespaces/default/configmaps', { token: emu.readOnlyToken })).status, 200);
      const r = await raw(emu, '/api/v1/namespaces/default/configmaps', { token: emu.readOnlyToken, method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } });
      assert.equal(r.status, 403);
      assert.equal(r.json.reason, 'Forbidden');
      assert.equal(r.json.message, 'configmaps is forbidden: User "emulator-viewer" cannot create resource "configmaps" in API group "" in the namespace "default"');
    });
  });

  describe('discovery and OpenAPI', () => {
    it('serves /version 1.37 and the group list', async () => {
      assert.equal((await raw(emu, '/version', { token: null })).json.minor, '37');
      const groups = (await raw(emu, '/apis')).json.groups.map((g: { name: string }) => g.name);
      for (const g of ['apps', 'batch', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'autoscaling', 'policy', 'apiextensions.k8s.io']) assert.ok(groups.includes(g), g);
    });

    it('lists deployments with short names, categories, status and scale subresources', async () => {
      const list = (await raw(emu, '/apis/apps/v1')).json;
      const byName = Object.fromEntries(list.resources.map((r: { name: string }) => [r.name, r]));
      assert.deepEqual(byName.deployments.shortNames, ['deploy']);
      assert.deepEqual(byName.deployments.categories, ['all']);
      assert.equal(byName.deployments.namespaced, true);
      assert.ok(byName['deployments/status']);
      assert.equal(byName['deployments/scale'].kind, 'Scale');
    });

    it('serves an OpenAPI v3 index whose documents declare fieldValidation on patch', async () => {
      const index = (await raw(emu, '/openapi/v3')).json;
      const url = index.paths['apis/apps/v1'].serverRelativeURL as string;
      const doc = (await raw(emu, url)).json;
      const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
      assert.ok(item.patch.parameters.some((p: { name: string }) => p.name === 'fieldValidation'));
      assert.deepEqual(doc.components.schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    });
  });

  describe('writes', () => {
    it('creates with server fields, defaults and generation 1', async () => {
      const r = await raw(emu, DEPLOY, { method: 'POST', body: deployment('create-me') });
      assert.equal(r.status, 201);
      const m = r.json.metadata;
      assert.match(m.uid, /^[0-9a-f-]{36}$/);
      assert.equal(m.namespace, 'default');
      assert.equal(m.generation, 1);
      assert.match(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(r.json.spec.replicas, 1);
      assert.equal(r.json.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
      assert.equal(r.json.spec.template.spec.containers[0].ports[0].protocol, 'TCP');
      assert.equal(m.managedFields[0].manager, 'emulator-test');
      assert.equal(m.managedFields[0].operation, 'Update');
    });

    it('bumps generation only on spec changes and keeps resourceVersion on a no-op', async () => {
      const created = (await raw(emu, DEPLOY, { method: 'POST', body: deployment('gen') })).json;
      const labelled = (await raw(emu, `${DEPLOY}/gen`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { labels: { x: 'y' } } } })).json;
      assert.equal(labelled.metadata.generation, 1);
      assert.ok(Number(labelled.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
      const scaled = (await raw(emu, `${DEPLOY}/gen`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas: 3 } } })).json;
      assert.equal(scaled.metadata.generation, 2);
      const again = (await raw(emu, `${DEPLOY}/gen`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas: 3 } } })).json;
      assert.equal(again.metadata.resourceVersion, scaled.metadata.resourceVersion);
    });

    it('answers 409 Conflict to a PUT with a stale resourceVersion and 409 AlreadyExists to a duplicate create', async () => {
      const created = (await raw(emu, DEPLOY, { method: 'POST', body: deployment('stale') })).json;
      await raw(emu, `${DEPLOY}/stale`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas: 2 } } });
      const r = await raw(emu, `${DEPLOY}/stale`, { method: 'PUT', body: created });
      assert.equal(r.status, 409);
      assert.equal(r.json.reason, 'Conflict');
      assert.match(r.json.message, /the object has been modified/);
      const dup = await raw(emu, DEPLOY, { method: 'POST', body: deployment('stale') });
      assert.equal(dup.status, 409);
      assert.equal(dup.json.reason, 'AlreadyExists');
    });

    it('rejects bad bodies with 400/422 Status objects', async () => {
      assert.equal((await raw(emu, DEPLOY, { method: 'POST', body: '[1,2]' })).status, 400);
      assert.equal((await raw(emu, DEPLOY, { method: 'POST', body: '{not json' })).status, 400);
      const wrongKind = await raw(emu, DEPLOY, { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } });
      assert.equal(wrongKind.status, 400);
      assert.equal(wrongKind.json.kind, 'Status');
      const noName = await raw(emu, DEPLOY, { method: 'POST', body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: {} } });
      assert.equal(noName.status, 422);
      assert.equal(noName.json.reason, 'Invalid');
      const mismatch = await raw(emu, `${DEPLOY}/create-me`, { method: 'PUT', body: deployment('other') });
      assert.equal(mismatch.status, 400);
      assert.match(mismatch.json.message, /does not match the name on the URL/);
    });

    it('rejects unknown fields of built-in kinds under Strict and drops them (with a warning) otherwise', async () => {
      const body = deployment('typo', {}, { replicass: 2 });
      (body.spec.template.spec.containers[0] as Record<string, unknown>).imagePolicy = 'Always';
      const strict = await raw(emu, `${DEPLOY}?fieldValidation=Strict`, { method: 'POST', body });
      assert.equal(strict.status, 400);
      assert.equal(strict.json.message, 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePolicy", unknown field "spec.replicass"');
      const lax = await raw(emu, DEPLOY, { method: 'POST', body });
      assert.equal(lax.status, 201);
      assert.match(String(lax.headers.warning), /unknown field \\"spec.replicass\\"/);
      assert.equal(lax.json.spec.replicass, undefined);
      assert.equal(lax.json.spec.template.spec.containers[0].imagePolicy, undefined);
    });

    it('refuses to change immutable fields (Deployment selector, immutable ConfigMap data) with 422', async () => {
      await raw(emu, DEPLOY, { method: 'POST', body: deployment('imm') });
      const sel = await raw(emu, `${DEPLOY}/imm`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { selector: { matchLabels: { app: 'other' } } } } });
      assert.equal(sel.status, 422);
      assert.match(sel.json.message, /^Deployment.apps "imm" is invalid: spec.selector: Invalid value: .*field is immutable$/);
      const cms = '/api/v1/namespaces/default/configmaps';
      await raw(emu, cms, { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frozen' }, immutable: true, data: { a: '1' } } });
      const r = await raw(emu, `${cms}/frozen`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { data: { a: '2' } } });
      assert.equal(r.status, 422);
      assert.equal(r.json.details.causes[0].field, 'data');
      assert.equal((await raw(emu, `${cms}/frozen`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { labels: { ok: 'yes' } } } })).status, 200);
    });

    it('answers 404 for a create in a missing namespace, like the real server', async () => {
      const r = await raw(emu, '/api/v1/namespaces/nope/configmaps', { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } });
      assert.equal(r.status, 404);
      assert.equal(r.json.message, 'namespaces "nope" not found');
    });

    it('persists nothing on dryRun=All but answers the would-be object', async () => {
      const r = await raw(emu, `${DEPLOY}?dryRun=All`, { method: 'POST', body: deployment('dry') });
      assert.equal(r.status, 201);
      assert.equal(r.json.spec.replicas, 1);
      assert.equal((await raw(emu, `${DEPLOY}/dry`)).status, 404);
    });

    it('keeps status when the main resource is written and changes only status through /status', async () => {
      await raw(emu, DEPLOY, { method: 'POST', body: deployment('st') });
      const s = await raw(emu, `${DEPLOY}/st/status`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { status: { replicas: 5 }, spec: { replicas: 9 } } });
      assert.equal(s.status, 200);
      assert.equal(s.json.status.replicas, 5);
      assert.equal(s.json.spec.replicas, 1);
      const m = await raw(emu, `${DEPLOY}/st`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { status: { replicas: 7 } } });
      assert.equal(m.json.status.replicas, 5);
    });

    it('serves the scale subresource and records the write under subresource "scale"', async () => {
      await raw(emu, DEPLOY, { method: 'POST', body: deployment('sc') });
      const scale = (await raw(emu, `${DEPLOY}/sc/scale`)).json;
      assert.equal(scale.kind, 'Scale');
      assert.equal(scale.spec.replicas, 1);
      assert.equal(scale.status.selector, 'app=sc');
      const r = await raw(emu, `${DEPLOY}/sc/scale`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas: 4 } }, userAgent: 'kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd' });
      assert.equal(r.json.spec.replicas, 4);
      const d = (await raw(emu, `${DEPLOY}/sc`)).json;
      assert.equal(d.spec.replicas, 4);
      const entry = d.metadata.managedFields.find((e: { subresource?: string }) => e.subresource === 'scale');
      assert.equal(entry.manager, 'kubectl');
      assert.deepEqual(entry.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    });

    it('allocates a Service clusterIP and keeps it across updates; folds Secret stringData', async () => {
      const svc = (await raw(emu, '/api/v1/namespaces/default/services', { method: 'POST', body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 's' }, ports: [{ port: 80 }] } } })).json;
      assert.match(svc.spec.clusterIP, /^10\.96\.\d+\.\d+$/);
      assert.deepEqual(svc.spec.clusterIPs, [svc.spec.clusterIP]);
      assert.equal(svc.spec.ports[0].targetPort, 80);
      const updated = (await raw(emu, '/api/v1/namespaces/default/services/s', { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { labels: { a: 'b' } } } })).json;
      assert.equal(updated.spec.clusterIP, svc.spec.clusterIP);
      const sec = (await raw(emu, '/api/v1/namespaces/default/secrets', { method: 'POST', body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, stringData: { k: 'v' } } })).json;
      assert.equal(sec.data.k, Buffer.from('v').toString('base64'));
      assert.equal(sec.stringData, undefined);
    });

    it('answers 415 to a strategic merge patch of a custom resource', async () => {
      const crd = YAML.parse(readFileSync(join(CRDS, 'argocd-appproject-crd.yaml'), 'utf8'));
      emu.seed([crd]);
      const path = '/apis/argoproj.io/v1alpha1/namespaces/default/appprojects';
      assert.equal((await raw(emu, path, { method: 'POST', body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p' }, spec: {} } })).status, 201);
      const r = await raw(emu, `${path}/p`, { method: 'PATCH', contentType: 'application/strategic-merge-patch+json', body: { spec: { description: 'x' } } });
      assert.equal(r.status, 415);
      assert.equal(r.json.reason, 'UnsupportedMediaType');
    });
  });

  describe('custom resources', () => {
    it('serves a CRD kind at once, rejects unknown fields under Strict and prunes them otherwise', async () => {
      const crd = YAML.parse(readFileSync(join(CRDS, 'flux-kustomize.toolkit.fluxcd.io_kustomizations.yaml'), 'utf8'));
      const c = await raw(emu, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { method: 'POST', body: crd });
      assert.equal(c.status, 201);
      assert.equal(c.json.status.conditions.find((x: { type: string }) => x.type === 'Established').status, 'True');
      const resources = (await raw(emu, '/apis/kustomize.toolkit.fluxcd.io/v1')).json.resources.map((r: { name: string }) => r.name);
      assert.deepEqual(resources.sort(), ['kustomizations', 'kustomizations/status']);
      const path = '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/default/kustomizations';
      const ks = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'apps' }, spec: { interval: '1m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' }, bogus: 1 }, status: { x: 1 } };
      const strict = await raw(emu, `${path}?fieldValidation=Strict`, { method: 'POST', body: ks });
      assert.equal(strict.status, 400);
      assert.match(strict.json.message, /\.spec\.bogus: field not declared in schema/);
      const warn = await raw(emu, `${path}?fieldValidation=Warn`, { method: 'POST', body: ks });
      assert.equal(warn.status, 201);
      assert.match(String(warn.headers.warning), /unknown field \\"spec.bogus\\"/);
      assert.equal(warn.json.spec.bogus, undefined);
      // status subresource declared: status from a create is dropped
      assert.equal(warn.json.status, undefined);
      assert.equal(warn.json.metadata.generation, 1);
    });

    it('keeps an object with finalizers (deletionTimestamp set) until the last finalizer is removed', async () => {
      const path = '/api/v1/namespaces/default/configmaps';
      await raw(emu, path, { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fin', finalizers: ['example.com/hold'] } } });
      const del = await raw(emu, `${path}/fin`, { method: 'DELETE' });
      assert.equal(del.status, 200);
      assert.match(del.json.metadata.deletionTimestamp, /Z$/);
      assert.equal((await raw(emu, `${path}/fin`)).status, 200);
      await raw(emu, `${path}/fin`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { finalizers: null } } });
      assert.equal((await raw(emu, `${path}/fin`)).status, 404);
    });
  });

  describe('list and watch', () => {
    before(async () => {
      await raw(emu, '/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lw' } } });
      for (let i = 0; i < 5; i++) {
        await raw(emu, '/api/v1/namespaces/lw/configmaps', { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { tier: i < 2 ? 'web' : 'db', idx: String(i) } } } });
      }
    });

    it('filters by equality and set-based label selectors and by field selectors', async () => {
      const names = async (q: string) => (await raw(emu, `/api/v1/namespaces/lw/configmaps?${q}`)).json.items.map((o: { metadata: { name: string } }) => o.metadata.name);
      assert.deepEqual(await names('labelSelector=tier%3Dweb'), ['cm-0', 'cm-1']);
      assert.deepEqual(await names('labelSelector=tier!%3Dweb'), ['cm-2', 'cm-3', 'cm-4']);
      assert.deepEqual(await names(`labelSelector=${encodeURIComponent('idx in (1,3),tier')}`), ['cm-1', 'cm-3']);
      assert.deepEqual(await names(`labelSelector=${encodeURIComponent('idx notin (0,1,2),!missing')}`), ['cm-3', 'cm-4']);
      assert.deepEqual(await names('fieldSelector=metadata.name%3Dcm-2'), ['cm-2']);
      assert.equal((await raw(emu, '/api/v1/namespaces/lw/configmaps?fieldSelector=spec.x%3D1')).status, 400);
    });

    it('pages with limit and continue', async () => {
      const p1 = (await raw(emu, '/api/v1/namespaces/lw/configmaps?limit=2')).json;
      assert.equal(p1.items.length, 2);
      assert.equal(p1.metadata.remainingItemCount, 3);
      const p2 = (await raw(emu, `/api/v1/namespaces/lw/configmaps?limit=2&continue=${p1.metadata.continue}`)).json;
      const p3 = (await raw(emu, `/api/v1/namespaces/lw/configmaps?limit=2&continue=${p2.metadata.continue}`)).json;
      assert.deepEqual([...p1.items, ...p2.items, ...p3.items].map((o) => o.metadata.name), ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);
      assert.equal(p3.metadata.continue, undefined);
    });

    it('streams ADDED/MODIFIED/DELETED from a resourceVersion, with bookmarks', async () => {
      const rv = (await raw(emu, '/api/v1/namespaces/lw/configmaps')).json.metadata.resourceVersion;
      await raw(emu, '/api/v1/namespaces/lw/configmaps/cm-0', { method: 'PATCH', contentType: 'application/merge-patch+json', body: { data: { a: '1' } } });
      await raw(emu, '/api/v1/namespaces/lw/configmaps/cm-1', { method: 'DELETE' });
      await raw(emu, '/api/v1/namespaces/lw/configmaps', { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-9' } } });
      const { events } = await watchEvents(emu, `/api/v1/namespaces/lw/configmaps?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`, (ev) => ev.some((e) => e.type === 'BOOKMARK'));
      assert.deepEqual(
        events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`.trim()),
        ['MODIFIED cm-0', 'DELETED cm-1', 'ADDED cm-9', 'BOOKMARK'],
      );
      assert.ok(Number(events[3].object.metadata.resourceVersion) >= Number(events[2].object.metadata.resourceVersion));
    });

    it('answers a watch from a compacted resourceVersion with a 410 Expired error event', async () => {
      const rv = (await raw(emu, '/api/v1/namespaces/lw/configmaps')).json.metadata.resourceVersion;
      await raw(emu, '/api/v1/namespaces/lw/configmaps/cm-2', { method: 'PATCH', contentType: 'application/merge-patch+json', body: { data: { b: '1' } } });
      emu.store.compact();
      const { events, closedByServer } = await watchEvents(emu, `/api/v1/namespaces/lw/configmaps?watch=1&resourceVersion=${rv}`, () => false);
      assert.equal(closedByServer, true);
      assert.equal(events.length, 1);
      assert.equal(events[0].type, 'ERROR');
      assert.equal(events[0].object.code, 410);
      assert.equal(events[0].object.reason, 'Expired');
    });

    it('sends the current objects as ADDED when watching without a resourceVersion', async () => {
      const { events } = await watchEvents(emu, '/api/v1/namespaces/lw/configmaps?watch=true&labelSelector=tier%3Ddb', (ev) => ev.length >= 3);
      assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED cm-2', 'ADDED cm-3', 'ADDED cm-4']);
    });
  });

  describe('fault injection', () => {
    afterEach(() => emu.setFaults({}));

    it('closes watch streams after N events and fails resumed watches with 410 when told to', async () => {
      emu.setFaults({ closeWatchAfterEvents: 2 });
      const closed = await watchEvents(emu, '/api/v1/namespaces/lw/configmaps?watch=1', () => false);
      assert.equal(closed.closedByServer, true);
      assert.equal(closed.events.length, 2);
      emu.setFaults({ goneOnWatchResume: true });
      const rv = emu.store.resourceVersion;
      const gone = await watchEvents(emu, `/api/v1/namespaces/lw/configmaps?watch=1&resourceVersion=${rv}`, () => false);
      assert.equal(gone.events[0].object.code, 410);
    });

    it('answers 5xx at the configured rate, adds latency, and hangs requests', async () => {
      emu.setFaults({ errorRate: 1 });
      const r = await raw(emu, '/api/v1/namespaces/lw/configmaps');
      assert.ok(r.status === 500 || r.status === 503, String(r.status));
      emu.setFaults({ latencyMs: 150 });
      const t0 = Date.now();
      assert.equal((await raw(emu, '/api/v1/namespaces/lw/configmaps')).status, 200);
      assert.ok(Date.now() - t0 >= 140);
      emu.setFaults({ hangRate: 1 });
      await assert.rejects(raw(emu, '/api/v1/namespaces/lw/configmaps', { signal: AbortSignal.timeout(300) }), /abort/i);
    });
  });
});

describe('emulator lifecycle', () => {
  it('seeds from a folder, saves state on stop and loads it at the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu-state-'));
    writeFileSync(join(dir, 'app.yaml'), YAML.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'seeded', namespace: 'team-a' }, data: { k: 'v' } }));
    const stateFile = join(dir, 'state.json');
    const first = await startEmulator({ seedDir: dir, stateFile });
    const seeded = (await raw(first, '/api/v1/namespaces/team-a/configmaps/seeded')).json;
    assert.equal(seeded.data.k, 'v');
    const [dep] = first.seed([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'team-a' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } }, status: { readyReplicas: 1 } }]);
    assert.deepEqual(dep.status, { readyReplicas: 1 });
    await first.stop();
    const second = await startEmulator({ stateFile });
    try {
      const again = (await raw(second, '/api/v1/namespaces/team-a/configmaps/seeded')).json;
      assert.equal(again.metadata.uid, seeded.metadata.uid);
      const created = (await raw(second, '/api/v1/namespaces/team-a/configmaps', { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later' } } })).json;
      assert.ok(Number(created.metadata.resourceVersion) > Number(seeded.metadata.resourceVersion));
    } finally {
      await second.stop();
    }
  });

  it('merges two emulators into one kubeconfig as two clusters', async () => {
    const a = await startEmulator({ name: 'east' });
    const b = await startEmulator({ name: 'west' });
    try {
      const path = join(mkdtempSync(join(tmpdir(), 'emu-kc-')), 'config');
      mergeKubeconfig(path, [a.kubeconfigEntry(), b.kubeconfigEntry()]);
      const kc = YAML.parse(readFileSync(path, 'utf8'));
      assert.deepEqual(kc.contexts.map((c: { name: string }) => c.name), ['east', 'west']);
      assert.equal(kc['current-context'], 'east');
      assert.deepEqual(kc.clusters.map((c: { cluster: { server: string } }) => c.cluster.server), [a.server, b.server]);
      assert.equal(kc.users[1].user.token, b.token);
      // Or let the second emulator add itself to the first one's file.
      const c = await startEmulator({ name: 'north', kubeconfigPath: a.kubeconfigPath, mergeKubeconfig: true });
      await c.stop();
      const merged = YAML.parse(readFileSync(a.kubeconfigPath, 'utf8'));
      assert.deepEqual(merged.contexts.map((x: { name: string }) => x.name), ['east', 'north']);
      assert.equal(merged['current-context'], 'east');
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
