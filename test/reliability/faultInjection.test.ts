// Issue 18 item 19: API faults injected by a loopback proxy (faultProxy.ts) in front of the cluster — the emulator,
// or the real kube-apiserver with KUBE_BACKEND=real (npm run test:reliability runs both) — for the CLI's `diff`,
// `apps`, `capture`, the controls (pause / resume / sync) and the DriftEngine refresh the extension runs, plus the
// watches behind its live updates. Each case asserts the exit code and message, that the app the fault does not
// touch is still reported, and that the run ends within a deadline the test sets (a hang fails with a message).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { DriftEngine } from '../../src/core/engine/driftEngine';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import type { WatchEvent } from '../../src/core/kube/types';
import { nodeProcessRunner } from '../../src/core/ports';
import { startFaultProxy, type FaultProxy, type FaultRule } from './faultProxy';
import { gitState } from './gitState';
import { cli, createRepo, kubectlEdit, startWorld, tempDir, type CliRun, type World } from './world';

const API_CM = /^\/api\/v1\/namespaces\/rel-api\/configmaps$/;
const WEB_DEPLOY = /^\/apis\/apps\/v1\/namespaces\/rel-web\/deployments$/;
const APP_PATH = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/argocd\/applications\/web$/;

interface JsonDiff {
  resources: { kind: string; name: string; app?: string; status: string }[];
  summary: { modified: number; unknown: number };
  errors?: { app?: string; reason: string; message: string }[];
}

