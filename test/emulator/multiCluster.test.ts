// Hub-and-spoke Argo CD: the Application lives in one cluster and deploys to another. The engine reads the app's
// objects from the destination cluster's kubeconfig context, and says so when no context points at it.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { main } from '../../src/cli/cli';
import type { JsonReport } from '../../src/cli/output';
import type { KubeObject } from '../../src/core/model';
import { startEmulator, type Emulator } from './emulator';
import { writeKubeconfig } from './kubeconfigFile';
import { memoryIo, type MemoryIo } from '../cli/memoryIo';

const REPO_URL = 'https://git.example.com/platform/fleet.git';
const crdFile = path.resolve(__dirname, './demo/crds/argocd-application-crd.yaml');

const io = (): MemoryIo => memoryIo({ ...process.env, KUBECONFIG: '' });

const application = (name: string, server: string): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: { project: 'default', source: { repoURL: REPO_URL, path: `apps/${name}`, targetRevision: 'main' }, destination: { server, namespace: name } },
});

describe('Argo CD apps deployed to another cluster (hub and spoke)', function () {
  this.timeout(60_000);
  let hub: Emulator;
  let spoke: Emulator;
  let kubeconfig: string;
  let repo: string;

  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-hub-spoke-'));
    hub = await startEmulator({ name: 'hub', kubeconfigPath: path.join(dir, 'hub.kubeconfig') });
    spoke = await startEmulator({ name: 'spoke', kubeconfigPath: path.join(dir, 'spoke.kubeconfig') });
    kubeconfig = path.join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfig, [hub.kubeconfigEntry(), spoke.kubeconfigEntry()], hub.contextName);

    repo = path.join(dir, 'repo');
    const web: KubeObject[] = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: 'web' }, data: { MODE: 'production' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } },
    ];
    fs.mkdirSync(path.join(repo, 'apps', 'web'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'apps', 'edge'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'argocd'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'apps', 'web', 'web.yaml'), web.map((o) => stringify(o)).join('---\n'));
    fs.writeFileSync(path.join(repo, 'apps', 'edge', 'cm.yaml'), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'edge', namespace: 'edge' }, data: { a: 'b' } }));
    const apps = [application('web', spoke.server), application('edge', 'https://edge.example.invalid:6443')];
    fs.writeFileSync(path.join(repo, 'argocd', 'apps.yaml'), apps.map((o) => stringify(o)).join('---\n'));
    const git = (...a: string[]) => execFileSync('git', ['-c', 'user.email=t@example.test', '-c', 'user.name=t', ...a], { cwd: repo, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', REPO_URL);
    git('add', '.');
    git('commit', '-q', '-m', 'fleet');

    // The hub runs Argo CD: the Applications live there.
    hub.seed(parseAllDocuments(fs.readFileSync(crdFile, 'utf8')).map((d) => d.toJSON() as KubeObject));
    hub.seed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } }, ...apps]);
    // The spoke holds what Argo CD applied there, then someone scales it by hand.
    spoke.seed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } }]);
    const ctx = (manager: string) => ({ manager, dryRun: false, fieldValidation: 'Ignore' as const, warnings: [], now: new Date(), force: true });
    for (const o of web) {
      const t = spoke.types.byKind(o.apiVersion, o.kind)!;
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
      const body = { ...o, metadata: { ...o.metadata, annotations: { 'argocd.argoproj.io/tracking-id': `web:${group}/${o.kind}:web/${o.metadata.name}` } } };
      spoke.ops.patch(t, 'web', o.metadata.name!, 'apply', JSON.stringify(body), ctx('argocd-controller'));
    }
    spoke.ops.patch(spoke.types.byKind('apps/v1', 'Deployment')!, 'web', 'web', 'strategic', JSON.stringify({ spec: { replicas: 5 } }), ctx('kubectl-edit'));
  });

  after(async () => {
    await hub?.stop();
    await spoke?.stop();
  });

  it('reads the app from its destination cluster and attributes the hand edit there', async () => {
    const o = io();
    await main(['diff', '--repo', repo, '--kubeconfig', kubeconfig, '-o', 'json'], o);
    const report = JSON.parse(o.stdout) as JsonReport;
    const dep = report.resources.find((r) => r.kind === 'Deployment' && r.name === 'web')!;
    assert.equal(dep.status, 'Modified', o.stderr);
    assert.equal(dep.context, hub.contextName, 'shown under the cluster that runs Argo CD');
    const replicas = dep.changes.find((c) => c.path === 'spec.replicas')!;
    assert.deepEqual([replicas.desired, replicas.live, replicas.manager], [2, 5, 'kubectl-edit']);
    assert.equal(report.resources.find((r) => r.kind === 'ConfigMap' && r.name === 'web-config')?.status, 'Synced');
  });

  it('says when no kubeconfig context points at the destination, instead of calling everything missing', async () => {
    const o = io();
    assert.equal(await main(['diff', '--repo', repo, '--kubeconfig', kubeconfig, '-o', 'json'], o), 2, 'an app that could not be compared is an error, even with drift elsewhere');
    const report = JSON.parse(o.stdout) as JsonReport;
    const edge = report.resources.find((r) => r.kind === 'ConfigMap' && r.name === 'edge')!;
    assert.equal(edge.status, 'Unknown');
    assert.match(edge.reason ?? '', /edge\.example\.invalid.*no kubeconfig context/);
    assert.ok(report.errors?.some((e) => e.app === 'edge'));
  });
});
