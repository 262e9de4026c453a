// Capture into an Argo CD helm Application's values (issue 14 items 2 and 6): the chart value behind a drifted
// field is found by rendering the app again with the pinned helm (a `--set` parameter per candidate), then written
// where repo-server takes it from: a parameter's value, the inline `values` text (comments kept), a value file, or
// (a chart default) a new parameter / valuesObject entry of this Application. The written files render the live
// values; an ApplicationSet-generated app is refused naming its template.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { App, FieldChange, KubeObject, ResourceDiff } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';
import { argoHelmValueLocator } from '../../../src/core/capture/argoHelmCapture';
import { planCapture } from '../../../src/core/capture/planCapture';
import { writeFileEdits } from '../../../src/core/capture/writeFileEdits';

const TEMPLATES = `apiVersion: apps/v1
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
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          env:
            - name: LEVEL
              value: {{ .Values.level | quote }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  region: {{ .Values.region | quote }}
`;

const APP = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  project: default
  destination: {server: https://kubernetes.default.svc, namespace: shop}
  source:
    repoURL: https://git.example.com/platform.git
    path: charts/web
    helm:
      valueFiles: [values-prod.yaml]
      # tuned for the shop
      values: |
        level: debug # verbose for now
      parameters:
        - name: replicas
          value: "2"
`;

const OBJ_APP = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: api
  namespace: argocd
spec:
  destination: {namespace: shop}
  source:
    path: charts/web
    helm:
      valuesObject:
        level: warn
`;

function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

const ch = (p: string, desired: unknown, live: unknown): FieldChange => ({ path: p, category: 'modified', desired, live, manager: 'kubectl-edit' });
const LEVEL = 'spec.template.spec.containers[name=web].env[name=LEVEL].value';
const IMAGE = 'spec.template.spec.containers[name=web].image';

describe('capture into an Argo CD helm Application (issue 14 items 2 and 6)', function () {
  this.timeout(60_000);
  let ws: string;
  const deps = { runner: nodeProcessRunner, trusted: true };
  before(() => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'gd-argohelm-'));
    write(ws, 'charts/web/Chart.yaml', 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
    write(ws, 'charts/web/values.yaml', 'replicas: 1\nimage:\n  repository: ghcr.io/acme/web\n  tag: "1.0.0"\nlevel: info\nregion: none\n');
    write(ws, 'charts/web/values-prod.yaml', '# production\nregion: eu # primary\n');
    write(ws, 'charts/web/templates/all.yaml', TEMPLATES);
    write(ws, 'apps/web.yaml', APP);
    write(ws, 'apps/api.yaml', OBJ_APP);
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  const appOf = (file: string, extra: Partial<App> = {}): App => {
    const def = parse(readFileSync(path.join(ws, file), 'utf8')) as KubeObject;
    return { id: `argo:argocd/${def.metadata.name}`, name: def.metadata.name!, kind: 'argo-application', namespace: 'argocd', sourceType: 'helm', path: path.join(ws, 'charts/web'), destinationNamespace: 'shop', definition: def, definedIn: { file: path.join(ws, file), documentIndex: 0, startLine: 1, endLine: 1 }, ...extra };
  };
  const plan = (app: App, kind: string, name: string, changes: FieldChange[]) => {
    const diff: ResourceDiff = { ref: { group: kind === 'Deployment' ? 'apps' : '', kind, namespace: 'shop', name }, status: 'Modified', changes };
    return planCapture({ diff, changes, origin: { kind: 'helm', chart: app.path, locate: argoHelmValueLocator(app, deps) } });
  };
  const rendered = async (app: App) => {
    const r = await renderApp(app, deps);
    assert.deepEqual(r.errors.map((e) => e.message), []);
    return new Map(r.objects.map((o) => [o.object.kind, o.object as KubeObject & { spec?: any; data?: any }]));
  };

  it('writes the parameter, the inline values text, a new parameter over a chart default and the value file; they render the live values', async () => {
    const app = appOf('apps/web.yaml');
    const before = await rendered(app);
    assert.equal(before.get('Deployment')!.spec.replicas, 2);
    const p = await plan(app, 'Deployment', 'web', [ch('spec.replicas', 2, 4), ch(LEVEL, 'debug', 'trace'), ch(IMAGE, 'ghcr.io/acme/web:1.0.0', 'ghcr.io/acme/web:1.1.0')]);
    const cm = await plan(app, 'ConfigMap', 'web-settings', [ch('data.region', 'eu', 'us')]);
    assert.deepEqual([...p.refused, ...cm.refused].map((r) => r.reason), []);
    const manifest = p.edits.find((e) => e.file.endsWith('web.yaml'))!;
    assert.equal(
      manifest.after,
      APP.replace('level: debug # verbose for now', 'level: trace # verbose for now').replace('value: "2"', 'value: "4"').concat('        - name: image.tag\n          value: 1.1.0\n          forceString: true\n'),
    );
    assert.equal(cm.edits[0].after, '# production\nregion: us # primary\n');
    await writeFileEdits([...p.edits, ...cm.edits]);
    const after = await rendered(appOf('apps/web.yaml'));
    const d = after.get('Deployment')!;
    assert.deepEqual([d.spec.replicas, d.spec.template.spec.containers[0].image, d.spec.template.spec.containers[0].env[0].value, after.get('ConfigMap')!.data.region], [4, 'ghcr.io/acme/web:1.1.0', 'trace', 'us']);
  });

  it('a chart default goes into valuesObject when the app has one; an ApplicationSet app is refused naming its template', async () => {
    const api = appOf('apps/api.yaml');
    const p = await plan(api, 'ConfigMap', 'api-settings', [ch('data.region', 'none', 'ap')]);
    assert.deepEqual(p.refused.map((r) => r.reason), []);
    assert.equal(p.edits[0].after, OBJ_APP.concat('        region: ap\n'));
    const generated = await plan(appOf('apps/api.yaml', { appSet: 'argocd/teams' }), 'ConfigMap', 'api-settings', [ch('data.region', 'none', 'ap')]);
    assert.deepEqual(generated.edits, []);
    assert.match(generated.refused[0].reason, /the chart value region renders it; set it in Application argocd\/api's helm valuesObject .* of the template of ApplicationSet argocd\/teams to "ap"/);
  });

  it("an override file in the chart folder that sets helm options (.argocd-source-<app>.yaml) is named in the refusal: a value written into the Application would lose to it", async () => {
    write(ws, 'charts/web/.argocd-source-api.yaml', 'helm:\n  parameters:\n    - name: replicas\n      value: "3"\n');
    try {
      const p = await plan(appOf('apps/api.yaml'), 'Deployment', 'api', [ch('spec.replicas', 3, 5)]);
      assert.deepEqual(p.edits, []);
      assert.match(p.refused.map((r) => r.reason).join('\n'), /web\/\.argocd-source-api\.yaml overrides the helm settings of api .*change the value there/);
    } finally {
      rmSync(path.join(ws, 'charts/web/.argocd-source-api.yaml'));
    }
  });
});
