// ApplicationSet clusters generator against the test cluster (issue 14 item 5; KUBE_BACKEND: the emulator, or the
// real kube-apiserver): the engine lists the Argo CD cluster Secrets (a real Secret with credentials in `config`),
// expands the workspace's set with them, and diffs the generated Application the cluster runs. The Secret's
// credentials never appear in any output. Through the CLI, which runs the same engine.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/cli';
import type { JsonReport } from '../../src/cli/output';
import type { KubeObject } from '../../src/core/model';
import { parseManifests } from '../../src/core/yaml/parseManifests';
import { startTestCluster, type TestCluster } from '../backend/testCluster';
import { memoryIo, type MemoryIo } from '../cli/memoryIo';

const CRDS = ['argocd-application-crd.yaml', 'argocd-applicationset-crd.yaml'].map((f) => path.join(__dirname, 'demo', 'crds', f));
const REPO_URL = 'https://git.example.com/platform/appset-clusters.git';
const TOKEN = 'kube-bearer-token-that-must-never-be-shown-3f9a';
const b64 = (s: string) => Buffer.from(s).toString('base64');

const io = (): MemoryIo => memoryIo({ ...process.env, KUBECONFIG: '', GITOPS_DRIFT_CACHE_DIR: '' });

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const clusterSecret = (name: string, env: string, server: string): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'cluster', env } },
    type: 'Opaque',
    data: { name: b64(name), server: b64(server), config: b64(JSON.stringify({ bearerToken: TOKEN, tlsClientConfig: { insecure: false } })) },
  }) as unknown as KubeObject;

