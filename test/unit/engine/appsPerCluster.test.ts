// Issue 16: the 50k benchmark counted 2,339 apps / 117k resources instead of 1,000 / 50k. Each cluster runs a
// third of the workspace's Applications; when a LIST of a resource type failed under load in one cluster, every
// workspace app (those of the other clusters too) was shown in it, as "unknown". An app whose Application is not
// in a cluster belongs to another cluster whatever else fails there; only its own object being unreadable keeps
// it (then nothing says where it runs).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DriftEngine } from '../../../src/core/engine/driftEngine';
import { GitOpsError, type KubeObject } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { FakeKubeClient } from '../kube/fake-kube-client';

const REPO_URL = 'https://git.example.com/fleet/gitops.git';
const APPS = ['a0', 'a1', 'b0', 'b1'];
/** a* run in cluster "east", b* in "west". */
const clusterOf = (app: string) => (app.startsWith('a') ? 'east' : 'west');

const application = (name: string): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: { project: 'default', source: { repoURL: REPO_URL, path: `apps/${name}`, targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: name } },
});
const configMap = (app: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${app}-config`, namespace: app }, data: { MODE: 'production' } });
const deployment = (app: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: app, namespace: app },
  spec: { replicas: 1, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
});
const tracked = (app: string, o: KubeObject): KubeObject => {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return { ...o, metadata: { ...o.metadata, annotations: { 'argocd.argoproj.io/tracking-id': `${app}:${group}/${o.kind}:${app}/${o.metadata.name}` } } };
};

async function world() {
  const repo = await fs.mkdtemp(path.join(os.tmpdir(), 'gd-apps-per-cluster-'));
  const { stringify } = await import('yaml');
  for (const app of APPS) {
    await fs.mkdir(path.join(repo, 'apps', app), { recursive: true });
    await fs.writeFile(path.join(repo, 'apps', app, 'objects.yaml'), [configMap(app), deployment(app)].map((o) => stringify(o)).join('---\n'));
    await fs.mkdir(path.join(repo, 'clusters', clusterOf(app)), { recursive: true });
    await fs.writeFile(path.join(repo, 'clusters', clusterOf(app), `${app}.yaml`), stringify(application(app)));
  }
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.email=t@example.test', '-c', 'user.name=t', ...a], { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', REPO_URL);
  git('add', '.');
  git('commit', '-q', '-m', 'fleet');
  const clients = new Map(
    ['east', 'west'].map((c) => {
      const mine = APPS.filter((a) => clusterOf(a) === c);
      return [c, new FakeKubeClient([...mine.map(application), ...mine.flatMap((a) => [tracked(a, configMap(a)), tracked(a, deployment(a))])])];
    }),
  );
  const engine = new DriftEngine({ roots: [repo], clientFor: (c) => clients.get(c)!, runner: nodeProcessRunner, trusted: false, diffMode: 'offline' });
  return { repo, clients, engine };
}

const argoApps = (apps: { app: { kind: string; name: string } }[]) => apps.filter((a) => a.app.kind === 'argo-application').map((a) => a.app.name).sort();

describe('engine: each Argo CD app is shown in the cluster that runs it (issue 16, 50k count)', () => {
  it('progress: the cluster that finishes first is shown while the other is still loading (never as in sync)', async () => {
    const { repo, clients, engine } = await world();
    try {
      const west = clients.get('west')!;
      const list = west.list.bind(west);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      west.list = async (...a: Parameters<typeof list>) => (await gate, list(...a));
      const seen: string[][] = [];
      const snap = await engine.compute(['east', 'west'], {
        onProgress: (partial) => {
          seen.push(partial.clusters.map((c) => `${c.context}:${c.loading ? 'loading' : argoApps(c.apps).join(',')}`));
          release();
        },
      });
      assert.deepEqual(seen, [['east:a0,a1', 'west:loading']]);
      assert.deepEqual(snap.clusters.map((c) => [c.context, c.loading, argoApps(c.apps)]), [['east', undefined, ['a0', 'a1']], ['west', undefined, ['b0', 'b1']]]);
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
    }
  });

  it('progress within one cluster: apps are shown as their renders finish (loading), then one by one as diffed', async () => {
    const { repo, clients, engine } = await world();
    try {
      // The LISTs of the apps' objects wait until the renders have been reported (the Applications are read before).
      const east = clients.get('east')!;
      const list = east.list.bind(east);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      east.list = async (...a: Parameters<typeof list>) => (!['ConfigMap', 'Deployment'].includes(a[0].kind) ? list(...a) : (await gate, list(...a)));
      const seen: string[] = [];
      const snap = await engine.compute(['east'], {
        progressIntervalMs: 0,
        progressMinApps: 0,
        onProgress: (partial) => {
          const c = partial.clusters[0];
          seen.push(`${c.loading ? 'loading' : 'done'}: ${c.apps.filter((a) => a.app.kind === 'argo-application').map((a) => `${a.app.name}${a.loading ? '…' : `(${a.resources.length})`}`).join(' ')}`);
          if (c.apps.length === 2 && c.apps.every((a) => a.loading)) release();
        },
      });
      // Each render reported as it finished (in the apps' order), then each app as it was diffed.
      assert.deepEqual(seen.filter((l) => !l.includes('(')), seen.slice(0, seen.findIndex((l) => l.includes('('))), 'placeholders come before any diff');
      assert.ok(seen.includes('loading: a0… a1…'), seen.join(' | '));
      assert.ok(seen.includes('loading: a0(2) a1…'), `a0 shown diffed while a1 is not: ${seen.join(' | ')}`);
      assert.ok(seen.every((l) => l.startsWith('loading')), 'never reported as complete before it is');
      assert.deepEqual(snap.clusters.map((c) => [c.loading, argoApps(c.apps), c.apps.some((a) => a.loading)]), [[undefined, ['a0', 'a1'], false]]);
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
    }
  });

  it('a cluster of few apps is shown complete, not app by app (default progressMinApps)', async () => {
    const { repo, engine } = await world();
    try {
      const seen: number[] = [];
      await engine.compute(['east'], { progressIntervalMs: 0, onProgress: (p) => seen.push(p.clusters[0].apps.length) });
      assert.deepEqual(seen, []);
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
    }
  });

  it('with every LIST answered, each cluster shows its own apps and the others are not deployed there', async () => {
    const { repo, engine } = await world();
    try {
      const snap = await engine.compute(['east', 'west']);
      const [east, west] = snap.clusters;
      assert.deepEqual(argoApps(east.apps), ['a0', 'a1']);
      assert.deepEqual(argoApps(west.apps), ['b0', 'b1']);
      for (const c of snap.clusters) for (const a of c.apps.filter((x) => x.app.kind === 'argo-application')) assert.equal(a.resources.filter((r) => r.status === 'Synced').length, 2, `${c.context} ${a.app.name}`);
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
    }
  });

  it('a failed LIST (server overloaded) in one cluster does not bring the other clusters\' apps into it', async () => {
    const { repo, clients, engine } = await world();
    try {
      const east = clients.get('east')!;
      // Every ConfigMap and Deployment LIST in east fails as an overloaded server answers (cluster-wide or per namespace).
      for (let i = 0; i < 20; i++) {
        east.failures.push({ match: 'list ConfigMap', error: new GitOpsError('unreachable', 'the server is currently unable to handle the request', { status: 503 }) });
        east.failures.push({ match: 'list Deployment', error: new GitOpsError('timeout', 'request timed out', { status: 504 }) });
      }
      const snap = await engine.compute(['east', 'west']);
      const [e, w] = snap.clusters;
      assert.equal(e.error, undefined);
      assert.deepEqual(argoApps(e.apps), ['a0', 'a1'], 'the west apps do not appear in east');
      assert.deepEqual(argoApps(w.apps), ['b0', 'b1']);
      // East's own apps are unknown, never "in sync" nor "missing".
      for (const a of e.apps.filter((x) => x.app.kind === 'argo-application')) {
        assert.equal(a.resources.length, 2);
        for (const r of a.resources) assert.equal(r.status, 'Unknown', `${a.app.name} ${r.ref.kind}: ${r.status}`);
      }
      assert.deepEqual((e.notDeployed ?? []).filter((a) => a.kind === 'argo-application').map((a) => a.name).sort(), ['b0', 'b1']);
      const total = snap.clusters.reduce((n, c) => n + c.apps.filter((a) => a.app.kind === 'argo-application').length, 0);
      assert.equal(total, APPS.length, 'each app counted once over the clusters');
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
    }
  });

  it('an Application created in a cluster (watch event) brings its app into that cluster on the next re-diff', async () => {
    const { repo, clients, engine } = await world();
    try {
      await engine.compute(['east', 'west']);
      const east = clients.get('east')!;
      // b0 is also deployed to east now: its objects first, then its Application (the event the watch delivers).
      for (const o of [tracked('b0', configMap('b0')), tracked('b0', deployment('b0'))]) east.put(o);
      const created = east.put(application('b0'));
      assert.equal(engine.applyLiveEvent('east', 'ADDED', created), true);
      const snap = await engine.compute(['east', 'west'], { reuseLive: true });
      const e = snap.clusters[0];
      assert.deepEqual(argoApps(e.apps), ['a0', 'a1', 'b0']);
      const b0 = e.apps.find((a) => a.app.name === 'b0')!;
      assert.deepEqual(b0.resources.map((r) => r.status), ['Synced', 'Synced']);
      assert.deepEqual((e.notDeployed ?? []).filter((a) => a.kind === 'argo-application').map((a) => a.name), ['b1']);
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
    }
  });

  it('a relist or a repeated event that brings no new version changes nothing (no re-diff); a new version or a gone object does', async () => {
    const { repo, clients, engine } = await world();
    try {
      await engine.compute(['east', 'west']);
      const east = clients.get('east')!;
      const cms = async () => (await east.list({ group: '', version: 'v1', kind: 'ConfigMap' })).items;
      // The watch's first list holds what the fetch read: nothing to re-diff.
      assert.equal(engine.resyncLive('east', { group: '', kind: 'ConfigMap' }, await cms()), false);
      const [first] = await cms();
      assert.equal(engine.applyLiveEvent('east', 'MODIFIED', first), false, 'the same resourceVersion again');
      const apps = (await east.list({ group: 'argoproj.io', version: 'v1alpha1', kind: 'Application' })).items;
      assert.equal(engine.applyLiveEvent('east', 'MODIFIED', apps[0]), false, 'an Application at the version held');
      // A new version of one object: a change.
      const edited = east.put({ ...first, data: { MODE: 'debug' } });
      assert.equal(engine.resyncLive('east', { group: '', kind: 'ConfigMap' }, await cms()), true);
      assert.equal(engine.applyLiveEvent('east', 'MODIFIED', edited), false, 'already applied by the relist');
      // An object gone from the list: a change.
      assert.equal(engine.resyncLive('east', { group: '', kind: 'ConfigMap' }, (await cms()).filter((o) => o.metadata.name !== first.metadata.name)), true);
      const snap = await engine.compute(['east', 'west'], { reuseLive: true });
      const statuses = snap.clusters[0].apps.flatMap((a) => a.resources.map((r) => `${r.ref.name}:${r.status}`));
      assert.ok(statuses.includes(`${first.metadata.name}:MissingLive`), statuses.join(' '));
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
    }
  });

  it('watch events reach exactly the apps they concern: declared objects, tracked extras (kept when the tracking goes), deletions', async () => {
    const { repo, clients, engine } = await world();
    try {
      await engine.compute(['east', 'west']);
      const east = clients.get('east')!;
      const statuses = async () => {
        const snap = await engine.compute(['east', 'west'], { reuseLive: true });
        return Object.fromEntries(snap.clusters.flatMap((c) => c.apps.filter((a) => a.app.kind === 'argo-application').map((a) => [`${c.context}/${a.app.name}`, a.resources.map((r) => `${r.ref.name}:${r.status}`).sort().join(' ')])));
      };
      const before = await statuses();
      // A declared object edited live: only a0 changes.
      const edited = east.put({ ...tracked('a0', configMap('a0')), data: { MODE: 'debug' } });
      assert.equal(engine.applyLiveEvent('east', 'MODIFIED', edited), true);
      // An object a1 tracks but Git does not declare: an extra of a1 only (a0 and the west apps unchanged).
      const stray = east.put(tracked('a1', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stray', namespace: 'a1' }, data: { x: '1' } }));
      assert.equal(engine.applyLiveEvent('east', 'ADDED', stray), true);
      // The same object in west names an app west does not run: nothing there changes.
      assert.equal(engine.applyLiveEvent('west', 'ADDED', stray), false);
      let now = await statuses();
      assert.equal(now['east/a0'], 'a0-config:Modified a0:Synced');
      assert.equal(now['east/a1'], 'a1-config:Synced a1:Synced stray:ExtraLive');
      for (const k of ['west/b0', 'west/b1']) assert.equal(now[k], before[k]);
      // Its tracking annotation removed: still held as a1's extra (as before: the prune candidate does not vanish).
      const untracked = east.put({ ...stray, metadata: { ...stray.metadata, annotations: {} } });
      assert.equal(engine.applyLiveEvent('east', 'MODIFIED', untracked), true);
      assert.equal((await statuses())['east/a1'], 'a1-config:Synced a1:Synced stray:ExtraLive');
      // Deleted: gone from a1, even without the annotation that named a1.
      assert.equal(engine.applyLiveEvent('east', 'DELETED', untracked), true);
      // A declared object deleted: a0's Deployment is missing now.
      assert.equal(engine.applyLiveEvent('east', 'DELETED', tracked('a0', deployment('a0'))), true);
      now = await statuses();
      assert.equal(now['east/a1'], 'a1-config:Synced a1:Synced');
      assert.equal(now['east/a0'], 'a0-config:Modified a0:MissingLive');
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
    }
  });

  it('an app whose own Application cannot be read in a cluster is still shown there as unreadable', async () => {
    const { repo, clients, engine } = await world();
    try {
      const east = clients.get('east')!;
      // Applications may not be listed anywhere in east (RBAC): east's apps cannot be placed, so they are shown as such.
      east.failures.push({ match: 'list Application ', error: new GitOpsError('forbidden', 'applications.argoproj.io is forbidden', { status: 403 }) });
      east.failures.push({ match: 'list Application in argocd', error: new GitOpsError('forbidden', 'applications.argoproj.io is forbidden in argocd', { status: 403 }) });
      const snap = await engine.compute(['east', 'west']);
      const e = snap.clusters[0];
      assert.deepEqual(argoApps(e.apps), ['a0', 'a1', 'b0', 'b1'], 'where an app runs is unknown: each is shown with the reason');
      for (const a of e.apps.filter((x) => x.app.kind === 'argo-application')) assert.ok(a.errors.some((x) => x.reason === 'forbidden'), a.app.name);
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
    }
  });
});
