import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createKubeClient, retryDelayMs } from '../../../src/core/kube/http-kube-client';
import { loadKubeConfig } from '../../../src/core/kube/kube-config';
import type { WatchEvent } from '../../../src/core/kube/types';
import { GitOpsError } from '../../../src/core/model';
import { DISCOVERY, json, kubeconfigYaml, startFakeApi, type Handler, type SeenRequest } from './fake-api-server';

const cm = (name: string, rv: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'web', resourceVersion: rv } });

async function withApi(handler: Handler, fn: (api: Awaited<ReturnType<typeof startFakeApi>>) => Promise<void>): Promise<void> {
  const api = await startFakeApi(handler);
  try {
    await fn(api);
  } finally {
    await api.close();
  }
}

async function rejectsWith(p: Promise<unknown>, reason: string, re?: RegExp): Promise<GitOpsError> {
  try {
    await p;
  } catch (e) {
    assert.equal((e as GitOpsError).name, 'GitOpsError', String(e));
    assert.equal((e as GitOpsError).reason, reason, (e as Error).message);
    if (re) assert.match((e as Error).message, re);
    return e as GitOpsError;
  }
  assert.fail('expected a rejection');
}

describe('kube/http-kube-client', () => {
  it('lists with label selectors, follows continue tokens, fills apiVersion/kind and sends the bearer token', async () => {
    await withApi(
      (req, res) => {
        if (req.url.searchParams.get('continue') === 'page2') return json(res, 200, { metadata: { resourceVersion: '42' }, items: [{ metadata: { name: 'b', namespace: 'web' } }] });
        json(res, 200, { metadata: { continue: 'page2', resourceVersion: '41' }, items: [{ metadata: { name: 'a', namespace: 'web' } }] });
      },
      async (api) => {
        const client = createKubeClient({ kubeconfig: api.kubeconfigPath });
        const out = await client.list({ group: '', kind: 'ConfigMap' }, { namespace: 'web', labelSelector: 'app.kubernetes.io/instance=guestbook' });
        assert.deepEqual(out.items.map((i) => [i.apiVersion, i.kind, i.metadata.name]), [['v1', 'ConfigMap', 'a'], ['v1', 'ConfigMap', 'b']]);
        assert.equal(out.resourceVersion, '42');
        const lists = api.requests.filter((r) => r.url.pathname === '/api/v1/namespaces/web/configmaps');
        assert.equal(lists.length, 2);
        assert.equal(lists[0].url.searchParams.get('labelSelector'), 'app.kubernetes.io/instance=guestbook');
        assert.equal(lists[0].headers.authorization, 'Bearer secret-token');
        // Discovery is cached: a second call does not ask /apis again.
        await client.list({ group: 'apps', kind: 'Deployment' });
        assert.equal(api.requests.filter((r) => r.url.pathname === '/apis').length, 1);
        assert.ok(api.requests.some((r) => r.url.pathname === '/apis/apps/v1/deployments'));
      },
    );
  });

  it('comes back when the server answers 429 with Retry-After (storage initializing), like client-go, and gives up after a few', async () => {
    let busy = 2;
    await withApi(
      (_req, res) => {
        if (busy-- > 0) {
          res.setHeader('Retry-After', '0');
          return json(res, 429, { kind: 'Status', status: 'Failure', reason: 'TooManyRequests', message: 'storage is (re)initializing', code: 429 });
        }
        json(res, 200, { metadata: { resourceVersion: '7' }, items: [{ metadata: { name: 'a', namespace: 'web' } }] });
      },
      async (api) => {
        const client = createKubeClient({ kubeconfig: api.kubeconfigPath });
        const out = await client.list({ group: '', kind: 'ConfigMap' }, { namespace: 'web' });
        assert.deepEqual(out.items.map((i) => i.metadata.name), ['a']);
        assert.equal(api.requests.filter((r) => r.url.pathname === '/api/v1/namespaces/web/configmaps').length, 3);
      },
    );
    await withApi(
      (_req, res) => {
        res.setHeader('Retry-After', '0');
        json(res, 429, { kind: 'Status', status: 'Failure', reason: 'TooManyRequests', message: 'storage is (re)initializing', code: 429 });
      },
      async (api) => {
        const client = createKubeClient({ kubeconfig: api.kubeconfigPath });
        await assert.rejects(client.list({ group: '', kind: 'ConfigMap' }, { namespace: 'web' }), /storage is \(re\)initializing/);
        assert.equal(api.requests.filter((r) => r.url.pathname === '/api/v1/namespaces/web/configmaps').length, 6, 'one try and five retries');
      },
    );
  });

  it('retries wait Retry-After plus a bounded jitter from the injected random source (issue 18 item 7)', async () => {
    // Pure: never sooner than the server asked, never more than a bounded extra.
    assert.equal(retryDelayMs(2000, () => 0), 2000);
    assert.equal(retryDelayMs(2000, () => 0.5), 2000 + 0.5 * 400);
    assert.equal(retryDelayMs(0, () => 0.999), 0.999 * 100, 'Retry-After: 0 still spreads clients over 100 ms');
    assert.equal(retryDelayMs(5000, () => 1), 6000, 'the jitter is capped at one second');
    for (const base of [0, 300, 1000, 5000]) {
      for (let i = 0; i < 50; i++) {
        const d = retryDelayMs(base, Math.random);
        assert.ok(d >= base && d <= base + 1000, `${d} within [${base}, ${base + 1000}]`);
      }
    }
    // The client draws from the source it is given, once per retry, and waits at least what it drew.
    let busy = 2;
    const drawn: number[] = [];
    const at: number[] = [];
    await withApi(
      (req, res) => {
        if (req.url.pathname === '/api/v1/namespaces/web/configmaps') at.push(Date.now());
        if (busy-- > 0) {
          res.setHeader('Retry-After', '0');
          return json(res, 429, { kind: 'Status', status: 'Failure', reason: 'TooManyRequests', message: 'slow down', code: 429 });
        }
        json(res, 200, { metadata: { resourceVersion: '7' }, items: [] });
      },
      async (api) => {
        const client = createKubeClient({ kubeconfig: api.kubeconfigPath, random: () => (drawn.push(0.9), 0.9) });
        await client.list({ group: '', kind: 'ConfigMap' }, { namespace: 'web' });
        assert.equal(at.length, 3);
        assert.equal(drawn.length, 2, 'one draw per retry');
        for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= 85, `retry ${i} waited ${at[i] - at[i - 1]} ms, expected >= 90 ms of jitter`);
      },
    );
  });

  it('does not retry a 429 without Retry-After, nor a failed write', async () => {
    await withApi(
      (req, res) => {
        if (req.method === 'PATCH') {
          res.setHeader('Retry-After', '0');
          return json(res, 503, { kind: 'Status', status: 'Failure', message: 'unavailable', code: 503 });
        }
        json(res, 429, { kind: 'Status', status: 'Failure', reason: 'TooManyRequests', message: 'slow down', code: 429 });
      },
      async (api) => {
        const client = createKubeClient({ kubeconfig: api.kubeconfigPath });
        await assert.rejects(client.list({ group: '', kind: 'ConfigMap' }, { namespace: 'web' }));
        await assert.rejects(client.patch({ group: '', kind: 'ConfigMap', namespace: 'web', name: 'a' }, { data: { a: '1' } }, { type: 'merge', fieldManager: 'test' }));
        assert.equal(api.requests.filter((r) => r.url.pathname.startsWith('/api/v1/namespaces/web/configmaps')).length, 2);
      },
    );
  });

  it('discovers resource names, scope and verbs without subresources', async () => {
    await withApi(
      (_req, res) => json(res, 404, {}),
      async (api) => {
        const client = createKubeClient({ kubeconfig: api.kubeconfigPath });
        const types = await client.discover();
        const ns = types.find((t) => t.kind === 'Namespace');
        assert.deepEqual(ns && [ns.resource, ns.namespaced, ns.verbs], ['namespaces', false, ['get', 'list']]);
        assert.equal(types.filter((t) => t.kind === 'Pod').length, 0);
        await rejectsWith(client.resolve({ group: 'argoproj.io', kind: 'Application' }), 'notFound', /does not serve Application/);
      },
    );
  });

  describe('a failed API group discovery is not cached as an answer (issue 18 item 3)', () => {
    const ARGO = '/apis/argoproj.io/v1alpha1';
    const groups = DISCOVERY['/apis'];
    before(() => {
      DISCOVERY['/apis'] = { groups: [...(groups as { groups: unknown[] }).groups, { name: 'argoproj.io', versions: [{ version: 'v1alpha1' }], preferredVersion: { version: 'v1alpha1' } }] };
    });
    after(() => {
      DISCOVERY['/apis'] = groups;
    });
    const argo = { resources: [{ name: 'applications', kind: 'Application', namespaced: true, verbs: ['get', 'list'] }] };
    /** Answers the Argo group 503 (no Retry-After) while `down()` says so. */
    const flaky = (down: () => boolean): Handler => (req, res) => (req.url.pathname === ARGO && !down() ? json(res, 200, argo) : json(res, 503, { kind: 'Status', message: 'service unavailable' }));

    it('asks a group again after one transient 503', async () => {
      let failures = 1;
      await withApi(
        flaky(() => failures-- > 0),
        async (api) => {
          const client = createKubeClient({ kubeconfig: api.kubeconfigPath });
          const rt = await client.resolve({ group: 'argoproj.io', kind: 'Application' });
          assert.equal(rt.resource, 'applications');
          assert.equal(api.requests.filter((r) => r.url.pathname === ARGO).length, 2);
        },
      );
    });

    it('says discovery failed (not "not served") while the group is down, and serves its kinds once it is back, without a reload', async () => {
      let down = true;
      await withApi(
        flaky(() => down),
        async (api) => {
          const client = createKubeClient({ kubeconfig: api.kubeconfigPath, discoveryMaxAgeMs: 60_000 });
          await rejectsWith(client.resolve({ group: 'argoproj.io', kind: 'Application' }), 'unreachable', /Discovery of API group argoproj\.io failed .*cannot tell whether Application is served/);
          down = false;
          await new Promise((r) => setTimeout(r, 1100));
          assert.ok((await client.discover()).some((t) => t.kind === 'Application'), 'discover() asks the failed group again');
          assert.equal((await client.resolve({ group: 'argoproj.io', kind: 'Application' })).resource, 'applications');
          // The other groups were not discovered again.
          assert.equal(api.requests.filter((r) => r.url.pathname === '/apis/apps/v1').length, 1);
        },
      );
    });
  });

  it('maps 401/403/404/409 to typed errors naming the verb and resource', async () => {
    const statuses: Record<string, number> = { a: 401, b: 403, c: 404, d: 409, e: 422 };
    await withApi(
      (req, res) => json(res, statuses[req.url.pathname.split('/').pop() ?? ''] ?? 500, { kind: 'Status', message: 'server says no' }),
      async (api) => {
        const client = createKubeClient({ kubeconfig: api.kubeconfigPath });
        const ref = (name: string) => ({ group: '', kind: 'ConfigMap', namespace: 'web', name });
        await rejectsWith(client.get(ref('a')), 'unauthorized');
        const forbidden = await rejectsWith(client.patch(ref('b'), {}, { type: 'merge', fieldManager: 'x' }), 'forbidden', /may not patch configmaps "b" in namespace "web": server says no/);
        assert.equal(forbidden.details?.verb, 'patch');
        assert.equal(forbidden.details?.resource, 'configmaps');
        await rejectsWith(client.get(ref('c')), 'notFound');
        await rejectsWith(client.patch(ref('d'), {}, { type: 'merge', fieldManager: 'x' }), 'conflict');
        await rejectsWith(client.get(ref('e')), 'invalid');
      },
    );
  });

  it('sends each patch type with its content type, the field manager and the resourceVersion precondition', async () => {
    await withApi(
      (req, res) => json(res, 200, { ...cm('x', '8'), echo: JSON.parse(req.body) }),
      async (api) => {
        const client = createKubeClient({ kubeconfig: api.kubeconfigPath });
        const ref = { group: '', kind: 'ConfigMap', namespace: 'web', name: 'x' };
        const merged = await client.patch(ref, { data: { a: '1' } }, { type: 'merge', fieldManager: 'gitops-drift', resourceVersion: '7' });
        assert.deepEqual(merged.echo, { data: { a: '1' }, metadata: { resourceVersion: '7' } });
        await client.patch(ref, [{ op: 'add', path: '/data/b', value: '2' }], { type: 'json', fieldManager: 'gitops-drift', resourceVersion: '7' });
        await client.patch(ref, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, { type: 'apply', fieldManager: 'gitops-drift-breakglass', force: true, dryRun: true });
        const patches = api.requests.filter((r) => r.method === 'PATCH');
        assert.deepEqual(patches.map((p) => p.headers['content-type']), ['application/merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml']);
        assert.deepEqual(JSON.parse(patches[1].body)[1], { op: 'replace', path: '/metadata/resourceVersion', value: '7' });
        assert.equal(patches[0].url.searchParams.get('fieldManager'), 'gitops-drift');
        assert.equal(patches[2].url.searchParams.get('force'), 'true');
        assert.equal(patches[2].url.searchParams.get('dryRun'), 'All');
        assert.equal(patches[0].url.searchParams.get('force'), null);
      },
    );
  });

  it('reports timeouts, cancellation and a refused connection', async () => {
    await withApi(
      () => {
        /* never answers */
      },
      async (api) => {
        const slow = createKubeClient({ kubeconfig: api.kubeconfigPath, requestTimeoutMs: 200 });
        await slow.discover();
        await rejectsWith(slow.get({ group: '', kind: 'ConfigMap', namespace: 'web', name: 'x' }), 'timeout');
        const ac = new AbortController();
        const p = createKubeClient({ kubeconfig: api.kubeconfigPath }).list({ group: '', kind: 'ConfigMap' }, { signal: ac.signal });
        setTimeout(() => ac.abort(), 50);
        await rejectsWith(p, 'cancelled');
      },
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-refused-'));
    const cfg = path.join(dir, 'config');
    fs.writeFileSync(cfg, kubeconfigYaml('http://127.0.0.1:1', 'dead', 't'));
    await rejectsWith(createKubeClient({ kubeconfig: cfg }).discover(), 'unreachable', /ECONNREFUSED/);
    fs.rmSync(dir, { recursive: true });
  });

  it('keeps answering requests while many watches hold their connections open (watches do not take pooled sockets)', async () => {
    const open = new Set<string>();
    await withApi(
      (req, res) => {
        if (req.url.searchParams.get('watch') !== '1') return json(res, 200, { metadata: { resourceVersion: '5' }, items: [] });
        res.setHeader('Content-Type', 'application/json');
        res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: 'ConfigMap', metadata: { resourceVersion: '5' } } }) + '\n');
        open.add(req.url.pathname); // and never end: a quiet watch
      },
      async (api) => {
        const client = createKubeClient({ kubeconfig: api.kubeconfigPath });
        // One watch per namespace, as a user limited to namespaces gets: more than the pool's 16 sockets.
        const namespaces = Array.from({ length: 24 }, (_, i) => `team-${i}`);
        const watches = namespaces.map((namespace) => client.watch({ group: '', kind: 'ConfigMap' }, { namespace, onEvent: () => {}, onError: () => {} }));
        try {
          const deadline = Date.now() + 10_000;
          while (open.size < namespaces.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          assert.equal(open.size, namespaces.length, 'every watch is connected at once');
          const out = await client.list({ group: '', kind: 'ConfigMap' }, { namespace: 'web' });
          assert.equal(out.resourceVersion, '5');
        } finally {
          for (const w of watches) w.dispose();
        }
      },
    );
  });

  it('watch reconnects after a dropped stream and relists after 410 Gone', async () => {
    let watchCalls = 0;
    let listCalls = 0;
    await withApi(
      (req, res) => {
        if (req.url.searchParams.get('watch') !== '1') {
          listCalls++;
          return json(res, 200, { metadata: { resourceVersion: listCalls === 1 ? '10' : '20' }, items: [cm(`listed${listCalls}`, '1')] });
        }
        watchCalls++;
        res.setHeader('Content-Type', 'application/json');
        if (watchCalls === 1) {
          assert.equal(req.url.searchParams.get('resourceVersion'), '10');
          res.write(JSON.stringify({ type: 'ADDED', object: cm('first', '11') }) + '\n');
          setTimeout(() => res.destroy(), 30); // connection drops
        } else if (watchCalls === 2) {
          assert.equal(req.url.searchParams.get('resourceVersion'), '11');
          res.end(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } }) + '\n');
        } else {
          assert.equal(req.url.searchParams.get('resourceVersion'), '20');
          res.write(JSON.stringify({ type: 'MODIFIED', object: cm('after-relist', '21') }) + '\n');
        }
      },
      async (api) => {
        const client = createKubeClient({ kubeconfig: api.kubeconfigPath });
        const events: WatchEvent[] = [];
        const errors: Error[] = [];
        await new Promise<void>((resolve) => {
          const w = client.watch(
            { group: '', kind: 'ConfigMap' },
            {
              namespace: 'web',
              initialBackoffMs: 20,
              onError: (e) => errors.push(e),
              onEvent: (e) => {
                events.push(e);
                if (e.type === 'MODIFIED') {
                  w.dispose();
                  resolve();
                }
              },
            },
          );
        });
        const summary = events.map((e) => (e.type === 'SYNC' ? `SYNC:${e.items.map((i) => i.metadata.name).join(',')}` : `${e.type}:${e.object.metadata.name}`));
        assert.deepEqual(summary, ['SYNC:listed1', 'ADDED:first', 'SYNC:listed2', 'MODIFIED:after-relist']);
        assert.equal(listCalls, 2);
      },
    );
  });

  it('reopens a watch stream that went silent', async () => {
    let watchCalls = 0;
    await withApi(
      (req, res) => {
        if (req.url.searchParams.get('watch') !== '1') return json(res, 200, { metadata: { resourceVersion: '5' }, items: [] });
        watchCalls++;
        res.setHeader('Content-Type', 'application/json');
        if (watchCalls === 1) res.write(''); // headers sent, then nothing: a half-open connection
        else res.write(JSON.stringify({ type: 'ADDED', object: cm('late', '6') }) + '\n');
        res.flushHeaders();
      },
      async (api) => {
        const client = createKubeClient({ kubeconfig: api.kubeconfigPath });
        const errors: Error[] = [];
        const added = await new Promise<string>((resolve) => {
          const w = client.watch({ group: '', kind: 'ConfigMap' }, {
            idleTimeoutMs: 100,
            initialBackoffMs: 10,
            onError: (e) => errors.push(e),
            onEvent: (e) => {
              if (e.type === 'ADDED') {
                w.dispose();
                resolve(e.object.metadata.name ?? '');
              }
            },
          });
        });
        assert.equal(added, 'late');
        assert.equal(watchCalls, 2);
        assert.equal((errors[0] as GitOpsError).reason, 'timeout');
      },
    );
  });

  it('stops a watch on forbidden and tells onError it will not retry', async () => {
    await withApi(
      (_req, res) => json(res, 403, { message: 'nope' }),
      async (api) => {
        const client = createKubeClient({ kubeconfig: api.kubeconfigPath });
        const err = await new Promise<[Error, boolean]>((resolve) => {
          client.watch({ group: '', kind: 'ConfigMap' }, { onEvent: () => {}, onError: (e, retry) => resolve([e, retry]) });
        });
        assert.equal((err[0] as GitOpsError).reason, 'forbidden');
        assert.equal(err[1], false);
      },
    );
  });
});

