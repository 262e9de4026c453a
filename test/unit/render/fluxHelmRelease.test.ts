// Issue 14 item 2: a Flux HelmRelease is an app of its own (`flux-helmrelease`). Discovered from the workspace
// (v2 and v2beta2, chart from a GitRepository path, chartRef to a HelmChart, or a remote chart), its local chart
// rendered with the pinned helm as helm-controller installs it: release name / namespace, values over valuesFrom
// (ConfigMap and Secret, valuesKey, targetPath, optional), hooks left out, kustomize post-renderers, origin
// labels, commonMetadata.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverApps } from '../../../src/core/discovery';
import { appsForCluster } from '../../../src/core/discovery/appsForCluster';
import type { KubeObject } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';
import { helmReleaseValues, setPathValue } from '../../../src/core/render/helmReleaseValues';
import { parseManifests } from '../../../src/core/yaml/parseManifests';

const URL = 'https://git.example.com/platform.git';

const CHART = `apiVersion: v2
name: web
version: 0.1.0
`;
const TEMPLATES = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
  labels:
    app: web
data:
  level: {{ .Values.level | quote }}
  replicas: {{ .Values.replicas | quote }}
  token: {{ .Values.token | default "none" | quote }}
  region: {{ .Values.region | default "none" | quote }}
  ns: {{ .Release.Namespace }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: "ghcr.io/example/web:{{ .Values.tag }}"
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: pre-install
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: busybox}]
`;

const HR = (apiVersion: string, extra = '') => `apiVersion: ${apiVersion}
kind: HelmRelease
metadata:
  name: web
  namespace: apps
spec:
  interval: 10m
  targetNamespace: shop
  chart:
    spec:
      chart: ./charts/web
      sourceRef:
        kind: GitRepository
        name: platform
        namespace: flux-system
  values:
    replicas: 3
  valuesFrom:
    - kind: ConfigMap
      name: web-values
    - kind: Secret
      name: web-secret
      valuesKey: token
      targetPath: token
    - kind: ConfigMap
      name: not-there
      optional: true
  postRenderers:
    - kustomize:
        patches:
          - target: {kind: Deployment}
            patch: |
              - op: add
                path: /metadata/annotations
                value: {patched: "yes"}
        images:
          - name: ghcr.io/example/web
            newTag: "9.9.9"
  commonMetadata:
    labels:
      team: shop
