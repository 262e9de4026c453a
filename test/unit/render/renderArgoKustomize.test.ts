// Issue 14 item 3: Argo CD `spec.source.kustomize` applied as repo-server applies it (`kustomize edit` in the app
// folder, then `kustomize build`), with the pinned kustomize; the workspace is never written.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App, KubeObject } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';
import type { RenderResult } from '../../../src/core/render/types';

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: base-
labels:
  - pairs:
      tier: web
resources:
  - deployment.yaml
images:
  - name: nginx
    newTag: "1.25"
`;
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    tier: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.0
`;
const COMPONENT = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        annotations:
          component: added
`;

describe('render/renderArgoKustomize (issue 14 item 3: spec.source.kustomize as repo-server applies it)', function () {
  this.timeout(60_000);
  let repo: string;
  let app: string;
  before(async () => {
    repo = await fs.mkdtemp(path.join(os.tmpdir(), 'gd-argo-kz-'));
    app = path.join(repo, 'apps', 'web');
    await fs.mkdir(app, { recursive: true });
    await fs.mkdir(path.join(repo, 'components', 'annotate'), { recursive: true });
    await fs.writeFile(path.join(app, 'kustomization.yaml'), KUSTOMIZATION);
    await fs.writeFile(path.join(app, 'deployment.yaml'), DEPLOYMENT);
    await fs.writeFile(path.join(repo, 'components', 'annotate', 'kustomization.yaml'), COMPONENT);
  });
  after(() => fs.rm(repo, { recursive: true, force: true }));

  const render = (kustomize: Record<string, unknown>, destinationNamespace = 'dest'): Promise<RenderResult> => {
    const a: App = {
      id: 'argo:argocd/web',
      name: 'web',
      kind: 'argo-application',
      namespace: 'argocd',
      path: app,
      repoRoot: repo,
      sourceType: 'kustomize',
      destinationNamespace,
      definition: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'web', namespace: 'argocd' }, spec: { project: 'team', source: { repoURL: 'https://example.com/r.git', path: 'apps/web', targetRevision: 'main', kustomize }, destination: { namespace: destinationNamespace } } },
    };
    return renderApp(a, { runner: nodeProcessRunner, trusted: true, kustomizePath: 'kustomize' });
  };
  const deployment = (r: RenderResult): KubeObject => {
    assert.deepEqual(r.errors.map((e) => e.message), []);
    const d = r.objects.find((o) => o.object.kind === 'Deployment');
    assert.ok(d);
    return d.object;
  };
  const spec = (d: KubeObject) => d.spec as { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: { image: string }[] } } };

  it('namePrefix and nameSuffix replace the kustomization’s own (kustomize edit set), not stack', async () => {
    const d = deployment(await render({ namePrefix: 'argo-', nameSuffix: '-x' }));
    assert.equal(d.metadata.name, 'argo-web-x');
  });

  it('images: kustomize edit set image, with the build environment expanded', async () => {
    const d = deployment(await render({ images: ['nginx=registry.example.com/$ARGOCD_APP_NAME/nginx:1.27'] }));
    assert.equal(spec(d).template.spec.containers[0].image, 'registry.example.com/web/nginx:1.27');
  });

  it('replicas: kustomize edit set replicas', async () => {
    assert.equal(spec(deployment(await render({ replicas: [{ name: 'web', count: 4 }] }))).replicas, 4);
  });

  it('commonLabels: kustomize edit add label, selectors included unless labelWithoutSelector; an existing label needs forceCommonLabels', async () => {
    const d = deployment(await render({ commonLabels: { env: 'prod' } }));
    assert.equal(d.metadata.labels?.env, 'prod');
    assert.equal(spec(d).selector.matchLabels.env, 'prod');
    const w = deployment(await render({ commonLabels: { env: 'prod' }, labelWithoutSelector: true }));
    assert.equal(spec(w).selector.matchLabels.env, undefined);
    // `labels:` (not commonLabels) holds tier, so add label does not see it as existing; a second commonLabels run would.
    const forced = deployment(await render({ commonLabels: { tier: 'api' }, forceCommonLabels: true }));
    assert.equal(forced.metadata.labels?.tier, 'api');
  });

  it('commonLabels values are always expanded with the build environment (argo-cd util/kustomize Build: envVars.Envsubst)', async () => {
    // The referee (test/referee/argo.test.ts) showed repo-server labelling with the app name where we passed the text.
    const d = deployment(await render({ commonLabels: { instance: '$ARGOCD_APP_NAME', project: '${ARGOCD_APP_PROJECT_NAME}-x' } }));
    assert.equal(d.metadata.labels?.instance, 'web');
    assert.equal(d.metadata.labels?.project, 'team-x');
  });

  it('images: `$$` is a literal dollar and an unknown variable is empty (Go os.Expand, as Env.Envsubst)', async () => {
    const d = deployment(await render({ images: ['nginx=registry.example.com/nginx:v$$1-$NOT_SET$ARGOCD_APP_NAME'] }));
    assert.equal(spec(d).template.spec.containers[0].image, 'registry.example.com/nginx:v$1-web');
  });

  it('commonAnnotations: kustomize edit add annotation, values expanded with commonAnnotationsEnvsubst', async () => {
    const d = deployment(await render({ commonAnnotations: { team: 'sre', app: '${ARGOCD_APP_NAME}' }, commonAnnotationsEnvsubst: true }));
    assert.equal(d.metadata.annotations?.team, 'sre');
    assert.equal(d.metadata.annotations?.app, 'web');
  });

  it('namespace: kustomize edit set namespace (over the destination namespace)', async () => {
    assert.equal(deployment(await render({ namespace: 'kz-ns' })).metadata.namespace, 'kz-ns');
    assert.equal(deployment(await render({ namePrefix: 'p-' })).metadata.namespace, 'dest');
  });

  it('patches are appended to the kustomization; components added, missing ones dropped with ignoreMissingComponents', async () => {
    const patches = [{ target: { kind: 'Deployment' }, patch: '- op: replace\n  path: /spec/replicas\n  value: 7\n' }];
    const d = deployment(await render({ patches, components: ['../../components/annotate', '../../components/missing'], ignoreMissingComponents: true }));
    assert.equal(spec(d).replicas, 7);
    assert.equal(d.metadata.annotations?.component, 'added');
    const r = await render({ components: ['../../components/missing'] });
    assert.match(r.errors[0]?.message ?? '', /missing/);
  });

  it('ignoreMissingComponents also leaves out a folder without a kustomization file (repo-server stats kustomization.yaml|.yml|Kustomization)', async () => {
    await fs.mkdir(path.join(repo, 'components', 'notes'), { recursive: true });
    await fs.writeFile(path.join(repo, 'components', 'notes', 'README.md'), 'not a component\n');
    const d = deployment(await render({ components: ['../../components/annotate', '../../components/notes'], ignoreMissingComponents: true }));
    assert.equal(d.metadata.annotations?.component, 'added');
  });

  it('keeps source locations in the real files and never writes the workspace', async () => {
    const r = await render({ namePrefix: 'argo-', images: ['nginx:2'] });
    const d = r.objects.find((o) => o.object.kind === 'Deployment')!;
    assert.equal(d.source?.file, path.join(app, 'deployment.yaml'));
    assert.deepEqual(d.kustomizeChain, [path.join(app, 'kustomization.yaml'), path.join(app, 'deployment.yaml')]);
    assert.equal(await fs.readFile(path.join(app, 'kustomization.yaml'), 'utf8'), KUSTOMIZATION);
  });
});
