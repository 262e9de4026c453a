// argocd-cm read from the cluster (issue 13 item 6): the engine GETs the live argocd-cm where the cluster's Argo CD
// Applications live, once per full refresh; 404 → the workspace's manifest; forbidden → the Argo CD apps carry an
// error naming the object (real server only: the emulator has no RBAC). Through the CLI, which runs the same engine.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/cli';
import type { JsonReport } from '../../src/cli/output';
import { DriftEngine } from '../../src/core/engine/driftEngine';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import type { KubeClient } from '../../src/core/kube/types';
import type { KubeObject } from '../../src/core/model';
import { nodeProcessRunner } from '../../src/core/ports';
import { stringify } from 'yaml';
import { parseManifests } from '../../src/core/yaml/parseManifests';
import { KubeRest } from './controllers/kube-rest';
import { startTestCluster, type TestCluster } from '../backend/testCluster';
import { memoryIo, type MemoryIo } from '../cli/memoryIo';

const CRD = path.join(__dirname, 'demo', 'crds', 'argocd-application-crd.yaml');
const REPO_URL = 'https://git.example.com/platform/argocm.git';
const NS = 'team-a';

const io = (): MemoryIo => memoryIo({ ...process.env, KUBECONFIG: '', GITOPS_DRIFT_CACHE_DIR: '' });

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const argoCm = (ignoredKey: string): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-cm', namespace: 'argocd', labels: { 'app.kubernetes.io/part-of': 'argocd' } },
    data: { 'resource.customizations.ignoreDifferences.ConfigMap': `jsonPointers:\n- /data/${ignoredKey}\n` },
  }) as unknown as KubeObject;

describe('argocd-cm read from the cluster', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let rest: KubeRest;
  let ws: string;

  const diff = async (context?: string): Promise<{ code: number; report: JsonReport; stderr: string }> => {
    const o = io();
    const code = await main(['diff', '--repo', ws, '--kubeconfig', cluster.kubeconfigPath, ...(context ? ['--context', context] : []), '-o', 'json'], o);
    return { code, report: JSON.parse(o.stdout) as JsonReport, stderr: o.stderr };
  };
  const settingsChanges = (r: JsonReport) => r.resources.find((x) => x.name === 'settings')?.changes.map((c) => c.path).sort();

  before(async () => {
    cluster = await startTestCluster();
    rest = await KubeRest.fromKubeconfig(cluster.kubeconfigPath);
    await cluster.seed(parseManifests(fs.readFileSync(CRD, 'utf8'), CRD).docs.map((d) => d.object));
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-argocm-'));
    execFileSync('git', ['init', '-q', '-b', 'main', ws]);
    execFileSync('git', ['-C', ws, 'remote', 'add', 'origin', REPO_URL]);
    write(path.join(ws, 'apps/web/settings.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ${NS}\ndata:\n  color: blue\n  size: small\n`);
    const application = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'web', namespace: 'argocd' },
      spec: { project: 'default', source: { repoURL: REPO_URL, targetRevision: 'main', path: 'apps/web' }, destination: { server: 'https://kubernetes.default.svc', namespace: NS } },
    };
    write(path.join(ws, 'argo/web.yaml'), JSON.stringify(application, null, 2) + '\n');
    await cluster.seed([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS, annotations: { 'argocd.argoproj.io/tracking-id': `web:/ConfigMap:${NS}/settings` } }, data: { color: 'red', size: 'large' } } as unknown as KubeObject,
      { ...application, status: { sync: { status: 'OutOfSync' }, health: { status: 'Healthy' } } } as unknown as KubeObject,
      argoCm('color'),
    ]);
  });
  after(async () => {
    await cluster?.stop();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  it('applies the live argocd-cm, which no app renders, to the Argo CD app', async () => {
    const { code, report } = await diff();
    assert.deepEqual(report.errors, undefined);
    assert.deepEqual(settingsChanges(report), ['data.size'], 'data.color is ignored by the live argocd-cm');
    assert.equal(code, 1);
  });

  it('reads it again on a full refresh only: a re-diff reuses it', async () => {
    const client = createKubeClient({ kubeconfig: cluster.kubeconfigPath, context: cluster.contextName });
    const gets: string[] = [];
    const counting = Object.create(client) as KubeClient;
    counting.get = (ref, signal) => {
      if (ref.kind === 'ConfigMap' && ref.name === 'argocd-cm') gets.push(`${ref.namespace}/${ref.name}`);
      return client.get(ref, signal);
    };
    const engine = new DriftEngine({ roots: [ws], clientFor: () => counting, runner: nodeProcessRunner, trusted: true });
    const changes = (s: Awaited<ReturnType<DriftEngine['compute']>>) => s.clusters[0].apps.flatMap((a) => a.resources).find((r) => r.ref.name === 'settings')?.changes.map((c) => c.path);
    assert.deepEqual(changes(await engine.compute([cluster.contextName])), ['data.size']);
    assert.deepEqual(gets, ['argocd/argocd-cm']);
    await engine.compute([cluster.contextName], { reuseLive: true });
    assert.deepEqual(gets, ['argocd/argocd-cm'], 'not read again on a re-diff');
    await cluster.seed([argoCm('size')]);
    assert.deepEqual(changes(await engine.compute([cluster.contextName])), ['data.color'], 'the new live settings on the next full refresh');
    assert.deepEqual(gets, ['argocd/argocd-cm', 'argocd/argocd-cm']);
    await cluster.seed([argoCm('color')]);
  });

  it('not found live: the workspace manifest, else no system-wide rules (and no error)', async () => {
    await rest.call('DELETE', '/api/v1/namespaces/argocd/configmaps/argocd-cm');
    const none = await diff();
    assert.deepEqual(none.report.errors, undefined);
    assert.deepEqual(settingsChanges(none.report), ['data.color', 'data.size']);
    write(path.join(ws, 'platform/argocd-cm.yaml'), stringify(argoCm('size')));
    try {
      const fromWs = await diff();
      assert.deepEqual(settingsChanges(fromWs.report), ['data.color'], "the workspace's argocd-cm ignores data.size");
    } finally {
      fs.rmSync(path.join(ws, 'platform'), { recursive: true });
      await cluster.seed([argoCm('color')]);
    }
  });

  it('forbidden: the Argo CD app carries an error naming argocd-cm, exit 2 (real server: RBAC)', async function () {
    if (cluster.backend !== 'real') {
      process.stderr.write('  argoCmLive.test.ts: the forbidden case needs RBAC: run with KUBE_BACKEND=real\n');
      this.skip();
    }
    // ns-user (team-a, team-b) may also read Applications in argocd, but not its ConfigMaps.
    await cluster.seed([
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'read-apps', namespace: 'argocd' }, rules: [{ apiGroups: ['argoproj.io'], resources: ['applications'], verbs: ['get', 'list', 'watch'] }] } as unknown as KubeObject,
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'ns-user-read-apps', namespace: 'argocd' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-apps' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ns-user' }] } as unknown as KubeObject,
    ]);
    const { code, report } = await diff(cluster.contexts!.nsUser);
    const err = report.errors?.find((e) => e.app === 'web');
    assert.ok(err, `the app carries an error: ${JSON.stringify(report.errors)}`);
    assert.equal(err.reason, 'forbidden');
    assert.match(err.message, /ConfigMap argocd\/argocd-cm/);
    assert.match(err.message, /no system-wide ignore rules/);
    assert.deepEqual(settingsChanges(report), ['data.color', 'data.size'], 'diffed without the rules it could not read, and says so');
    assert.equal(code, 2);
  });
});