describe('ApplicationSet clusters generator on the test cluster', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let ws: string;

  const run = async (cmd: 'diff' | 'apps', context?: string): Promise<{ code: number; out: string; err: string }> => {
    const o = io();
    const code = await main([cmd, '--repo', ws, '--kubeconfig', cluster.kubeconfigPath, ...(context ? ['--context', context] : []), '-o', 'json'], o);
    return { code, out: o.stdout, err: o.stderr };
  };

  before(async () => {
    cluster = await startTestCluster();
    await cluster.seed(CRDS.flatMap((f) => parseManifests(fs.readFileSync(f, 'utf8'), f).docs.map((d) => d.object)));
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-appset-clusters-'));
    execFileSync('git', ['init', '-q', '-b', 'main', ws]);
    execFileSync('git', ['-C', ws, 'remote', 'add', 'origin', REPO_URL]);
    write(path.join(ws, 'apps/web/settings.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n');
    // The in-cluster registered with a Secret (as `argocd cluster add` or a declarative setup does), labelled prod.
    write(
      path.join(ws, 'argo/web-set.yaml'),
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: ApplicationSet',
        'metadata:',
        '  name: web',
        '  namespace: argocd',
        'spec:',
        '  goTemplate: true',
        '  goTemplateOptions: ["missingkey=error"]',
        '  generators:',
        '  - clusters:',
        '      selector:',
        '        matchLabels:',
        '          env: prod',
        '      values:',
        "        namespace: 'web-{{ .metadata.labels.env }}'",
        '  template:',
        '    metadata:',
        "      name: 'web-{{ .nameNormalized }}'",
        '    spec:',
        '      project: default',
        '      source:',
        `        repoURL: ${REPO_URL}`,
        '        targetRevision: main',
        '        path: apps/web',
        '      destination:',
        "        server: '{{ .server }}'",
        "        namespace: '{{ .values.namespace }}'",
        '',
      ].join('\n'),
    );
    const generated = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'web-local-prod', namespace: 'argocd' },
      spec: { project: 'default', source: { repoURL: REPO_URL, targetRevision: 'main', path: 'apps/web' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'web-prod' } },
      status: { sync: { status: 'OutOfSync' }, health: { status: 'Healthy' } },
    };
    await cluster.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } } as unknown as KubeObject,
      clusterSecret('local-prod', 'prod', 'https://kubernetes.default.svc'),
      clusterSecret('edge-staging', 'staging', 'https://edge.example.com'),
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'web', namespace: 'argocd' }, spec: { generators: [{ clusters: { selector: { matchLabels: { env: 'prod' } } } }], template: { metadata: { name: 'web-{{ .nameNormalized }}' }, spec: { project: 'default', destination: { server: '{{ .server }}' } } } } } as unknown as KubeObject,
      generated as unknown as KubeObject,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'web-prod', annotations: { 'argocd.argoproj.io/tracking-id': 'web-local-prod:/ConfigMap:web-prod/settings' } }, data: { color: 'red' } } as unknown as KubeObject,
    ]);
  });
  after(async () => {
    await cluster?.stop();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  it("expands the set with the cluster's Secret (selector, values, label parameter) and diffs the generated app", async () => {
    const { code, out, err } = await run('diff');
    const report = JSON.parse(out) as JsonReport;
    assert.deepEqual(report.errors, undefined, err);
    const settings = report.resources.find((r) => r.name === 'settings');
    assert.ok(settings, out);
    assert.equal(settings.app, 'web-local-prod');
    assert.equal(settings.namespace, 'web-prod', 'the destination namespace from the values of the generator');
    assert.deepEqual(settings.changes.map((c) => [c.path, c.desired, c.live]), [['data.color', 'blue', 'red']]);
    assert.equal(code, 1);
    assert.ok(!`${out}${err}`.includes(TOKEN) && !`${out}${err}`.includes(b64(TOKEN).slice(0, 20)), 'no credentials in the output');
  });

  it('lists the generated app of the selected cluster only (the staging Secret does not match the selector)', async () => {
    const { out, err } = await run('apps');
    const apps = (JSON.parse(out) as { apps: { name: string; problem?: string }[] }).apps;
    assert.ok(apps.some((a) => a.name === 'web-local-prod' && !a.problem), out);
    assert.ok(!apps.some((a) => a.name.startsWith('web-edge')), out);
    assert.ok(!apps.some((a) => /cluster Secrets/.test(a.problem ?? '')), `the set is expanded: ${out}`);
    assert.ok(!`${out}${err}`.includes(TOKEN));
  });

  it('forbidden to list the Secrets: the set is an error naming them, exit 2 (real server: RBAC)', async function () {
    if (cluster.backend !== 'real') {
      process.stderr.write('  appSetClusters.test.ts: the forbidden case needs RBAC: run with KUBE_BACKEND=real\n');
      this.skip();
    }
    // ns-user may read Applications and ApplicationSets in argocd, but not its Secrets.
    await cluster.seed([
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'read-argo', namespace: 'argocd' }, rules: [{ apiGroups: ['argoproj.io'], resources: ['applications', 'applicationsets'], verbs: ['get', 'list', 'watch'] }] } as unknown as KubeObject,
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'ns-user-read-argo', namespace: 'argocd' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-argo' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ns-user' }] } as unknown as KubeObject,
    ]);
    const { code, out, err } = await run('diff', cluster.contexts!.nsUser);
    const report = JSON.parse(out) as JsonReport;
    const e = report.errors?.find((x) => x.app === 'web' && x.reason === 'forbidden');
    assert.ok(e, `the set carries a forbidden error: ${out} ${err}`);
    assert.match(e.message, /^cannot list the Argo CD cluster Secrets in argocd/);
    assert.equal(code, 2);
  });

  it('the Secrets are read again on the next run: a renamed cluster generates an app the cluster does not run yet', async () => {
    const renamed = clusterSecret('local-prod', 'prod', 'https://kubernetes.default.svc') as unknown as { data: Record<string, string> };
    renamed.data.name = b64('local-prod-2');
    await cluster.seed([renamed as unknown as KubeObject]);
    try {
      const { out } = await run('apps');
      const apps = (JSON.parse(out) as { apps: { name: string; problem?: string }[] }).apps;
      assert.deepEqual(apps.find((a) => a.name === 'web-local-prod-2')?.problem, 'not in this cluster', out);
    } finally {
      await cluster.seed([clusterSecret('local-prod', 'prod', 'https://kubernetes.default.svc')]);
    }
  });
});
