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
  '/repo/argo/podinfo-multi.yaml': `# several sources: values from one, the kustomize app from another
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: podinfo
  namespace: argocd
spec:
  sources:
    - repoURL: https://example.test/config.git
      ref: config
    - repoURL: https://example.test/repo.git
      path: apps/redis
      kustomize:
        images:
          - ghcr.io/stefanprodan/podinfo:6.4.0 # not this source's objects
    - repoURL: https://example.test/repo.git
      path: apps/podinfo
      kustomize:
        images:
          - redis:7
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
/** As appFromArgoApplication builds it: one sub-app per rendered source (the `ref` one renders nothing). */
const multiApp = (extra: Partial<App> = {}): App => {
  const d = def('/repo/argo/podinfo-multi.yaml');
  const sub = (i: number, p: string): App => {
    const source = (d.spec.sources as unknown[])[i];
    return { id: `argo:argocd/podinfo#source-${i}`, name: 'podinfo', kind: 'argo-application', sourceType: 'kustomize', path: `/repo/${p}`, definition: { ...d, spec: { source } }, definedIn: loc('/repo/argo/podinfo-multi.yaml'), ...extra };
  };
  const sources = [sub(1, 'apps/redis'), sub(2, 'apps/podinfo')];
  return { ...sources[0], id: 'argo:argocd/podinfo', definition: d, sources, ...extra };
};
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

  it("multi-source: the override of the source that renders the object is edited (spec.sources[i].kustomize.images)", async () => {
    const c: FieldChange = { path: IMAGE, category: 'modified', desired: 'ghcr.io/stefanprodan/podinfo:6.5.0', live: 'ghcr.io/stefanprodan/podinfo:6.6.1' };
    const changes = [c];
    const p = await planCapture({ diff: diff(changes), changes, origin: { kind: 'plain', file: '/repo/apps/podinfo/deployment.yaml', documentIndex: 0, overrides: captureOverrides(multiApp(), '/repo/apps/podinfo/deployment.yaml') }, readFile: read });
    assert.deepEqual(p.refused, []);
    assert.deepEqual(p.edits.map((e) => e.file), ['/repo/argo/podinfo-multi.yaml'], 'the base is not touched');
    const after = parseYamlDocuments(p.edits[0].after)[0].toJS() as { spec: { sources: { kustomize?: { images: string[] } }[] } };
    assert.deepEqual(after.spec.sources[2].kustomize!.images, ['redis:7', 'ghcr.io/stefanprodan/podinfo:6.6.1']);
    assert.deepEqual(after.spec.sources[1].kustomize!.images, ['ghcr.io/stefanprodan/podinfo:6.4.0'], "another source's override stays");
    assert.match(p.edits[0].after, /- ghcr\.io\/stefanprodan\/podinfo:6\.6\.1 # written by Image Updater/);
    // From an ApplicationSet template: refused, naming the source.
    const set = await planCapture({ diff: diff(changes), changes, origin: { kind: 'plain', file: '/repo/apps/podinfo/deployment.yaml', documentIndex: 0, overrides: captureOverrides(multiApp({ appSet: 'argocd/team-apps' }), '/repo/apps/podinfo/deployment.yaml') }, readFile: read });
    assert.deepEqual(set.edits, []);
    assert.match(set.refused[0]?.reason ?? '', /override "ghcr\.io\/stefanprodan\/podinfo:6\.5\.0" of spec\.sources\[2\] in the template of ApplicationSet argocd\/team-apps/);
    // Which source rendered the object unknown: refused, naming every source whose override sets the image.
    const unknown = await planCapture({ diff: diff(changes), changes, origin: { kind: 'plain', file: '/repo/apps/podinfo/deployment.yaml', documentIndex: 0, overrides: captureOverrides(multiApp()) }, readFile: read });
    assert.deepEqual(unknown.edits, []);
    assert.match(unknown.refused[0]?.reason ?? '', /spec\.sources\[1\].*spec\.sources\[2\]|spec\.sources\[2\].*spec\.sources\[1\]/);
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
