// Issue 14 item 6: a capture writes where the controller decides the value — the Argo CD Application's
// kustomize.images override, the Flux Kustomization's postBuild.substitute variable — or refuses and says where.
// Without the overrides the capture would write the rendered file: undone by the override at the next sync, or a
// `${var}` replaced by a constant.
import * as assert from 'node:assert/strict';
import { captureOverrides } from '../../../src/core/capture/controllerOverrides';
import { planCapture } from '../../../src/core/capture/planCapture';
import type { App, FieldChange, ResourceDiff } from '../../../src/core/model';
import { parseYamlDocuments } from '../../../src/core/capture/yamlEdit';

const IMAGE = 'spec.template.spec.containers[name=podinfo].image';

const files: Record<string, string> = {
  '/repo/apps/podinfo/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
spec:
  replicas: \${replicas} # substituted by Flux
  template:
    spec:
      containers:
        - name: podinfo
          image: ghcr.io/stefanprodan/podinfo:6.0.0
          env:
            - name: GREETING
              value: hello-\${env}
            - name: REGION
              value: \${region}
`,
  '/repo/argo/podinfo.yaml': `# the app, image pinned by Image Updater
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: podinfo
  namespace: argocd
spec:
  source:
    repoURL: https://example.test/repo.git
    path: apps/podinfo
    kustomize:
      images:
        - ghcr.io/stefanprodan/podinfo:6.5.0 # written by Image Updater
`,
  '/repo/flux/podinfo.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: podinfo
  namespace: flux-system
spec:
  path: ./apps/podinfo
  postBuild:
    substitute:
      replicas: "2" # two by default
    substituteFrom:
      - kind: ConfigMap
        name: cluster-vars
`,
};
const read = async (f: string) => files[f];
const def = (f: string) => parseYamlDocuments(files[f])[0].toJS();
const loc = (file: string) => ({ file, documentIndex: 0, startLine: 1, endLine: 10 });

const argoApp = (extra: Partial<App> = {}): App => ({ id: 'argo:argocd/podinfo', name: 'podinfo', kind: 'argo-application', sourceType: 'kustomize', definition: def('/repo/argo/podinfo.yaml'), definedIn: loc('/repo/argo/podinfo.yaml'), ...extra });
const fluxApp = (): App => ({ id: 'flux:flux-system/podinfo', name: 'podinfo', kind: 'flux-kustomization', sourceType: 'kustomize', definition: def('/repo/flux/podinfo.yaml'), definedIn: loc('/repo/flux/podinfo.yaml') });

const diff = (changes: FieldChange[]): ResourceDiff => ({ ref: { group: 'apps', kind: 'Deployment', namespace: 'web', name: 'podinfo' }, status: 'Modified', changes });
const plan = (app: App, changes: FieldChange[]) =>
  planCapture({ diff: diff(changes), changes, origin: { kind: 'plain', file: '/repo/apps/podinfo/deployment.yaml', documentIndex: 0, overrides: captureOverrides(app) }, readFile: read });

describe('capture into controller overrides (issue 14 item 6)', () => {
  it('an image set by the Argo CD kustomize.images override is captured into that entry, comments kept', async () => {
    const p = await plan(argoApp(), [{ path: IMAGE, category: 'modified', desired: 'ghcr.io/stefanprodan/podinfo:6.5.0', live: 'ghcr.io/stefanprodan/podinfo:6.6.1' }]);
    assert.deepEqual(p.refused, []);
    assert.deepEqual(p.edits.map((e) => e.file), ['/repo/argo/podinfo.yaml'], 'the base is not touched');
    assert.match(p.edits[0].after, /- ghcr\.io\/stefanprodan\/podinfo:6\.6\.1 # written by Image Updater/);
    assert.match(p.edits[0].after, /^# the app, image pinned by Image Updater/);
    assert.equal(p.captured[0].target, 'argo-images');
  });

  it('a renamed image keeps the override name (name=newName:tag); an image no override produces goes to the files', async () => {
    const renamed = await plan(argoApp(), [{ path: IMAGE, category: 'modified', desired: 'ghcr.io/stefanprodan/podinfo:6.5.0', live: 'mirror.test/podinfo:6.5.1' }]);
    assert.match(renamed.edits[0].after, /- ghcr\.io\/stefanprodan\/podinfo=mirror\.test\/podinfo:6\.5\.1/);
    const other = await plan(argoApp(), [{ path: 'spec.template.spec.containers[name=podinfo].image', category: 'modified', desired: 'busybox:1', live: 'busybox:2' }]);
    assert.deepEqual(other.edits.map((e) => e.file), ['/repo/apps/podinfo/deployment.yaml']);
  });

  it('an override in an ApplicationSet template is refused with where to change it', async () => {
    const p = await plan(argoApp({ appSet: 'argocd/team-apps' }), [{ path: IMAGE, category: 'modified', desired: 'ghcr.io/stefanprodan/podinfo:6.5.0', live: 'ghcr.io/stefanprodan/podinfo:6.6.1' }]);
    assert.deepEqual(p.edits, []);
    assert.match(p.refused[0].reason, /kustomize\.images override .* ApplicationSet argocd\/team-apps/);
  });

  it('a Flux ${var} value is captured into the variable of postBuild.substitute, the manifest keeps ${var}', async () => {
    const p = await plan(fluxApp(), [{ path: 'spec.replicas', category: 'modified', desired: 2, live: 4 }]);
    assert.deepEqual(p.refused, []);
    assert.deepEqual(p.edits.map((e) => e.file), ['/repo/flux/podinfo.yaml']);
    assert.match(p.edits[0].after, /replicas: "4" # two by default/);
    assert.equal(p.captured[0].target, 'substitution');
  });

  it('a variable from substituteFrom, or a value built from several, is refused naming where it is defined', async () => {
    const p = await plan(fluxApp(), [
      { path: 'spec.template.spec.containers[name=podinfo].env[name=REGION].value', category: 'modified', desired: 'eu', live: 'us' },
      { path: 'spec.template.spec.containers[name=podinfo].env[name=GREETING].value', category: 'modified', desired: 'hello-prod', live: 'hi-prod' },
    ]);
    assert.deepEqual(p.edits, []);
    assert.match(p.refused[0].reason, /\$\{region\}, defined in ConfigMap cluster-vars \(substituteFrom\)/);
    assert.match(p.refused[1].reason, /built from Flux substitution variables/);
  });
});
