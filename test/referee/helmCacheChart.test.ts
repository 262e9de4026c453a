// Referee (issue 14 item 2): a HelmRelease whose chart comes from a HelmRepository, rendered from helm's local
// repository cache, against what the real Helm (the pinned helm) installs from that same cached archive into the
// real kube-apiserver. helm-controller is stood in for by `helm install` of the archive with the HelmRelease's
// values written out by hand, plus its origin labels patched on by manager helm-controller.
//  1. the chart archive is in the cache (packaged and indexed by helm): the app is rendered from it (the version
//     range resolved in the cached index), not from the stored release, and every object is Synced;
//  2. a live edit is drift of the app, attributed to its manager;
//  3. without the archive the app falls back to the stored release and says where the chart would come from.
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

const REPO_URL = 'https://charts.example.com/platform';
const TEMPLATES = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
  labels:
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
data:
  level: {{ .Values.level | quote }}
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
          image: "registry.example.com/web:{{ .Chart.AppVersion }}"
`;

describe('referee: a HelmRepository chart from helm\'s cache vs what helm installs (real kube-apiserver)', function () {
  this.timeout(300_000);
  let cluster: RealCluster;
  let tmp: string;
  let repo: string;
  let cache: string;
  let helm: string;
  let kubectl: string;
  let client: KubeClient;
  const saved: Record<string, string | undefined> = {};
  const ENV = ['HELM_CACHE_HOME', 'HELM_CONFIG_HOME', 'HELM_REPOSITORY_CACHE', 'HELM_REPOSITORY_CONFIG'];

  const kube = (args: string[]) => execFileSync(kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args], { encoding: 'utf8', timeout: 60_000 });
  const helmRun = (args: string[]) => execFileSync(helm, args, { encoding: 'utf8', timeout: 120_000 });
  const write = (root: string, rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };

  before(async () => {
    helm = requireTool('helm');
    kubectl = requireTool('kubectl');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-referee-helmcache-'));
    for (const k of ENV) saved[k] = process.env[k];
    for (const k of ENV) delete process.env[k];
    process.env.HELM_CACHE_HOME = path.join(tmp, 'cache');
    process.env.HELM_CONFIG_HOME = path.join(tmp, 'config');
    cache = path.join(tmp, 'cache', 'repository');
    fs.mkdirSync(cache, { recursive: true });
    const src = path.join(tmp, 'src', 'web');
    write(src, 'values.yaml', 'level: info\nreplicas: 1\n');
    write(src, 'templates/all.yaml', TEMPLATES);
    for (const [version, app] of [['0.3.0', '1.3'], ['0.3.1', '1.4'], ['0.4.0', '2.0']]) {
      write(src, 'Chart.yaml', `apiVersion: v2\nname: web\nversion: ${version}\nappVersion: "${app}"\n`);
      helmRun(['package', src, '-d', cache]);
    }
    helmRun(['repo', 'index', cache, '--url', REPO_URL]);
    fs.renameSync(path.join(cache, 'index.yaml'), path.join(cache, 'platform-index.yaml'));
    write(path.join(tmp, 'config'), 'repositories.yaml', `apiVersion: ""\nrepositories:\n  - name: platform\n    url: ${REPO_URL}\n`);

    repo = path.join(tmp, 'repo');
    write(repo, 'clusters/dev/sources.yaml', `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: platform\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: ${REPO_URL}\n`);
    write(repo, 'clusters/dev/web.yaml', 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: web\n      version: 0.3.x\n      sourceRef:\n        kind: HelmRepository\n        name: platform\n        namespace: flux-system\n  values:\n    level: warn\n    replicas: 2\n');
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);

    cluster = await startRealCluster({ crdDir: path.join(__dirname, '..', 'emulator', 'demo', 'crds'), forwardStderr: false });
    client = createKubeClient({ kubeconfig: cluster.kubeconfigPath, context: cluster.contexts.admin });
    for (const ns of ['flux-system', 'apps']) kube(['create', 'namespace', ns]);
    kube(['apply', '-f', path.join(repo, 'clusters/dev')]);
    // What helm-controller installs for 0.3.x: the highest 0.3 release (0.3.1), the HelmRelease's values.
    const values = path.join(tmp, 'values.yaml');
    fs.writeFileSync(values, 'level: warn\nreplicas: 2\n');
    helmRun(['install', 'web', path.join(cache, 'web-0.3.1.tgz'), '--namespace', 'apps', '-f', values, '--kubeconfig', cluster.kubeconfigPath]);
    for (const [kind, name] of [['configmap', 'web-settings'], ['deployment', 'web']]) {
      kube(['-n', 'apps', 'patch', kind, name, '--type=merge', '--field-manager=helm-controller', '-p', JSON.stringify({ metadata: { labels: { 'helm.toolkit.fluxcd.io/name': 'web', 'helm.toolkit.fluxcd.io/namespace': 'apps' } } })]);
    }
  });
  after(async () => {
    await cluster?.stop();
    for (const k of ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function web(): Promise<AppDrift> {
    const engine = new DriftEngine({ roots: [repo], clientFor: () => client, runner: nodeProcessRunner, trusted: true });
    const snap = await engine.compute([cluster.contexts.admin]);
    assert.equal(snap.clusters[0].error, undefined);
    const a = snap.clusters[0].apps.find((x) => x.app.kind === 'flux-helmrelease' && x.app.name === 'web');
    assert.ok(a, snap.clusters[0].apps.map((x) => x.app.id).join(', '));
    return a;
  }
  const verdicts = (a: AppDrift) => a.resources.map((r) => `${r.ref.kind}/${r.ref.name}:${r.status}`).sort();

  it('1-2. rendered from the cached archive the index resolves 0.3.x to: Synced; a live edit is its drift', async () => {
    const a = await web();
    assert.deepEqual(a.errors.map((e) => e.message), []);
    assert.equal(a.app.helmRelease?.local, true);
    assert.equal(a.app.path, path.join(cache, 'web-0.3.1.tgz'));
    assert.equal(a.app.helmRelease?.chartSource, 'HelmRepository flux-system/platform chart web 0.3.x → 0.3.1 from platform-index.yaml (helm cache)');
    assert.deepEqual(verdicts(a), ['ConfigMap/web-settings:Synced', 'Deployment/web:Synced'], JSON.stringify(a.resources.filter((r) => r.status !== 'Synced').map((r) => r.changes)));
    kube(['-n', 'apps', 'scale', 'deployment/web', '--replicas=3']);
    const edited = (await web()).resources.find((r) => r.ref.kind === 'Deployment')!;
    assert.equal(edited.status, 'Modified');
    assert.deepEqual(edited.changes.map((c) => [c.path, c.desired, c.live]), [['spec.replicas', 2, 3]]);
    assert.match(edited.changes[0].manager ?? '', /^kubectl/);
    kube(['-n', 'apps', 'scale', 'deployment/web', '--replicas=2']);
  });

  it('3. without the archive: the stored release, and where the chart would come from', async () => {
    const archive = path.join(cache, 'web-0.3.1.tgz');
    fs.renameSync(archive, `${archive}.away`);
    try {
      const a = await web();
      assert.equal(a.app.helmRelease?.local, false);
      assert.match(a.app.problem ?? '', /resolves to 0\.3\.1 in platform-index\.yaml, but web-0\.3\.1\.tgz is not in helm's cache .*; compared with the release stored in the cluster$/);
      assert.deepEqual(a.errors.map((e) => e.message), []);
      assert.deepEqual(verdicts(a), ['ConfigMap/web-settings:Synced', 'Deployment/web:Synced']);
    } finally {
      fs.renameSync(`${archive}.away`, archive);
    }
  });
});
