import { strict as assert } from 'node:assert';
import { fetchLiveState } from '../../../src/core/kube/live-state';
import { findResourceType } from '../../../src/core/kube/discovery';
import { errorFromStatus } from '../../../src/core/kube/errors';
import { argoTrackingApp, parseInventoryId, parseTrackingId, argoInstanceName } from '../../../src/core/kube/tracking';
import { GitOpsError, type App, type KubeObject } from '../../../src/core/model';
import { FakeKubeClient } from './fake-kube-client';

const obj = (apiVersion: string, kind: string, name: string, namespace: string | undefined, extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}), ...extra },
});
const tracked = (id: string) => ({ annotations: { 'argocd.argoproj.io/tracking-id': id } });
const fluxLabels = (name: string, ns = 'flux-system') => ({ labels: { 'kustomize.toolkit.fluxcd.io/name': name, 'kustomize.toolkit.fluxcd.io/namespace': ns } });

const argoApp: App = { id: 'argo:argocd/guestbook', name: 'guestbook', kind: 'argo-application', namespace: 'argocd', sourceType: 'directory', destinationNamespace: 'web' };
const fluxApp: App = { id: 'flux:flux-system/apps', name: 'apps', kind: 'flux-kustomization', namespace: 'flux-system', sourceType: 'kustomize', destinationNamespace: 'shop' };

describe('kube/tracking', () => {
  it('parses Argo tracking ids and refuses copies that name another object', () => {
    assert.deepEqual(parseTrackingId('my-app:apps/Deployment:default/web'), { app: 'my-app', group: 'apps', kind: 'Deployment', namespace: 'default', name: 'web' });
    assert.deepEqual(parseTrackingId('my-app:/Service:ns/svc')?.group, '');
    assert.equal(parseTrackingId('broken'), undefined);
    const copy = obj('v1', 'ConfigMap', 'copy', 'web', tracked('guestbook:/ConfigMap:web/original'));
    assert.equal(argoTrackingApp(copy), undefined);
    assert.equal(argoTrackingApp(obj('v1', 'ConfigMap', 'original', 'web', tracked('guestbook:/ConfigMap:web/original'))), 'guestbook');
    // Label tracking counts only without an annotation.
    assert.equal(argoTrackingApp(obj('v1', 'ConfigMap', 'x', 'web', { labels: { 'app.kubernetes.io/instance': 'guestbook' } })), 'guestbook');
    assert.equal(argoInstanceName('guestbook', 'team-a'), 'team-a_guestbook');
    assert.equal(argoInstanceName('guestbook', 'argocd'), 'guestbook');
  });

  it('parses Flux inventory ids including core group, cluster scope and RBAC names', () => {
    assert.deepEqual(parseInventoryId('default_podinfo_apps_Deployment', 'v1'), { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'default', name: 'podinfo' });
    assert.deepEqual(parseInventoryId('default_podinfo__Service'), { group: '', version: undefined, kind: 'Service', namespace: 'default', name: 'podinfo' });
    assert.deepEqual(parseInventoryId('_ns1__Namespace'), { group: '', version: undefined, kind: 'Namespace', namespace: '', name: 'ns1' });
    assert.equal(parseInventoryId('_system__controller__manager_rbac.authorization.k8s.io_ClusterRole')?.name, 'system:controller:manager');
  });
});