/** Fails with a message, not a mocha timeout, when `p` has not settled by `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`HANG: ${what} did not finish within ${ms / 1000} s`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe(`reliability: API fault injection through a proxy (issue 18 item 19, ${process.env.KUBE_BACKEND ?? 'emulator'})`, function () {
  this.timeout(300_000);
  let world: World;
  let proxy: FaultProxy;
  let kubeconfig: string;
  let repo: string;
  const dirs: string[] = [];

  before(async () => {
    world = await startWorld();
    proxy = await startFaultProxy(world.kubeconfigPath);
    kubeconfig = proxy.kubeconfig();
    repo = createRepo(tempDir('rel-faults-'));
    dirs.push(repo);
  });
  after(async () => {
    await proxy?.close();
    await world?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  beforeEach(() => proxy.setRules([]));

  const diff = (kc = kubeconfig, deadlineMs = 60_000): Promise<CliRun> => cli(['diff', '--repo', repo, '--kubeconfig', kc, '-o', 'json'], { deadlineMs });
  const apps = (kc = kubeconfig): Promise<CliRun> => cli(['apps', '--repo', repo, '--kubeconfig', kc, '-o', 'json'], { deadlineMs: 60_000 });
  const parsed = (r: CliRun): JsonDiff => {
    try {
      return JSON.parse(r.stdout) as JsonDiff;
    } catch {
      throw new Error(`no JSON report (exit ${r.code}): ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`);
    }
  };
  const status = (d: JsonDiff, kind: string, name: string): string | undefined => d.resources.find((r) => r.kind === kind && r.name === name)?.status;
  /** The web app's kubectl edit is still found: the fault did not take the other app's results with it. */
  const webStillReported = (d: JsonDiff): void => assert.equal(status(d, 'Deployment', 'web'), 'Modified', JSON.stringify(d.resources));

  interface ReadCase {
    name: string;
    rules: FaultRule[];
    /** diff: exit code, then what must hold of the report. */
    diffCode: number;
    check(d: JsonDiff, r: CliRun): void;
    /** apps: exit code and a message in stderr/JSON errors. */
    appsCode: number;
    appsMessage?: RegExp;
  }

  const readCases: ReadCase[] = [
    {
      name: 'no fault (the proxy itself changes nothing)',
      rules: [],
      diffCode: 1,
      check: (d) => {
        webStillReported(d);
        assert.equal(status(d, 'ConfigMap', 'api-config'), 'Synced');
        assert.equal(d.errors, undefined);
      },
      appsCode: 0,
    },
    {
      name: 'latency (150 ms on every request)',
      rules: [{ action: { kind: 'latency', ms: 150 } }],
      diffCode: 1,
      check: (d) => {
        webStillReported(d);
        assert.equal(d.errors, undefined);
      },
      appsCode: 0,
    },
    {
      name: '503 on one namespace LIST: that app is an error (never "in sync"), the other app is still reported',
      rules: [{ path: API_CM, action: { kind: 'status', code: 503 } }],
      diffCode: 2,
      check: (d) => {
        webStillReported(d);
        assert.equal(status(d, 'ConfigMap', 'api-config'), 'Unknown');
        assert.ok(d.errors?.some((e) => e.app === 'api' && /ConfigMap in namespace rel-api/.test(e.message) && /503/.test(e.message)), JSON.stringify(d.errors));
      },
      appsCode: 2,
      appsMessage: /api: cannot list ConfigMap in namespace rel-api.*503/,
    },
    {
      name: '429 with Retry-After on a LIST (twice): retried after the wait, then the right answer',
      rules: [{ path: WEB_DEPLOY, times: 2, action: { kind: 'status', code: 429, retryAfterS: 1 } }],
      diffCode: 1,
      check: (d) => {
        webStillReported(d);
        assert.equal(d.errors, undefined);
        const tries = proxy.requests.filter((q) => WEB_DEPLOY.test(q.path) && !q.watch).slice(-3);
        assert.deepEqual(tries.map((q) => q.fault), ['status', 'status', undefined]);
        for (let i = 1; i < tries.length; i++) assert.ok(tries[i].at - tries[i - 1].at >= 950, `retry ${i} came after ${tries[i].at - tries[i - 1].at} ms, Retry-After said 1 s`);
      },
      appsCode: 0,
    },
    {
      name: 'connection reset in the middle of a LIST body',
      rules: [{ path: API_CM, action: { kind: 'reset' } }],
      diffCode: 2,
      check: (d) => {
        webStillReported(d);
        assert.equal(status(d, 'ConfigMap', 'api-config'), 'Unknown');
        assert.ok(d.errors?.some((e) => e.app === 'api' && /ConfigMap in namespace rel-api/.test(e.message)), JSON.stringify(d.errors));
      },
      appsCode: 2,
      appsMessage: /api: cannot list ConfigMap in namespace rel-api/,
    },
    {
      name: '410 Gone on a LIST (an expired continue token)',
      rules: [{ path: API_CM, action: { kind: 'status', code: 410 } }],
      diffCode: 2,
      check: (d) => {
        webStillReported(d);
        // A LIST's 410 is an expired continue token / resourceVersion, not a watch: the message says what was asked.
        assert.ok(d.errors?.some((e) => e.app === 'api' && /Gone: list configmaps in namespace "rel-api" expired/.test(e.message) && !/watch/.test(e.message)), JSON.stringify(d.errors));
      },
      appsCode: 2,
      appsMessage: /api: .*410/,
    },
    {
      name: '403 on one resource type in one namespace: an error for that app (objects read one by one instead)',
      rules: [{ path: API_CM, action: { kind: 'status', code: 403 } }],
      diffCode: 2,
      check: (d) => {
        webStillReported(d);
        assert.ok(d.errors?.some((e) => e.app === 'api' && e.reason === 'forbidden' && /ConfigMap/.test(e.message)), JSON.stringify(d.errors));
      },
      appsCode: 2,
      appsMessage: /api: .*Forbidden/,
    },
    {
      name: '403 on listing Argo CD Applications: every app it hides is an error, none "not in this cluster"',
      rules: [{ path: /\/applications$/, action: { kind: 'status', code: 403 } }],
      diffCode: 2,
      check: (d) => {
        webStillReported(d);
        for (const app of ['web', 'api']) assert.ok(d.errors?.some((e) => e.app === app && e.reason === 'forbidden'), `${app}: ${JSON.stringify(d.errors)}`);
      },
      appsCode: 2,
      appsMessage: /Forbidden/,
    },
    {
      name: '401 on everything: one clear error, no empty success',
      rules: [{ action: { kind: 'status', code: 401 } }],
      diffCode: 2,
      check: (d) => {
        assert.equal(d.resources.length, 0);
        assert.ok(d.errors?.some((e) => e.reason === 'unauthorized' && /Unauthorized/.test(e.message)), JSON.stringify(d.errors));
      },
      appsCode: 2,
      appsMessage: /Unauthorized/,
    },
    {
      name: 'a transient 503 on an API group discovery is retried, not taken for "CRD not installed"',
      rules: [{ path: /^\/apis\/argoproj\.io\/v1alpha1$/, times: 1, action: { kind: 'status', code: 503 } }],
      diffCode: 1,
      check: (d) => {
        webStillReported(d);
        assert.equal(d.errors, undefined, JSON.stringify(d.errors));
      },
      appsCode: 0,
    },
  ];

  for (const c of readCases) {
    it(`diff and apps: ${c.name}`, async () => {
      proxy.setRules(c.rules);
      const r = await diff();
      assert.equal(r.code, c.diffCode, `diff exit code; stderr: ${r.stderr}`);
      c.check(parsed(r), r);
      proxy.setRules(c.rules);
      const a = await apps();
      assert.equal(a.code, c.appsCode, `apps exit code; stderr: ${a.stderr}`);
      if (c.appsMessage) {
        const errors = (JSON.parse(a.stdout) as { errors?: { app?: string; context: string; message: string }[] }).errors ?? [];
        assert.match(errors.map((e) => `${e.app ?? e.context}: ${e.message}`).join('\n'), c.appsMessage);
      }
      if (c.appsCode !== 0 || c.rules.length) {
        // apps still lists the app the fault does not touch (except when the credentials are refused outright).
        const listed = (JSON.parse(a.stdout) as { apps: { name: string }[] }).apps.map((x) => x.name);
        if (!c.rules.some((x) => x.action.kind === 'status' && x.action.code === 401)) assert.ok(listed.includes('web'), listed.join(', '));
      }
    });
  }

  it('a LIST that never answers ends in a timeout error naming it; the other app is still reported (no hang)', async () => {
    proxy.setRules([{ path: API_CM, action: { kind: 'hang' } }]);
    const r = await diff(kubeconfig, 90_000);
    assert.equal(r.code, 2, r.stderr);
    const d = parsed(r);
    webStillReported(d);
    assert.ok(d.errors?.some((e) => e.app === 'api' && /configmaps|ConfigMap/.test(e.message) && /tim(e|ed) ?out/i.test(e.message)), JSON.stringify(d.errors));
  });

  it('bad CA: diff, apps and capture fail at once naming the TLS problem', async () => {
    const bad = proxy.badCaKubeconfig();
    for (const r of [await diff(bad), await apps(bad)]) {
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stdout + r.stderr, /TLS error talking to https:\/\/127\.0\.0\.1:\d+: .*certificate/i);
    }
    const c = await cli(['capture', '--repo', repo, '--kubeconfig', bad, '--resource', 'apps/Deployment/rel-web/web', '--commit'], { deadlineMs: 60_000 });
    assert.equal(c.code, 2);
    assert.match(c.stderr, /TLS error/);
  });

  it('unreachable server: diff, apps, capture and pause fail at once naming the server', async () => {
    const gone = await proxy.unreachableKubeconfig();
    const runs = [await diff(gone), await apps(gone), await cli(['capture', '--repo', repo, '--kubeconfig', gone, '--resource', 'apps/Deployment/rel-web/web', '--commit'], { deadlineMs: 60_000 }), await cli(['pause', 'web', '--kubeconfig', gone, '--yes'], { deadlineMs: 60_000 })];
    for (const r of runs) {
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stdout + r.stderr, /Cannot reach the cluster at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    }
  });

  describe('capture under faults', () => {
    const capture = (dir: string, kc = kubeconfig): Promise<CliRun> => cli(['capture', '--repo', dir, '--kubeconfig', kc, '--resource', 'apps/Deployment/rel-web/web', '--commit', '--branch', 'breakglass/faults'], { deadlineMs: 60_000 });
    const freshRepo = (): string => {
      const d = createRepo(tempDir('rel-faults-capture-'));
      dirs.push(d);
      return d;
    };

    it('a failed LIST of the other app does not stop capturing this one', async () => {
      await kubectlEdit(world.rest, 5);
      const dir = freshRepo();
      proxy.setRules([{ path: API_CM, action: { kind: 'status', code: 503 } }, { action: { kind: 'latency', ms: 50 } }]);
      const r = await capture(dir);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /committed [0-9a-f]{8} on breakglass\/faults/);
    });

    it('the captured object cannot be read (503 on its LIST): refused with a message, the repository untouched', async () => {
      const dir = freshRepo();
      const before = gitState(dir);
      proxy.setRules([{ path: WEB_DEPLOY, action: { kind: 'status', code: 503 } }]);
      const r = await capture(dir);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stdout + r.stderr, /Deployment|deployments/);
      assert.doesNotMatch(r.stdout, /committed/);
      assert.deepEqual(gitState(dir), before);
    });

    it('401: refused with the credentials message, the repository untouched', async () => {
      const dir = freshRepo();
      const before = gitState(dir);
      proxy.setRules([{ action: { kind: 'status', code: 401 } }]);
      const r = await capture(dir);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, /Unauthorized/);
      assert.deepEqual(gitState(dir), before);
    });
  });

  describe('controls (pause / resume / sync) under faults', () => {
    const automated = async (): Promise<{ enabled?: boolean } | undefined> => ((await world.rest.call('GET', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/web')) as { spec: { syncPolicy?: { automated?: { enabled?: boolean } } } }).spec.syncPolicy?.automated;
    /** Would Argo CD auto-sync web (automated set, not `enabled: false`)? */
    const autoSyncOn = async (): Promise<boolean> => {
      const a = await automated();
      return !!a && a.enabled !== false;
    };
    const control = (...args: string[]): Promise<CliRun> => cli([...args, '--kubeconfig', kubeconfig, '--yes'], { deadlineMs: 60_000 });
    let original: unknown;
    before(async () => {
      original = await automated();
    });
    afterEach(async () => {
      // Every case starts from the seeded, auto-syncing app.
      proxy.setRules([]);
      if (!(await autoSyncOn())) assert.equal((await control('resume', 'web')).code, 0);
    });

    it('latency: pause and resume work, and resume restores the automated settings exactly', async () => {
      proxy.setRules([{ action: { kind: 'latency', ms: 150 } }]);
      const p = await control('pause', 'web');
      assert.equal(p.code, 0, p.stderr);
      assert.equal(await autoSyncOn(), false);
      const r = await control('resume', 'web');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await automated(), original);
    });

    it('503 on the write: pause fails with the server message and the app keeps auto-syncing', async () => {
      proxy.setRules([{ path: APP_PATH, method: 'PATCH', action: { kind: 'status', code: 503, message: 'etcd leader changed' } }, { path: APP_PATH, method: 'PUT', action: { kind: 'status', code: 503, message: 'etcd leader changed' } }]);
      const p = await control('pause', 'web');
      assert.notEqual(p.code, 0);
      assert.match(p.stderr, /etcd leader changed/);
      assert.equal(await autoSyncOn(), true);
      assert.deepEqual(await automated(), original);
    });

    it('429 with Retry-After on the write: retried, then paused', async () => {
      proxy.setRules([{ path: APP_PATH, method: 'PATCH', times: 1, action: { kind: 'status', code: 429, retryAfterS: 1 } }]);
      const p = await control('pause', 'web');
      assert.equal(p.code, 0, p.stderr);
      assert.equal(await autoSyncOn(), false);
      assert.ok(proxy.requests.some((q) => q.fault === 'status' && q.method === 'PATCH'), 'the 429 was served');
    });

    it('403 on the Application: pause and sync are refused with the reason, nothing changes', async () => {
      proxy.setRules([{ path: APP_PATH, method: 'PATCH', action: { kind: 'status', code: 403, message: 'applications.argoproj.io "web" is forbidden: User "viewer" cannot patch' } }, { path: APP_PATH, method: 'PUT', action: { kind: 'status', code: 403 } }]);
      for (const r of [await control('pause', 'web'), await control('sync', 'web', '--no-wait')]) {
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stderr, /[Ff]orbidden/);
      }
      assert.deepEqual(await automated(), original);
      const app = (await world.rest.call('GET', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/web')) as { operation?: unknown };
      assert.equal(app.operation, undefined, 'no sync operation was written');
    });

    it('503 on the resume write: resume fails with the server message and the app stays paused, as it says', async () => {
      assert.equal((await control('pause', 'web')).code, 0);
      proxy.setRules([{ path: APP_PATH, method: 'PATCH', action: { kind: 'status', code: 503, message: 'etcd leader changed' } }]);
      const r = await control('resume', 'web');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /etcd leader changed/);
      assert.equal(await autoSyncOn(), false, 'still paused, as the error says');
    });
  });

  describe('the engine refresh the extension runs, and its watches', () => {
    const engine = (requestTimeoutMs?: number): DriftEngine =>
      new DriftEngine({ roots: [repo], clientFor: (c) => createKubeClient({ kubeconfig, context: c, requestTimeoutMs }), runner: nodeProcessRunner, trusted: true });

    it('a failed LIST (503) marks that app with an error and keeps the others', async () => {
      proxy.setRules([{ path: API_CM, action: { kind: 'status', code: 503 } }]);
      const snap = await within(engine().compute([world.context]), 60_000, 'DriftEngine.compute');
      const byName = new Map(snap.clusters[0].apps.map((a) => [a.app.name, a]));
      assert.ok(byName.get('api')?.errors.some((e) => /503/.test(e.message)), JSON.stringify(byName.get('api')?.errors));
      assert.equal(byName.get('web')?.resources.find((r) => r.ref.kind === 'Deployment')?.status, 'Modified');
      assert.equal(byName.get('web')?.errors.length, 0);
    });

    it('a LIST that never answers ends at the request deadline with an error for its app (no hang)', async () => {
      proxy.setRules([{ path: API_CM, action: { kind: 'hang' } }]);
      const snap = await within(engine(2000).compute([world.context]), 30_000, 'DriftEngine.compute with a hanging LIST');
      const api = snap.clusters[0].apps.find((a) => a.app.name === 'api');
      assert.ok(api?.errors.some((e) => e.reason === 'timeout' || /tim(e|ed) ?out/i.test(e.message)), JSON.stringify(api?.errors));
      assert.equal(snap.clusters[0].apps.find((a) => a.app.name === 'web')?.resources.find((r) => r.ref.kind === 'Deployment')?.status, 'Modified');
    });

    /** Watches ConfigMaps in rel-api through the proxy, collecting events and errors. */
    const watchConfigMaps = (): { events: WatchEvent[]; errors: Error[]; stop(): void; until(what: string, test: () => boolean, ms?: number): Promise<void> } => {
      const events: WatchEvent[] = [];
      const errors: Error[] = [];
      const client = createKubeClient({ kubeconfig, context: world.context });
      const w = client.watch({ group: '', kind: 'ConfigMap' }, { namespace: 'rel-api', onEvent: (e) => events.push(e), onError: (e) => errors.push(e), initialBackoffMs: 50, maxBackoffMs: 200 });
      return {
        events,
        errors,
        stop: () => w.dispose(),
        until: async (what, test, ms = 30_000) => {
          const end = Date.now() + ms;
          while (!test()) {
            if (Date.now() > end) throw new Error(`HANG: ${what} within ${ms / 1000} s (events: ${events.map((e) => e.type).join(',')}; errors: ${errors.map((e) => e.message).join('; ')})`);
            await new Promise((r) => setTimeout(r, 25));
          }
        },
      };
    };
    const touch = (value: string): Promise<unknown> => world.rest.call('PATCH', '/api/v1/namespaces/rel-api/configmaps/api-config', { body: { data: { touched: value } }, contentType: 'application/merge-patch+json', query: { fieldManager: 'kubectl-edit' } });
    const sawValue = (events: WatchEvent[], value: string): boolean => events.some((e) => e.type === 'MODIFIED' && (e.object as { data?: Record<string, string> }).data?.touched === value);

    it('a dropped watch reconnects and the next live change still arrives', async () => {
      proxy.setRules([{ watch: true, path: API_CM, times: 1, action: { kind: 'dropWatch', afterEvents: 1 } }]);
      const w = watchConfigMaps();
      try {
        await w.until('the first LIST', () => w.events.some((e) => e.type === 'SYNC'));
        await touch('one');
        await w.until('the change before the drop', () => sawValue(w.events, 'one'));
        await w.until('a reconnect after the drop', () => proxy.requests.filter((q) => q.watch && API_CM.test(q.path)).length >= 2);
        await touch('two');
        await w.until('the change after the drop', () => sawValue(w.events, 'two'));
      } finally {
        w.stop();
      }
    });

    it('a watch answered 410 Expired relists and goes on', async () => {
      // The first watch is dropped after one event; the watch resumed from its resourceVersion gets 410 Expired.
      proxy.setRules([
        { watch: true, path: API_CM, times: 1, action: { kind: 'dropWatch', afterEvents: 1 } },
        { watch: true, path: API_CM, times: 1, action: { kind: 'watchExpired' } },
      ]);
      const w = watchConfigMaps();
      try {
        await w.until('the first LIST', () => w.events.filter((e) => e.type === 'SYNC').length === 1);
        await w.until('the first watch', () => proxy.requests.some((q) => q.watch && API_CM.test(q.path)));
        await touch('three');
        await w.until('a relist after the 410', () => w.events.filter((e) => e.type === 'SYNC').length >= 2);
        assert.ok(proxy.requests.some((q) => q.fault === 'watchExpired'));
        await touch('four');
        await w.until('the change after the relist', () => sawValue(w.events, 'four'));
      } finally {
        w.stop();
      }
    });
  });
});