${extra}`;

function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

describe('Flux HelmRelease apps (issue 14 item 2)', function () {
  this.timeout(60_000);
  let ws: string;
  const repos = () => [{ root: ws, urls: [URL], branch: 'main' }];
  before(() => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'gd-hr-'));
    write(ws, 'charts/web/Chart.yaml', CHART);
    write(ws, 'charts/web/values.yaml', 'level: info\nreplicas: 1\ntag: "1.0"\n');
    write(ws, 'charts/web/templates/all.yaml', TEMPLATES);
    write(ws, 'clusters/dev/source.yaml', `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: platform\n  namespace: flux-system\nspec:\n  url: ${URL}\n  ref:\n    branch: main\n`);
    write(ws, 'apps/web/release.yaml', HR('helm.toolkit.fluxcd.io/v2'));
    write(ws, 'apps/web/values.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-values\n  namespace: apps\ndata:\n  values.yaml: |\n    level: debug\n    replicas: 2\n');
    // A Secret in Git (stringData) whose value must never appear in a message.
    write(ws, 'apps/web/secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-secret\n  namespace: apps\nstringData:\n  token: s3cr3t-TOKEN\n');
    write(ws, 'apps/remote/release.yaml', `apiVersion: helm.toolkit.fluxcd.io/v2beta2\nkind: HelmRelease\nmetadata:\n  name: redis\n  namespace: data\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: redis\n      version: 17.x\n      sourceRef:\n        kind: HelmRepository\n        name: bitnami\n        namespace: flux-system\n`);
    write(ws, 'apps/patch/values.yaml', 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  values:\n    replicas: 5\n');
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  it('discovers HelmReleases as flux-helmrelease apps: local chart, remote chart, patches are no declarations', async () => {
    const apps = await discoverApps([ws], { repos: repos() });
    const hrs = apps.filter((a) => a.kind === 'flux-helmrelease');
    assert.deepEqual(hrs.map((a) => a.id).sort(), ['flux-helmrelease:apps/web', 'flux-helmrelease:data/redis']);
    const web = hrs.find((a) => a.name === 'web')!;
    assert.equal(web.path, path.join(ws, 'charts/web'));
    assert.equal(web.sourceType, 'helm');
    assert.equal(web.destinationNamespace, 'shop');
    assert.deepEqual({ ...web.helmRelease }, { releaseName: 'shop-web', releaseNamespace: 'shop', storageNamespace: 'apps', chartSource: 'GitRepository flux-system/platform ./charts/web', local: true });
    assert.equal(web.problem, undefined);
    const redis = hrs.find((a) => a.name === 'redis')!;
    assert.equal(redis.path, undefined);
    assert.equal(redis.helmRelease?.local, false);
    assert.equal(redis.helmRelease?.chartSource, 'HelmRepository flux-system/bitnami chart redis 17.x');
    assert.match(redis.problem ?? '', /not in the workspace or helm's cache: HelmRepository flux-system\/bitnami is not in the workspace, its URL is unknown here; compared with the release stored in the cluster$/);
    // The chart folder is rendered by the HelmRelease: not a folder app of its own.
    assert.ok(!apps.some((a) => a.kind === 'folder' && a.path === web.path), apps.map((a) => a.id).join(', '));
  });

  it('renders the local chart as helm-controller installs it', async () => {
    const apps = await discoverApps([ws], { repos: repos() });
    const web = apps.find((a) => a.id === 'flux-helmrelease:apps/web')!;
    const r = await renderApp(web, { runner: nodeProcessRunner, trusted: true });
    assert.deepEqual(r.errors.map((e) => e.message), []);
    const byKind = new Map(r.objects.map((o) => [o.object.kind, o.object]));
    assert.deepEqual([...byKind.keys()].sort(), ['ConfigMap', 'Deployment'], 'the pre-install hook Job is not part of the release');
    const cm = byKind.get('ConfigMap')!;
    assert.equal(cm.metadata.name, 'shop-web-settings');
    assert.equal(cm.metadata.namespace, 'shop');
    // spec.values (replicas 3) over the ConfigMap's values (debug, 2) over the chart's (info, 1); token by targetPath.
    assert.deepEqual(cm.data, { level: 'debug', replicas: '3', token: 's3cr3t-TOKEN', region: 'none', ns: 'shop' });
    assert.deepEqual(cm.metadata.labels, { app: 'web', 'helm.toolkit.fluxcd.io/name': 'web', 'helm.toolkit.fluxcd.io/namespace': 'apps', team: 'shop' });
    const deploy = byKind.get('Deployment') as KubeObject & { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } };
    assert.equal(deploy.spec.replicas, 3);
    assert.equal(deploy.spec.template.spec.containers[0].image, 'ghcr.io/example/web:9.9.9', 'post-renderer images');
    assert.deepEqual(deploy.metadata.annotations, { patched: 'yes' }, 'post-renderer patch');
  });

  it('v2beta2 with chart.spec.valuesFiles: they replace the chart values.yaml, relative to the source root', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-hr-vf-'));
    try {
      write(dir, 'charts/web/Chart.yaml', CHART);
      write(dir, 'charts/web/values.yaml', 'level: info\nreplicas: 1\ntag: "1.0"\n');
      write(dir, 'charts/web/templates/all.yaml', TEMPLATES);
      write(dir, 'env/prod.yaml', 'level: warn\nreplicas: 4\ntag: "2.0"\n');
      write(dir, 'flux/hr.yaml', `apiVersion: helm.toolkit.fluxcd.io/v2beta2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  interval: 1m\n  releaseName: web\n  chart:\n    spec:\n      chart: charts/web\n      valuesFiles: [env/prod.yaml]\n      sourceRef: {kind: GitRepository, name: platform, namespace: flux-system}\n`);
      write(dir, 'flux/src.yaml', `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: platform\n  namespace: flux-system\nspec:\n  url: ${URL}\n`);
      const apps = await discoverApps([dir], { repos: [{ root: dir, urls: [URL] }] });
      const web = apps.find((a) => a.kind === 'flux-helmrelease')!;
      assert.deepEqual(web.helmRelease?.valuesFiles, [path.join(dir, 'env/prod.yaml')]);
      const r = await renderApp(web, { runner: nodeProcessRunner, trusted: true });
      assert.deepEqual(r.errors.map((e) => e.message), []);
      const cm = r.objects.find((o) => o.object.kind === 'ConfigMap')!.object;
      assert.equal(cm.metadata.namespace, 'apps');
      assert.deepEqual(cm.data, { level: 'warn', replicas: '4', token: 'none', region: 'none', ns: 'apps' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('untrusted: helm is not run', async () => {
    const apps = await discoverApps([ws], { repos: repos() });
    const r = await renderApp(apps.find((a) => a.id === 'flux-helmrelease:apps/web')!, { runner: nodeProcessRunner, trusted: false });
    assert.equal(r.objects.length, 0);
    assert.equal(r.errors[0].reason, 'untrusted');
  });

  it('a live HelmRelease is matched to its definition and rendered with its live spec', async () => {
    const apps = await discoverApps([ws], { repos: repos() });
    const def = parseManifests(HR('helm.toolkit.fluxcd.io/v2'), 'hr').docs[0].object;
    const live = structuredClone(def);
    (live.spec as { values: Record<string, unknown> }).values = { replicas: 7 };
    const gitRepo = parseManifests(`apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: platform\n  namespace: flux-system\nspec:\n  url: ${URL}\n`, 'g').docs[0].object;
    const forCluster = appsForCluster(apps, [gitRepo, live], repos());
    const web = forCluster.filter((a) => a.name === 'web');
    assert.equal(web.length, 1);
    assert.equal(web[0].definedIn?.file, path.join(ws, 'apps/web/release.yaml'));
    const r = await renderApp(web[0], { runner: nodeProcessRunner, trusted: true });
    assert.equal((r.objects.find((o) => o.object.kind === 'ConfigMap')!.object.data as Record<string, string>).replicas, '7');
  });
});

describe('HelmRelease values (fluxcd/pkg chartutil semantics)', () => {
  const hr = (valuesFrom: unknown[], values?: unknown): KubeObject => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'x', namespace: 'ns' }, spec: { valuesFrom, values } });
  const objects: Record<string, KubeObject> = {
    'ConfigMap/a': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' }, data: { 'values.yaml': 'a: {b: 1, c: 2}\nlist: [1, 2]\n', other: 'x: 1' } },
    'Secret/s': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, data: { 'values.yaml': Buffer.from('a: {c: 3}\npassword: TOPSECRET\n').toString('base64'), bad: Buffer.from('TOPSECRET: [unclosed').toString('base64') } } as KubeObject,
  };
  const lookup = async (kind: string, _ns: string, name: string) => objects[`${kind}/${name}`];

  it('merges in order, spec.values last; optional objects and keys are skipped', async () => {
    const v = await helmReleaseValues(hr([{ kind: 'ConfigMap', name: 'a' }, { kind: 'Secret', name: 's' }, { kind: 'ConfigMap', name: 'gone', optional: true }, { kind: 'ConfigMap', name: 'a', valuesKey: 'nokey', optional: true }], { a: { d: 4 } }), lookup);
    assert.deepEqual(v.values, { a: { b: 1, c: 3, d: 4 }, list: [1, 2], password: 'TOPSECRET' });
    assert.equal(v.fromSecret, true);
  });

  it('a missing object or key fails, naming the object and key only; Secret text never in a message', async () => {
    await assert.rejects(helmReleaseValues(hr([{ kind: 'ConfigMap', name: 'gone' }]), lookup), /ConfigMap chart values reference 'ns\/gone' with key 'values.yaml': resource not found/);
    await assert.rejects(helmReleaseValues(hr([{ kind: 'Secret', name: 's', valuesKey: 'nokey' }]), lookup), /'ns\/s' with key 'nokey': key not found/);
    await assert.rejects(helmReleaseValues(hr([{ kind: 'Secret', name: 's', valuesKey: 'bad' }]), lookup), (e: Error) => /failed to read values data/.test(e.message) && !e.message.includes('TOPSECRET'));
  });

  it('targetPath sets typed values as helm --set does; quoted values stay strings', () => {
    const v: Record<string, unknown> = { keep: 1 };
    setPathValue(v, 'a.b', '42');
    setPathValue(v, 'a.c', 'true');
    setPathValue(v, 'a.d', '"42"');
    setPathValue(v, 'dotted\\.key', 'x');
    setPathValue(v, 'list[1].name', 'n');
    setPathValue(v, 'z', '0042', true);
    assert.deepEqual(v, { keep: 1, a: { b: 42, c: true, d: '42' }, 'dotted.key': 'x', list: [null, { name: 'n' }], z: '0042' });
    assert.throws(() => setPathValue(v, 'a.e', 'x,y=1'), /not supported/);
  });
});