describe('kube/fetchLiveState', () => {
  it('lists once per type and namespace, matches desired objects, and finds tracked extras (Argo annotation and label)', async () => {
    const client = new FakeKubeClient([
      obj('apps/v1', 'Deployment', 'frontend', 'web', tracked('guestbook:apps/Deployment:web/frontend')),
      obj('v1', 'ConfigMap', 'settings', 'web', tracked('guestbook:/ConfigMap:web/settings')),
      obj('v1', 'ConfigMap', 'old-settings', 'web', tracked('guestbook:/ConfigMap:web/old-settings')),
      obj('v1', 'ConfigMap', 'legacy', 'web', { labels: { 'app.kubernetes.io/instance': 'guestbook' } }),
      obj('v1', 'ConfigMap', 'someone-else', 'web', tracked('other:/ConfigMap:web/someone-else')),
      obj('v1', 'ConfigMap', 'copied', 'web', tracked('guestbook:/ConfigMap:web/settings')),
      obj('v1', 'Namespace', 'web', undefined, tracked('guestbook:/Namespace:web/web')),
    ]);
    const state = await fetchLiveState({
      client,
      apps: [argoApp],
      desired: {
        [argoApp.id]: [
          { object: obj('apps/v1', 'Deployment', 'frontend', undefined) },
          { object: obj('v1', 'ConfigMap', 'settings', 'web') },
          { object: obj('v1', 'ConfigMap', 'not-yet', 'web') },
          { object: obj('v1', 'Namespace', 'web', undefined) },
        ],
      },
    });
    assert.deepEqual([...state.live.keys()].sort(), ['/ConfigMap/web/settings', '/Namespace//web', 'apps/Deployment/web/frontend']);
    assert.deepEqual(state.extra.map((e) => e.key).sort(), ['/ConfigMap/web/legacy', '/ConfigMap/web/old-settings']);
    assert.equal(state.desired.get('apps/Deployment/web/frontend')?.appId, argoApp.id);
    // One list per (type, namespace); the missing ConfigMap needs no GET because a plain list covered its namespace.
    assert.deepEqual(client.calls.map((c) => `${c.verb} ${c.type} ${c.namespace ?? '*'}`).sort(), ['list ConfigMap web', 'list Deployment web', 'list Namespace *']);
    assert.deepEqual(state.stats, { lists: 3, gets: 0 });
  });

  it('uses Flux owner labels as a server-side selector, GETs desired objects the selector missed, and lists inventory types', async () => {
    const client = new FakeKubeClient([
      obj('apps/v1', 'Deployment', 'cart', 'shop', fluxLabels('apps')),
      obj('v1', 'Service', 'cart', 'shop'), // exists but not labelled yet
      obj('v1', 'ConfigMap', 'orphan', 'shop', fluxLabels('apps')),
      obj('v1', 'ConfigMap', 'other-ks', 'shop', fluxLabels('infra')),
    ]);
    const app: App = { ...fluxApp, definition: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'apps' }, status: { inventory: { entries: [{ id: 'shop_orphan__ConfigMap', v: 'v1' }] } } } as KubeObject };
    const state = await fetchLiveState({
      client,
      apps: [app],
      desired: new Map([[app.id, [{ object: obj('apps/v1', 'Deployment', 'cart', undefined) }, { object: obj('v1', 'Service', 'cart', undefined) }]]]),
    });
    assert.deepEqual([...state.live.keys()].sort(), ['/Service/shop/cart', 'apps/Deployment/shop/cart']);
    assert.deepEqual(state.extra.map((e) => e.key), ['/ConfigMap/shop/orphan']);
    const lists = client.calls.filter((c) => c.verb === 'list');
    assert.ok(lists.every((c) => c.labelSelector === 'kustomize.toolkit.fluxcd.io/name=apps,kustomize.toolkit.fluxcd.io/namespace=flux-system'));
    assert.deepEqual(client.calls.filter((c) => c.verb === 'get').map((c) => c.name), ['cart']);
  });

  it('reports unknown kinds and forbidden lists as failures and falls back to GETs', async () => {
    const client = new FakeKubeClient([obj('v1', 'Secret', 'creds', 'web', tracked('guestbook:/Secret:web/creds'))]);
    client.failures.push({ match: 'list Secret', error: new GitOpsError('forbidden', 'Forbidden: you may not list secrets', { verb: 'list', resource: 'secrets' }) });
    const state = await fetchLiveState({
      client,
      apps: [argoApp],
      desired: { [argoApp.id]: [{ object: obj('v1', 'Secret', 'creds', 'web') }, { object: obj('example.com/v1', 'Widget', 'w', 'web') }] },
    });
    assert.ok(state.live.has('/Secret/web/creds'), 'GET after the forbidden list');
    const reasons = state.failures.map((f) => `${f.error.reason}:${f.key ?? ''}`).sort();
    assert.deepEqual(reasons, ['forbidden:', 'notFound:example.com/Widget/web/w']);
  });

  it('a failed LIST (5xx, 429, reset) fails every app that would have read that type: never a clean result without its prune candidates', async () => {
    const other: App = { ...argoApp, id: 'argo:argocd/shop', name: 'shop' };
    const client = new FakeKubeClient([
      obj('v1', 'ConfigMap', 'settings', 'web', tracked('guestbook:/ConfigMap:web/settings')),
      obj('v1', 'ConfigMap', 'stale', 'web', tracked('guestbook:/ConfigMap:web/stale')),
    ]);
    client.failures.push({ match: 'list ConfigMap', error: new GitOpsError('unreachable', 'the server is currently unable to handle the request (503)') });
    const state = await fetchLiveState({
      client,
      apps: [argoApp, other],
      desired: { [argoApp.id]: [{ object: obj('v1', 'ConfigMap', 'settings', 'web') }], [other.id]: [{ object: obj('v1', 'ConfigMap', 'cart', 'web') }] },
    });
    assert.equal(state.live.has('/ConfigMap/web/settings'), false, 'no GET per object after an overloaded LIST (issue 18 item 7)');
    assert.deepEqual(state.failures.filter((f) => f.key).map((f) => f.key).sort(), ['/ConfigMap/web/cart', '/ConfigMap/web/settings'], 'its desired objects are unknown');
    assert.deepEqual(state.extra, [], 'the prune candidate was not seen');
    const byApp = state.failures.filter((f) => !f.key);
    assert.deepEqual(byApp.map((f) => f.appId).sort(), [argoApp.id, other.id].sort(), 'each app reading ConfigMaps is told');
    for (const f of byApp) {
      assert.equal(f.error.reason, 'unreachable');
      assert.match(f.error.message, /ConfigMap/);
      assert.match(f.error.message, /503/);
    }
  });

  it('a per-namespace LIST (after a forbidden cluster-wide one) that fails is reported for its apps', async () => {
    const app: App = { ...argoApp, destinationNamespace: 'a' };
    const client = new FakeKubeClient([obj('v1', 'ConfigMap', 'one', 'a'), obj('v1', 'ConfigMap', 'two', 'b'), obj('v1', 'ConfigMap', 'three', 'c')]);
    client.failures.push({ match: 'list ConfigMap', error: new GitOpsError('forbidden', 'cannot list configmaps at the cluster scope') });
    client.failures.push({ match: 'list ConfigMap', error: new GitOpsError('unreachable', 'connection reset by peer') });
    const state = await fetchLiveState({
      client,
      apps: [app],
      maxNamespacesPerType: 2,
      desired: { [app.id]: [{ object: obj('v1', 'ConfigMap', 'one', 'a') }, { object: obj('v1', 'ConfigMap', 'two', 'b') }, { object: obj('v1', 'ConfigMap', 'three', 'c') }] },
    });
    const byApp = state.failures.filter((f) => !f.key);
    assert.equal(byApp.length, 1, JSON.stringify(state.failures.map((f) => [f.appId, f.error.message])));
    assert.equal(byApp[0].appId, app.id);
    assert.match(byApp[0].error.message, /connection reset/);
  });

  it('a failed LIST of one namespace is reported only to the apps with objects in that namespace', async () => {
    const teamA: App = { ...argoApp, id: 'argo/team-a', name: 'team-a', destinationNamespace: 'team-a' };
    const ops: App = { ...argoApp, id: 'argo/ops', name: 'ops', destinationNamespace: 'ops' };
    const client = new FakeKubeClient([obj('v1', 'ConfigMap', 'a', 'team-a'), obj('v1', 'ConfigMap', 'o', 'ops')]);
    client.failures.push({ match: 'list ConfigMap in ops', error: new GitOpsError('forbidden', 'you may not list configmaps in namespace "ops"') });
    const state = await fetchLiveState({
      client,
      apps: [teamA, ops],
      desired: { [teamA.id]: [{ object: obj('v1', 'ConfigMap', 'a', 'team-a') }], [ops.id]: [{ object: obj('v1', 'ConfigMap', 'o', 'ops') }] },
    });
    const byApp = state.failures.filter((f) => !f.key);
    assert.deepEqual(byApp.map((f) => f.appId), [ops.id], JSON.stringify(state.failures.map((f) => [f.appId, f.error.message])));
  });

  it('a LIST refused with 429 or 5xx is not followed by a GET per object (issue 18 item 7): its objects are reported unknown', async () => {
    for (const status of [429, 503]) {
      const names = Array.from({ length: 60 }, (_, i) => `cm-${i}`);
      const client = new FakeKubeClient(names.map((n) => obj('v1', 'ConfigMap', n, 'web')));
      client.failures.push({ match: 'list ConfigMap', error: errorFromStatus(status, { message: 'slow down' }, { verb: 'list', resource: 'configmaps', namespace: 'web' }) });
      const state = await fetchLiveState({ client, apps: [argoApp], desired: { [argoApp.id]: names.map((n) => ({ object: obj('v1', 'ConfigMap', n, 'web') })) } });
      assert.equal(client.calls.filter((c) => c.verb === 'get').length, 0, `no GET storm after a ${status}`);
      assert.equal(client.calls.filter((c) => c.verb === 'list').length, 1);
      assert.equal(state.stats.gets, 0);
      assert.equal(state.live.size, 0);
      assert.equal(state.failures.filter((f) => !f.key && f.appId === argoApp.id).length, 1, 'the app is told once');
      const keyed = state.failures.filter((f) => f.key);
      assert.deepEqual(keyed.map((f) => f.key).sort(), names.map((n) => `/ConfigMap/web/${n}`).sort(), 'every desired object is unknown, never "missing"');
      for (const f of keyed) assert.match(f.error.message, /slow down/);
    }
  });

  it('after a forbidden LIST, reads at most 50 objects of the type one by one, 4 at a time, and reports the rest unknown', async () => {
    const names = Array.from({ length: 120 }, (_, i) => `cm-${i}`);
    let inFlight = 0;
    let maxInFlight = 0;
    class Counting extends FakeKubeClient {
      override async get(ref: Parameters<FakeKubeClient['get']>[0], signal?: AbortSignal): Promise<KubeObject> {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          await new Promise((r) => setTimeout(r, 1));
          return await super.get(ref, signal);
        } finally {
          inFlight--;
        }
      }
    }
    const client = new Counting([...names.map((n) => obj('v1', 'ConfigMap', n, 'web')), obj('v1', 'Secret', 's', 'web')]);
    client.failures.push({ match: 'list ConfigMap', error: errorFromStatus(403, { message: 'configmaps is forbidden' }, { verb: 'list', resource: 'configmaps', namespace: 'web' }) });
    client.failures.push({ match: 'list Secret', error: errorFromStatus(403, { message: 'secrets is forbidden' }, { verb: 'list', resource: 'secrets', namespace: 'web' }) });
    const desired = [...names.map((n) => ({ object: obj('v1', 'ConfigMap', n, 'web') })), { object: obj('v1', 'Secret', 's', 'web') }];
    const state = await fetchLiveState({ client, apps: [argoApp], desired: { [argoApp.id]: desired } });
    const gets = client.calls.filter((c) => c.verb === 'get');
    assert.equal(gets.filter((c) => c.type === 'ConfigMap').length, 50, 'at most 50 GETs per type');
    assert.equal(gets.filter((c) => c.type === 'Secret').length, 1, 'the cap is per type');
    assert.ok(maxInFlight <= 4, `at most 4 GETs at a time (saw ${maxInFlight})`);
    assert.equal(state.live.size, 51);
    const unread = state.failures.filter((f) => f.key);
    assert.equal(unread.length, 70);
    for (const f of unread) {
      assert.equal(f.error.reason, 'forbidden');
      assert.match(f.error.message, /only the first 50/);
    }
  });

  it('gives up at its deadline when a LIST never answers and names the slow step (issue 18 item 7)', async () => {
    const seen: AbortSignal[] = [];
    class Hanging extends FakeKubeClient {
      override list(type: Parameters<FakeKubeClient['list']>[0], opts: Parameters<FakeKubeClient['list']>[1] = {}): ReturnType<FakeKubeClient['list']> {
        if (type.kind !== 'ConfigMap') return super.list(type, opts);
        if (opts.signal) seen.push(opts.signal);
        return new Promise(() => undefined); // never answers, ignores the signal
      }
    }
    const client = new Hanging([obj('v1', 'Secret', 's', 'web')]);
    const started = Date.now();
    await assert.rejects(
      fetchLiveState({ client, apps: [argoApp], deadlineMs: 100, desired: { [argoApp.id]: [{ object: obj('v1', 'ConfigMap', 'a', 'web') }, { object: obj('v1', 'Secret', 's', 'web') }] } }),
      (e: GitOpsError) => {
        assert.equal(e.reason, 'timeout');
        assert.match(e.message, /fetching live state for fake took longer than 0\.1 s/);
        assert.match(e.message, /list ConfigMap in namespace web/);
        assert.doesNotMatch(e.message, /Secret/, 'finished steps are not blamed');
        return true;
      },
    );
    assert.ok(Date.now() - started < 5000);
    assert.ok(seen.length > 0 && seen.every((s) => s.aborted), 'the hanging request is told to stop');
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      fetchLiveState({ client: new FakeKubeClient([]), apps: [argoApp], desired: { [argoApp.id]: [{ object: obj('v1', 'ConfigMap', 'a', 'web') }] }, signal: ac.signal }),
      (e: GitOpsError) => e.reason === 'cancelled',
    );
  });
});

describe('kube/findResourceType', () => {
  it('prefers the asked version, falls back to the preferred one, and fails for unknown kinds', () => {
    const t = (version: string, preferred: boolean) => ({ group: 'helm.toolkit.fluxcd.io', version, kind: 'HelmRelease', resource: 'helmreleases', namespaced: true, verbs: [], preferred });
    const all = [t('v2beta2', true), t('v2beta1', false)];
    assert.equal(findResourceType(all, { group: 'helm.toolkit.fluxcd.io', version: 'v2beta1', kind: 'HelmRelease' }).version, 'v2beta1');
    assert.equal(findResourceType(all, { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease' }).version, 'v2beta2');
    assert.throws(() => findResourceType(all, { group: 'x', kind: 'Y' }), /does not serve Y/);
  });
});
