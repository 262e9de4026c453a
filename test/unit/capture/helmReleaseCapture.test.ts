// Issue 14 item 2: capture into a Flux HelmRelease's values. The chart value behind a drifted field is found by
// rendering the release again with the pinned helm (one candidate value changed at a time), and written where the
// release takes it from: the HelmRelease's spec.values (comment-preserving), the chart's valuesFiles, a new
// spec.values entry over a chart default; a value from valuesFrom is refused naming the ConfigMap / Secret and key
// (never a Secret's text); a field no single value renders is explained. The written files render the live value.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverApps } from '../../../src/core/discovery';
import type { App, FieldChange, KubeObject, ResourceDiff } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';
import { helmReleaseValueLocator } from '../../../src/core/capture/helmReleaseCapture';
import { planCapture } from '../../../src/core/capture/planCapture';
import { writeFileEdits } from '../../../src/core/capture/writeFileEdits';

const URL = 'https://git.example.com/platform.git';

const TEMPLATES = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/version: {{ .Values.image.tag | quote }}
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
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          env:
            - name: LEVEL
              value: {{ .Values.level | quote }}
            - name: MODE
              value: {{ .Values.mode | upper | quote }}
            - name: TOKEN
              value: {{ .Values.token | quote }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  region: {{ .Values.region | quote }}
  debug: {{ .Values.debug | quote }}
`;

const RELEASE = `# The web release: two replicas for HA.
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: apps
spec:
  interval: 10m
  releaseName: web
  targetNamespace: shop
  chart:
    spec:
      chart: ./charts/web
      sourceRef: {kind: GitRepository, name: platform, namespace: flux-system}
  valuesFrom:
    - kind: ConfigMap
      name: web-values
    - kind: Secret
      name: web-secret
      valuesKey: token
      targetPath: token
  values:
    replicas: 2 # two for HA
    # log level of the web tier
    level: debug
`;

const PROD = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web-prod
  namespace: apps
spec:
  interval: 10m
  releaseName: web-prod
  chart:
    spec:
      chart: ./charts/web
      valuesFiles: [env/prod.yaml]
      sourceRef: {kind: GitRepository, name: platform, namespace: flux-system}
`;

function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

const ch = (p: string, desired: unknown, live: unknown): FieldChange => ({ path: p, category: 'modified', desired, live, manager: 'kubectl-edit' });
const env = (name: string) => `spec.template.spec.containers[name=web].env[name=${name}].value`;
const IMAGE = 'spec.template.spec.containers[name=web].image';

describe('capture into a Flux HelmRelease values (issue 14 item 2)', function () {
  this.timeout(60_000);
  let ws: string;
  const deps = { runner: nodeProcessRunner, trusted: true };
  before(() => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'gd-hrcap-'));
    write(ws, 'charts/web/Chart.yaml', 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
    write(ws, 'charts/web/values.yaml', '# chart defaults\nreplicas: 1\nimage:\n  repository: ghcr.io/acme/web\n  tag: "1.0.0"\nlevel: info\nmode: fast\nregion: none\ntoken: none\ndebug: false\n');
    write(ws, 'charts/web/templates/all.yaml', TEMPLATES);
    write(ws, 'env/prod.yaml', '# production values\nreplicas: 3\nimage:\n  repository: ghcr.io/acme/web\n  tag: "1.0.0"\nlevel: warn # quiet\nmode: safe\nregion: eu\ntoken: none\ndebug: false\n');
    write(ws, 'clusters/dev/source.yaml', `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: platform\n  namespace: flux-system\nspec:\n  url: ${URL}\n  ref:\n    branch: main\n`);
    write(ws, 'apps/web/release.yaml', RELEASE);
    write(ws, 'apps/web/prod.yaml', PROD);
    write(ws, 'apps/web/values.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-values\n  namespace: apps\ndata:\n  values.yaml: |\n    region: eu-west-1\n');
    write(ws, 'apps/web/secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-secret\n  namespace: apps\nstringData:\n  token: s3cr3t-TOKEN\n');
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  const appNamed = async (name: string): Promise<App> => (await discoverApps([ws], { repos: [{ root: ws, urls: [URL], branch: 'main' }] })).find((a) => a.kind === 'flux-helmrelease' && a.name === name)!;
  const rendered = async (app: App, kind: string): Promise<KubeObject> => {
    const r = await renderApp(app, deps);
    assert.deepEqual(r.errors.map((e) => e.message), []);
    return r.objects.find((o) => o.object.kind === kind)!.object;
  };
  const plan = async (app: App, kind: string, name: string, namespace: string, changes: FieldChange[]) => {
    const diff: ResourceDiff = { ref: { group: kind === 'Deployment' ? 'apps' : '', kind, namespace, name }, status: 'Modified', changes };
    return planCapture({ diff, changes, origin: { kind: 'helm', chart: app.path, valuesFiles: app.helmRelease?.valuesFiles, locate: helmReleaseValueLocator(app, deps) } });
  };

  it('writes spec.values entries and a new entry over a chart default, keeping comments; the files render the live values', async () => {
    const app = await appNamed('web');
    const before = await rendered(app, 'Deployment');
    assert.equal((before.spec as { replicas: number }).replicas, 2);
    const p = await plan(app, 'Deployment', 'web', 'shop', [ch('spec.replicas', 2, 5), ch(IMAGE, 'ghcr.io/acme/web:1.0.0', 'ghcr.io/acme/web:1.0.1'), ch(env('LEVEL'), 'debug', 'trace')]);
    assert.deepEqual(p.refused.map((r) => [r.change.path, r.reason]), []);
    assert.deepEqual(p.captured.map((c) => [c.change.path, c.target, path.relative(ws, c.file)]), [
      ['spec.replicas', 'helm-values', 'apps/web/release.yaml'],
      [IMAGE, 'helm-values', 'apps/web/release.yaml'],
      [env('LEVEL'), 'helm-values', 'apps/web/release.yaml'],
    ]);
    assert.equal(p.edits.length, 1);
    assert.equal(p.edits[0].after, RELEASE.replace('replicas: 2 # two for HA', 'replicas: 5 # two for HA').replace('level: debug', 'level: trace').concat('    image:\n      tag: 1.0.1\n'));
    assert.ok(p.explanation.some((l) => /image\.tag = "1\.0\.1".*overrides the chart default "1\.0\.0".*also sets Deployment\/web metadata\.labels\.app\.kubernetes\.io\/version/.test(l)), p.explanation.join('\n'));

    await writeFileEdits(p.edits);
    try {
      const after = (await rendered(await appNamed('web'), 'Deployment')) as KubeObject & { spec: { replicas: number; template: { spec: { containers: { image: string; env: { name: string; value: string }[] }[] } } } };
      assert.equal(after.spec.replicas, 5);
      assert.equal(after.spec.template.spec.containers[0].image, 'ghcr.io/acme/web:1.0.1');
      assert.equal(after.spec.template.spec.containers[0].env.find((e) => e.name === 'LEVEL')?.value, 'trace');
    } finally {
      writeFileSync(path.join(ws, 'apps/web/release.yaml'), RELEASE);
    }
  });

  it('refuses values from valuesFrom naming the object and key, never a Secret text; explains fields no single value renders', async () => {
    const app = await appNamed('web');
    const p = await plan(app, 'Deployment', 'web', 'shop', [ch(env('TOKEN'), 's3cr3t-TOKEN', 'other'), ch(env('MODE'), 'FAST', 'SLOW'), ch(IMAGE, 'ghcr.io/acme/web:1.0.0', 'docker.io/other/web:2.0')]);
    assert.deepEqual(p.edits, []);
    const reasons = new Map(p.refused.map((r) => [r.change.path, r.reason]));
    assert.match(reasons.get(env('TOKEN'))!, /chart value token renders it and comes from Secret apps\/web-secret key token, targetPath token \(valuesFrom\); change it there/);
    assert.match(reasons.get(env('MODE'))!, /no value of the release equals or appears in "FAST"/);
    assert.match(reasons.get(IMAGE)!, /likely `image\.repository \/ image\.tag`.*no single chart value renders the change \(tried image\.repository, image\.tag\)/);
    assert.ok(!p.explanation.join('\n').includes('s3cr3t'), 'no Secret text in the plan');
    const cm = await plan(app, 'ConfigMap', 'web-settings', 'shop', [ch('data.region', 'eu-west-1', 'us-east-1')]);
    assert.match(cm.refused[0].reason, /comes from ConfigMap apps\/web-values key values\.yaml \(valuesFrom\)/);
  });

  it('writes the chart valuesFiles that set the value; a quoted boolean stays a boolean', async () => {
    const app = await appNamed('web-prod');
    const p = await plan(app, 'Deployment', 'web-prod', 'apps', [ch(env('LEVEL'), 'warn', 'error')]);
    assert.deepEqual(p.refused.map((r) => r.reason), []);
    assert.deepEqual(p.edits.map((e) => [path.relative(ws, e.file), e.after]), [['env/prod.yaml', readFileSync(path.join(ws, 'env/prod.yaml'), 'utf8').replace('level: warn # quiet', 'level: error # quiet')]]);
    const cm = await plan(app, 'ConfigMap', 'web-prod-settings', 'apps', [ch('data.debug', 'false', 'true')]);
    assert.deepEqual(cm.refused.map((r) => r.reason), []);
    assert.match(cm.edits[0].after, /\ndebug: true\n/);
  });

  it('untrusted: helm is not run and the refusal says why', async () => {
    const app = await appNamed('web');
    const changes = [ch('spec.replicas', 2, 5)];
    const diff: ResourceDiff = { ref: { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web' }, status: 'Modified', changes };
    const p = await planCapture({ diff, changes, origin: { kind: 'helm', chart: app.path, locate: helmReleaseValueLocator(app, { runner: { run: () => Promise.reject(new Error('no process may run')) }, trusted: false }) } });
    assert.deepEqual(p.edits, []);
    assert.match(p.refused[0].reason, /helm is not run in an untrusted workspace, so the chart value behind it cannot be found/);
  });

  it('refuses when the manifest does not hold the value the cluster HelmRelease has (an overlay patched it)', async () => {
    const app = await appNamed('web');
    const live = structuredClone(app.definition!) as KubeObject & { spec: { values: Record<string, unknown> } };
    live.spec.values.replicas = 4;
    const p = await plan({ ...app, definition: live }, 'Deployment', 'web', 'shop', [ch('spec.replicas', 4, 6)]);
    assert.deepEqual(p.edits, []);
    assert.match(p.refused[0].reason, /release\.yaml sets 2 for spec\.values\.replicas where the cluster's HelmRelease apps\/web has 4/);
  });
});
