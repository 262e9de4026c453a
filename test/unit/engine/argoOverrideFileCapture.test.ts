// Capture of an image that an Argo CD parameter override file sets (`.argocd-source-<app>.yaml`, what Argo CD Image
// Updater's git write-back writes): the image is written into that file's kustomize.images entry, not into the
// Application manifest or the base, which the file wins over at the next render (repo-server merges it last).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planCapture } from '../../../src/core/capture/planCapture';
import { discoverApps } from '../../../src/core/discovery';
import { DriftEngine } from '../../../src/core/engine/driftEngine';
import type { FieldChange, ResourceDiff } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';

const URL = 'https://example.test/web.git';
const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25\n';
const APP = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: web
  source:
    repoURL: ${URL}
    path: apps/web
    kustomize:
      images:
        - nginx:1.26
`;
const OVERRIDE = '# written by argocd-image-updater\nkustomize:\n  images:\n    - nginx:1.27 # pinned by Image Updater\n';

describe('engine: capture into an Argo CD parameter override file (.argocd-source-<app>.yaml)', function () {
  this.timeout(60_000);
  let ws: string;
  before(() => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'gd-argo-override-'));
    mkdirSync(path.join(ws, 'apps/web'), { recursive: true });
    writeFileSync(path.join(ws, 'apps/web/deployment.yaml'), DEPLOYMENT);
    writeFileSync(path.join(ws, 'apps/web/kustomization.yaml'), 'resources:\n  - deployment.yaml\n');
    writeFileSync(path.join(ws, 'apps/web/.argocd-source-web.yaml'), OVERRIDE);
    mkdirSync(path.join(ws, 'argo'));
    writeFileSync(path.join(ws, 'argo/web.yaml'), APP);
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  it("renders the file's image and writes the live image into the file's entry, comments kept; nothing else changes", async () => {
    const repos = [{ root: ws, urls: [URL] }];
    const app = (await discoverApps([ws], { repos, folders: false })).find((a) => a.name === 'web')!;
    const engine = new DriftEngine({ roots: [ws], clientFor: () => { throw new Error('no cluster'); }, runner: nodeProcessRunner, trusted: true });
    const rendered = await engine.renderedObjects(app);
    const image = (rendered[0] as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0].image;
    assert.equal(image, 'nginx:1.27', 'the override file wins over the Application when rendering');
    const ref = { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'web' };
    const origin = await engine.captureOrigin(app, ref);
    const change: FieldChange = { path: 'spec.template.spec.containers[name=web].image', category: 'modified', desired: 'nginx:1.27', live: 'nginx:1.27.3' };
    const diff: ResourceDiff = { ref, status: 'Modified', changes: [change] };
    const plan = await planCapture({ diff, changes: [change], origin });
    assert.deepEqual(plan.refused, []);
    assert.deepEqual(plan.edits.map((e) => path.relative(ws, e.file)), ['apps/web/.argocd-source-web.yaml']);
    assert.equal(plan.edits[0].after, OVERRIDE.replace('nginx:1.27 #', 'nginx:1.27.3 #'));
    assert.equal(readFileSync(path.join(ws, 'argo/web.yaml'), 'utf8'), APP, 'planning writes nothing');
  });
});
