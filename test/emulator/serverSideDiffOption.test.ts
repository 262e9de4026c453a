// Argo CD's Server-Side Diff opt-in (issue 13 item 6): `argocd.argoproj.io/compare-options: ServerSideDiff=true` on a
// resource or on the Application, or `controller.diff.server.side: "true"` for the instance (argocd-cmd-params-cm,
// also read from argocd-cm), gets that resource the server's dry-run verdict although the engine runs offline;
// `ServerSideDiff=false` on a resource opts out. The case: a PriorityClass whose `preemptionPolicy` Argo CD applied
// and Git no longer sets; the server defaults it to the live value again, which the offline defaults table does not
// know (scheduling.k8s.io). Offline the applier's field is removed (Modified); the server's dry run removes it and
// defaults it again (Synced), which is what Argo CD with Server-Side Diff shows. A Git field the schema does not
// declare makes the real server refuse the dry run: said on the resource.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { main } from '../../src/cli/cli';
import type { JsonReport, JsonResource } from '../../src/cli/output';
import { refOf, type KubeObject } from '../../src/core/model';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import { parseManifests } from '../../src/core/yaml/parseManifests';
import { kubeBackend, startTestCluster, type TestCluster } from '../backend/testCluster';
import { memoryIo, type MemoryIo } from '../cli/memoryIo';

const CRD = path.join(__dirname, 'demo', 'crds', 'argocd-application-crd.yaml');
const REPO_URL = 'https://git.example.com/platform/ssd.git';
const NS = 'team-a';
const SSD = 'argocd.argoproj.io/compare-options';

const io = (): MemoryIo => memoryIo({ ...process.env, KUBECONFIG: '', GITOPS_DRIFT_CACHE_DIR: '' });

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** A PriorityClass as Git declares it now (no preemptionPolicy). */
const widget = (name: string, option?: string, extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name, ...(option ? { annotations: { [SSD]: option } } : {}) }, value: 1000, ...extra }) as unknown as KubeObject;
/** As Argo CD applied it from an earlier commit that set preemptionPolicy explicitly. */
const applied = (o: KubeObject): KubeObject => ({ ...widget(o.metadata.name!), metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, 'argocd.argoproj.io/tracking-id': `web:scheduling.k8s.io/PriorityClass:/${o.metadata.name}` } }, preemptionPolicy: 'PreemptLowerPriority' }) as unknown as KubeObject;

const verdict = (r: JsonResource) => `${r.status}/${r.mode}`;

