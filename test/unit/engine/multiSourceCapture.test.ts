// Issue 14 item 6 for multi-source Applications, through the engine: the capture origin of an object names the
// kustomize.images override of the source that renders it (spec.sources[i]), so a captured image is written into
// that entry of the Application manifest, not into the base the override wins over.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planCapture } from '../../../src/core/capture/planCapture';
import { discoverApps } from '../../../src/core/discovery';
import { DriftEngine } from '../../../src/core/engine/driftEngine';
import type { FieldChange, ResourceDiff } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';

const URL = 'https://example.test/multi.git';
const deployment = (name: string, image: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n      containers:\n        - name: ${name}\n          image: ${image}\n`;
const APP = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
  namespace: argocd
spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: shop
  sources:
    - repoURL: ${URL}
      path: charts/api
      helm:
        releaseName: api
    - repoURL: ${URL}
      path: apps/cache
      kustomize:
        images:
          - redis:7.2 # cache pinned
    - repoURL: ${URL}
      path: apps/web
      kustomize:
        images:
          - nginx:1.27 # web pinned by Image Updater
`;

describe('engine: capture of a multi-source Application into the right source override (issue 14 item 6)', function () {
  this.timeout(60_000);
  let ws: string;
  before(() => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'gd-multisrc-'));
    for (const [dir, name, image] of [['apps/cache', 'cache', 'redis:7.0'], ['apps/web', 'web', 'nginx:1.25']]) {
      mkdirSync(path.join(ws, dir), { recursive: true });
      writeFileSync(path.join(ws, dir, 'deployment.yaml'), deployment(name, image));
      writeFileSync(path.join(ws, dir, 'kustomization.yaml'), 'resources:\n  - deployment.yaml\n');
    }
    // A chart first: the app's own source type is helm, its kustomize sources still capture into their overrides.
    mkdirSync(path.join(ws, 'charts/api/templates'), { recursive: true });
    writeFileSync(path.join(ws, 'charts/api/Chart.yaml'), 'apiVersion: v2\nname: api\nversion: 0.1.0\n');
    writeFileSync(path.join(ws, 'charts/api/templates/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\ndata:\n  a: b\n');
    mkdirSync(path.join(ws, 'argo'));
    writeFileSync(path.join(ws, 'argo/shop.yaml'), APP);
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  it("writes the web image into spec.sources[2].kustomize.images, leaving the base and the cache source's override", async () => {
    const repos = [{ root: ws, urls: [URL] }];
    const app = (await discoverApps([ws], { repos, folders: false })).find((a) => a.name === 'shop')!;
    assert.equal(app.sources?.length, 3);
    assert.equal(app.sourceType, 'helm');
    const engine = new DriftEngine({ roots: [ws], clientFor: () => { throw new Error('no cluster'); }, runner: nodeProcessRunner, trusted: true });
    const ref = { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
    const origin = await engine.captureOrigin(app, ref);
    const change: FieldChange = { path: 'spec.template.spec.containers[name=web].image', category: 'modified', desired: 'nginx:1.27', live: 'nginx:1.27.3' };
    const diff: ResourceDiff = { ref, status: 'Modified', changes: [change] };
    const plan = await planCapture({ diff, changes: [change], origin });
    assert.deepEqual(plan.refused, []);
    assert.deepEqual(plan.edits.map((e) => path.relative(ws, e.file)), ['argo/shop.yaml']);
    assert.match(plan.edits[0].after, /- nginx:1\.27\.3 # web pinned by Image Updater/);
    assert.match(plan.edits[0].after, /- redis:7\.2 # cache pinned/);
    const cm = await engine.captureOrigin(app, { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'api' });
    assert.equal(cm.kind, 'helm', "the chart's objects have a helm origin");
    assert.equal(readFileSync(path.join(ws, 'apps/web/deployment.yaml'), 'utf8'), deployment('web', 'nginx:1.25'), 'planning writes nothing');
  });
});
