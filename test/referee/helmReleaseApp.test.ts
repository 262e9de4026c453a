// Referee (issue 14 item 2): HelmRelease apps against what the real Helm (the pinned helm) installs into the real
// kube-apiserver. helm-controller itself is not run here (fluxControllers.test.ts runs it): its install is stood in for by `helm install` with the values
// the HelmRelease resolves to (written out by hand here, not computed by our code) and, since only helm-controller's
// post-renderer adds them, its origin labels patched on by manager helm-controller.
//  1. a HelmRelease with its chart in the workspace (values + valuesFrom): our rendering of the chart is Synced
//     with every object Helm applied (no false drift from Helm's own labels, annotations or managedFields);
//  2. a HelmRelease of a remote chart: compared with the release Helm stored; Synced;
//  3. live edits (kubectl) are drift of the right app, attributed to their manager.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRealCluster, type RealCluster } from '../cluster/realCluster';
import { requireTool } from '../cluster/tools';
import { DriftEngine } from '../../src/core/engine/driftEngine';
import type { AppDrift } from '../../src/core/engine/driftTypes';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import type { KubeClient } from '../../src/core/kube/types';
import { nodeProcessRunner } from '../../src/core/ports';

const URL = 'https://git.example.com/platform/helm-apps';
const CHART = 'apiVersion: v2\nname: web\nversion: 0.3.0\nappVersion: "1.4"\n';
const TEMPLATES = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  level: {{ .Values.level | quote }}
  greeting: {{ .Values.greeting | quote }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector: {app: {{ .Release.Name }}}
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels: {app: {{ .Release.Name }}}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
        - name: web
          image: "registry.example.com/web:{{ .Values.tag }}"
          ports: [{containerPort: 8080}]
`;

describe('referee: HelmRelease apps vs what helm installs (real kube-apiserver)', function () {
  this.timeout(300_000);
  let cluster: RealCluster;
  let repo: string;
  let remoteChart: string;
  let helm: string;
  let kubectl: string;
  let client: KubeClient;

  const kube = (args: string[], input?: string) => execFileSync(kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  const helmRun = (args: string[]) => execFileSync(helm, [...args, '--kubeconfig', cluster.kubeconfigPath], { encoding: 'utf8', timeout: 120_000 });
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    fs.writeFileSync(path.join(repo, rel), text);
  };
  /** helm-controller's origin labels (its post-renderer), on every object of a release. */
  const labelAsHelmController = (ns: string, release: string, hrName: string, hrNs: string) => {
    for (const kind of ['configmap', 'service', 'deployment']) {
      const name = kind === 'configmap' ? `${release}-settings` : release;
      kube(['-n', ns, 'patch', kind, name, '--type=merge', '--field-manager=helm-controller', '-p', JSON.stringify({ metadata: { labels: { 'helm.toolkit.fluxcd.io/name': hrName, 'helm.toolkit.fluxcd.io/namespace': hrNs } } })]);
    }
  };

  before(async () => {
    helm = requireTool('helm');
    kubectl = requireTool('kubectl');
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-referee-hr-'));
    write('charts/web/Chart.yaml', CHART);
    write('charts/web/values.yaml', 'level: info\ngreeting: hello\nreplicas: 1\ntag: "1.0"\n');
    write('charts/web/templates/all.yaml', TEMPLATES);
    write('clusters/dev/source.yaml', `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: platform\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: ${URL}\n  ref:\n    branch: main\n`);
    write('clusters/dev/web-values.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-values\n  namespace: apps\ndata:\n  values.yaml: |\n    level: debug\n    replicas: 2\n');
    write('clusters/dev/web.yaml', 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  interval: 10m\n  targetNamespace: shop\n  chart:\n    spec:\n      chart: ./charts/web\n      sourceRef:\n        kind: GitRepository\n        name: platform\n        namespace: flux-system\n  valuesFrom:\n    - kind: ConfigMap\n      name: web-values\n  values:\n    greeting: hi from git\n    tag: "1.4"\n');
    write('clusters/dev/cache.yaml', 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: cache\n  namespace: apps\nspec:\n  interval: 1h\n  releaseName: cache\n  chart:\n    spec:\n      chart: web\n      version: 0.3.x\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n        namespace: flux-system\n  values:\n    level: warn\n');
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    execFileSync('git', ['-C', repo, 'remote', 'add', 'origin', URL]);
    // The remote chart lives outside the workspace (as if fetched from a Helm repository).
    remoteChart = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-referee-hr-remote-'));
    fs.cpSync(path.join(repo, 'charts/web'), remoteChart, { recursive: true });

    cluster = await startRealCluster({ crdDir: path.join(__dirname, '..', 'emulator', 'demo', 'crds'), forwardStderr: false });
    client = createKubeClient({ kubeconfig: cluster.kubeconfigPath, context: cluster.contexts.admin });
    for (const ns of ['flux-system', 'apps', 'shop']) kube(['create', 'namespace', ns]);
    kube(['apply', '-f', path.join(repo, 'clusters/dev')]);
    // What helm-controller installs: release `shop-web` (targetNamespace-name) in shop, history in apps; values =
    // chart defaults < web-values ConfigMap (debug, 2) < spec.values (greeting, tag).
    const values = path.join(remoteChart, '..', `web-values-${path.basename(remoteChart)}.yaml`);
    fs.writeFileSync(values, 'level: debug\nreplicas: 2\ngreeting: hi from git\ntag: "1.4"\n');
    helmRun(['install', 'shop-web', path.join(repo, 'charts/web'), '--namespace', 'shop', '-f', values]);
    fs.rmSync(values);
    // (helm-controller would keep this release's history in apps, its storageNamespace; the local chart is
    // rendered from the workspace, so where the stand-in's history lives does not matter.)
    labelAsHelmController('shop', 'shop-web', 'web', 'apps');
    helmRun(['install', 'cache', remoteChart, '--namespace', 'apps', '--set', 'level=warn']);
    labelAsHelmController('apps', 'cache', 'cache', 'apps');
  });
  after(async () => {
    await cluster?.stop();
    for (const d of [repo, remoteChart]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  async function apps(): Promise<Map<string, AppDrift>> {
    const engine = new DriftEngine({ roots: [repo], clientFor: () => client, runner: nodeProcessRunner, trusted: true });
    const snap = await engine.compute([cluster.contexts.admin]);
    assert.equal(snap.clusters[0].error, undefined);
    return new Map(snap.clusters[0].apps.filter((a) => a.app.kind === 'flux-helmrelease').map((a) => [a.app.name, a]));
  }
  const verdicts = (a: AppDrift) => a.resources.map((r) => `${r.ref.kind}/${r.ref.namespace}/${r.ref.name}:${r.status}`).sort();

  it('1-2. the local chart and the stored remote release are Synced with what helm applied', async () => {
    const m = await apps();
    const web = m.get('web');
    assert.ok(web, `apps: ${[...m.keys()].join(', ')}`);
    assert.deepEqual(web.errors.map((e) => e.message), []);
    assert.equal(web.app.helmRelease?.local, true);
    assert.deepEqual(verdicts(web), ['ConfigMap/shop/shop-web-settings:Synced', 'Deployment/shop/shop-web:Synced', 'Service/shop/shop-web:Synced'], JSON.stringify(web.resources.filter((r) => r.status !== 'Synced').map((r) => r.changes)));
    // Remote chart: the release stored in apps (the HelmRelease's namespace, as helm-controller stores it); the
    // problem text says where the desired state comes from.
    const cache = m.get('cache')!;
    assert.deepEqual(cache.errors.map((e) => e.message), []);
    assert.match(cache.app.problem ?? '', /HelmRepository flux-system\/charts chart web 0\.3\.x is not in the workspace or helm's cache: .*; compared with the release stored in the cluster$/);
    assert.deepEqual(verdicts(cache), ['ConfigMap/apps/cache-settings:Synced', 'Deployment/apps/cache:Synced', 'Service/apps/cache:Synced']);
  });

  it('3. live edits are drift of their app, attributed to the kubectl manager', async () => {
    kube(['-n', 'shop', 'scale', 'deployment/shop-web', '--replicas=5']);
    kube(['-n', 'apps', 'patch', 'configmap', 'cache-settings', '--type=merge', '-p', '{"data":{"level":"error"}}']);
    const m = await apps();
    const dep = m.get('web')!.resources.find((r) => r.ref.kind === 'Deployment')!;
    assert.equal(dep.status, 'Modified');
    assert.deepEqual(dep.changes.map((c) => [c.path, c.desired, c.live]), [['spec.replicas', 2, 5]]);
    assert.match(dep.changes[0].manager ?? '', /^kubectl/);
    const cm = m.get('cache')!.resources.find((r) => r.ref.kind === 'ConfigMap')!;
    assert.equal(cm.status, 'Modified');
    assert.deepEqual(cm.changes.map((c) => [c.path, c.desired, c.live, c.manager]), [['data.level', 'warn', 'error', 'kubectl-patch']]);
    assert.deepEqual(verdicts(m.get('web')!).filter((v) => !v.endsWith(':Synced')), ['Deployment/shop/shop-web:Modified']);
  });
});
