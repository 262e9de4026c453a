// @kubernetes/client-node (what the extension uses) against the emulator: kubeconfig, list/watch/patch, reconnects.
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, ListWatch, PatchStrategy, Watch, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { type Emulator, startEmulator } from './emulator';

const NS = 'cn';

async function until(cond: () => boolean, timeoutMs = 8000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('client-node against the emulator', function () {
  this.timeout(60000);
  let emu: Emulator;
  let kc: KubeConfig;
  let client: KubernetesObjectApi;

  const configMap = (name: string, labels: Record<string, string> = {}): V1ConfigMap & KubernetesObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels }, data: { k: name } });

  before(async () => {
    emu = await startEmulator();
    kc = new KubeConfig();
    kc.loadFromFile(emu.kubeconfigPath);
    client = KubernetesObjectApi.makeApiClient(kc);
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });
  after(async () => {
    await emu?.stop();
  });
  afterEach(() => emu.setFaults({}));

  it('loads the written kubeconfig (CA, token, context, namespace) and talks TLS to the server', async () => {
    assert.equal(kc.getCurrentContext(), 'emulator');
    assert.equal(kc.getCurrentCluster()?.server, emu.server);
    assert.equal(kc.getContextObject('emulator')?.namespace, 'default');
    const core = kc.makeApiClient(CoreV1Api);
    const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    assert.ok(names.includes('default') && names.includes(NS));
  });

  it('creates, lists with selectors, patches (merge and server-side apply) and reads back managedFields', async () => {
    await client.create(configMap('a', { tier: 'web' }));
    await client.create(configMap('b', { tier: 'db' }));
    const web = await client.list<V1ConfigMap>('v1', 'ConfigMap', NS, undefined, undefined, undefined, undefined, 'tier=web');
    assert.deepEqual(web.items.map((i) => i.metadata?.name), ['a']);
    const patched = await client.patch<V1ConfigMap & KubernetesObject>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: NS }, data: { extra: '1' } }, undefined, undefined, 'my-tool', undefined, PatchStrategy.MergePatch);
    assert.deepEqual(patched.data, { k: 'a', extra: '1' });
    assert.ok(patched.metadata?.managedFields?.some((m) => m.manager === 'my-tool' && m.operation === 'Update'));
    const applied = await client.patch<V1ConfigMap & KubernetesObject>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: NS }, data: { applied: 'yes' } }, undefined, undefined, 'gitops-drift', true, PatchStrategy.ServerSideApply);
    assert.equal(applied.data?.applied, 'yes');
    const entry = applied.metadata?.managedFields?.find((m) => m.manager === 'gitops-drift');
    assert.equal(entry?.operation, 'Apply');
    // Apply entries list the applied leaves only (no "." for maps), as in the Kubernetes SSA documentation.
    assert.deepEqual(entry?.fieldsV1, { 'f:data': { 'f:applied': {} } });
    await assert.rejects(client.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'missing', namespace: NS } }), (e: { code?: number }) => e.code === 404);
  });

  it('watches through Watch: ADDED then MODIFIED then DELETED', async () => {
    const seen: string[] = [];
    const rv = (await client.list('v1', 'ConfigMap', NS)).metadata?.resourceVersion;
    const ctl = await new Watch(kc).watch(`/api/v1/namespaces/${NS}/configmaps`, { resourceVersion: rv }, (type, obj) => seen.push(`${type} ${obj.metadata.name}`), () => {});
    try {
      await client.create(configMap('w'));
      await client.patch({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w', namespace: NS }, data: { k: 'changed' } }, undefined, undefined, 'test', undefined, PatchStrategy.MergePatch);
      await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w', namespace: NS } });
      await until(() => seen.length >= 3, 5000, 'three events');
      assert.deepEqual(seen, ['ADDED w', 'MODIFIED w', 'DELETED w']);
    } finally {
      ctl.abort();
    }
  });

  it('an informer survives server-closed watch streams by resuming from the last resourceVersion (no relist)', async () => {
    emu.setFaults({ closeWatchAfterEvents: 1 });
    const path = `/api/v1/namespaces/${NS}/configmaps`;
    const listFn = () => client.list<V1ConfigMap & KubernetesObject>('v1', 'ConfigMap', NS, undefined, undefined, undefined, undefined, 'set=resume');
    const before = emu.api.requests.length;
    const informer = new ListWatch<V1ConfigMap & KubernetesObject>(path, new Watch(kc), listFn, false, 'set=resume');
    await informer.start();
    try {
      for (let i = 0; i < 4; i++) {
        await client.create(configMap(`r${i}`, { set: 'resume' }));
        await until(() => informer.list(NS).length === i + 1, 5000, `r${i} in the cache`);
      }
      const reqs = emu.api.requests.slice(before).filter((r) => r.path === path && r.method === 'GET');
      const watches = reqs.filter((r) => /watch=true/.test(r.query));
      const lists = reqs.filter((r) => !/watch=true/.test(r.query));
      assert.equal(lists.length, 1, 'listed once');
      assert.ok(watches.length >= 4, `re-watched after each close (${watches.length})`);
      assert.ok(watches.slice(1).every((w) => /resourceVersion=\d+/.test(w.query)));
      assert.deepEqual(informer.list(NS).map((o) => o.metadata?.name).sort(), ['r0', 'r1', 'r2', 'r3']);
    } finally {
      informer.stop();
    }
  });

  it('an informer relists when its resume gets 410 Gone', async () => {
    const path = `/api/v1/namespaces/${NS}/configmaps`;
    const listFn = () => client.list<V1ConfigMap & KubernetesObject>('v1', 'ConfigMap', NS, undefined, undefined, undefined, undefined, 'set=gone');
    const informer = new ListWatch<V1ConfigMap & KubernetesObject>(path, new Watch(kc), listFn, false, 'set=gone');
    await informer.start();
    try {
      const before = emu.api.requests.length;
      // Stream closes after one event; the resume then hits an expired resourceVersion.
      emu.setFaults({ closeWatchAfterEvents: 1, goneOnWatchResume: true });
      await client.create(configMap('g0', { set: 'gone' }));
      await until(() => emu.api.requests.slice(before).some((r) => r.path === path && !/watch=true/.test(r.query)), 5000, 'a relist');
      emu.setFaults({});
      await client.create(configMap('g1', { set: 'gone' }));
      await until(() => informer.list(NS).length === 2, 5000, 'both objects in the cache');
      assert.deepEqual(informer.list(NS).map((o) => o.metadata?.name).sort(), ['g0', 'g1']);
    } finally {
      informer.stop();
    }
  });
});