describe('compare-options ServerSideDiff=true: the server-side verdict in offline mode', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let ws: string;
  const application = (annotations?: Record<string, string>) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'web', namespace: 'argocd', ...(annotations ? { annotations } : {}) },
    spec: { project: 'default', source: { repoURL: REPO_URL, targetRevision: 'main', path: 'apps/web' }, destination: { server: 'https://kubernetes.default.svc', namespace: NS } },
    status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } },
  }) as unknown as KubeObject;
  const settings = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'argocd', labels: { 'app.kubernetes.io/part-of': 'argocd' } }, data }) as unknown as KubeObject;

  const diff = async (): Promise<{ code: number; report: JsonReport; by: (name: string) => JsonResource }> => {
    const o = io();
    const code = await main(['diff', '--repo', ws, '--kubeconfig', cluster.kubeconfigPath, '-o', 'json'], o);
    const report = JSON.parse(o.stdout) as JsonReport;
    return { code, report, by: (name) => report.resources.find((r) => r.kind === 'PriorityClass' && r.name === name)! };
  };

  before(async function () {
    if (kubeBackend() !== 'real') {
      // The emulator serves no PriorityClass and does not default: the verdicts are the real server's.
      process.stderr.write('  serverSideDiffOption.test.ts: the cluster cases need the real kube-apiserver: run with KUBE_BACKEND=real\n');
      this.skip();
    }
    cluster = await startTestCluster();
    await cluster.seed(parseManifests(fs.readFileSync(CRD, 'utf8'), CRD).docs.map((d) => d.object));
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-ssd-'));
    execFileSync('git', ['init', '-q', '-b', 'main', ws]);
    execFileSync('git', ['-C', ws, 'remote', 'add', 'origin', REPO_URL]);
    // `colour` is not in the schema: the server refuses to apply it.
    const git = [widget('plain'), widget('ssd', 'ServerSideDiff=true'), widget('opt-out', 'ServerSideDiff=false'), widget('invalid', 'ServerSideDiff=true', { colour: 'red' })];
    write(path.join(ws, 'apps/web/widgets.yaml'), git.map((o) => stringify(o)).join('---\n'));
    const app = application();
    write(path.join(ws, 'argo/web.yaml'), stringify({ ...app, status: undefined }));
    // Applied by Argo CD (server-side apply, its field manager) from an earlier commit.
    const client = createKubeClient({ kubeconfig: cluster.kubeconfigPath, context: cluster.contextName });
    for (const o of git.map(applied)) await client.patch(refOf(o), o, { type: 'apply', fieldManager: 'argocd-controller', force: true });
    await cluster.seed([app]);
  });
  after(async () => {
    await cluster?.stop();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  it('offline, the field the applier owned and Git dropped is removed', async () => {
    const { by } = await diff();
    assert.deepEqual(by('plain').changes.map((c) => [c.path, c.live]), [['preemptionPolicy', 'PreemptLowerPriority']]);
  });

  it('resource annotation: ServerSideDiff=true gets the server verdict, =false and unannotated stay offline', async () => {
    const { by, report } = await diff();
    assert.equal(verdict(by('plain')), 'Modified/offline');
    assert.equal(verdict(by('ssd')), 'Synced/server-side');
    assert.equal(verdict(by('opt-out')), 'Modified/offline');
    assert.deepEqual(report.errors, undefined);
  });

  it('a failed dry run is said on the resource, with the offline verdict', async () => {
    const { by } = await diff();
    const r = by('invalid');
    assert.equal(r.mode, 'offline');
    assert.match(r.reason ?? '', /ServerSideDiff=true.*server-side dry run failed \(.*colour.*\): offline verdict/);
  });

  it('Application annotation: every resource of the app, except the one opting out', async () => {
    await cluster.seed([application({ [SSD]: 'ServerSideDiff=true' })]);
    try {
      const { by } = await diff();
      assert.equal(verdict(by('plain')), 'Synced/server-side');
      assert.equal(verdict(by('ssd')), 'Synced/server-side');
      assert.equal(verdict(by('opt-out')), 'Modified/offline');
    } finally {
      await cluster.seed([application()]);
    }
    assert.equal(verdict((await diff()).by('plain')), 'Modified/offline', 'annotation removed: offline again');
  });

  it('instance default: controller.diff.server.side in argocd-cmd-params-cm, or in argocd-cm', async () => {
    for (const name of ['argocd-cmd-params-cm', 'argocd-cm']) {
      await cluster.seed([settings(name, { 'controller.diff.server.side': 'true' })]);
      const { by } = await diff();
      assert.equal(verdict(by('plain')), 'Synced/server-side', name);
      assert.equal(verdict(by('opt-out')), 'Modified/offline', name);
      await cluster.seed([settings(name, { 'controller.diff.server.side': 'false' })]);
      assert.equal(verdict((await diff()).by('plain')), 'Modified/offline', `${name} false`);
      await cluster.seed([settings(name, { unrelated: 'x' })]);
    }
  });
});

describe('compare-options ServerSideDiff=true on a pair of files', () => {
  it('a pair of files (no cluster to ask) says so on the resource', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-ssd-pair-'));
    try {
      write(path.join(dir, 'desired.yaml'), stringify(widget('ssd', 'ServerSideDiff=true')));
      write(path.join(dir, 'live.yaml'), stringify(widget('ssd', 'ServerSideDiff=true', { value: 2000 })));
      const o = io();
      const code = await main(['diff', '--desired', path.join(dir, 'desired.yaml'), '--live', path.join(dir, 'live.yaml'), '-o', 'json'], o);
      const r = (JSON.parse(o.stdout) as JsonReport).resources[0];
      assert.equal(verdict(r), 'Modified/offline');
      assert.match(r.reason ?? '', /ServerSideDiff=true.*needs a cluster: offline verdict/);
      assert.equal(code, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