describe('kube/kube-config', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcfg-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('merges KUBECONFIG files with the first file winning and selects a context without touching the files', () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    fs.writeFileSync(a, kubeconfigYaml('https://a.example', 'prod', 'ta'));
    fs.writeFileSync(b, kubeconfigYaml('https://b.example', 'dev', 'tb').replace('current-context: dev', 'current-context: dev'));
    const before = fs.readFileSync(a, 'utf8');
    const env = { KUBECONFIG: [a, b].join(path.delimiter), HOME: dir };
    assert.equal(loadKubeConfig({ env }).getCurrentContext(), 'prod');
    const dev = loadKubeConfig({ env, context: 'dev' });
    assert.equal(dev.getCurrentCluster()?.server, 'https://b.example');
    assert.equal(fs.readFileSync(a, 'utf8'), before);
    // --kubeconfig wins over KUBECONFIG.
    assert.equal(loadKubeConfig({ env, kubeconfig: b }).getCurrentContext(), 'dev');
    assert.throws(() => loadKubeConfig({ env, context: 'nope' }), /Context "nope" is not in the kubeconfig/);
  });

  it('falls back to ~/.kube/config', () => {
    fs.mkdirSync(path.join(dir, '.kube'));
    fs.writeFileSync(path.join(dir, '.kube', 'config'), kubeconfigYaml('https://home.example', 'home', 't'));
    assert.equal(loadKubeConfig({ env: { HOME: dir } }).getCurrentCluster()?.server, 'https://home.example');
    assert.throws(() => loadKubeConfig({ env: { HOME: path.join(dir, 'none') } }), /No kubeconfig found/);
  });
});

export type { SeenRequest };
