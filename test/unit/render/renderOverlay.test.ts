import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { App } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { needsOverlay, parseImageOverride, renderApp } from '../../../src/core/render';

const GUESTBOOK = path.resolve(__dirname, '../../fixtures/real-repos/argoproj__argo-cd/test/e2e/testdata/guestbook');

const argoApp = (kustomize?: Record<string, unknown>): App => ({
  id: 'argo:argocd/gb',
  name: 'gb',
  kind: 'argo-application',
  namespace: 'argocd',
  path: GUESTBOOK,
  sourceType: 'kustomize',
  destinationNamespace: 'web',
  definition: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'gb' }, spec: { source: { repoURL: 'https://x/r', path: 'guestbook', ...(kustomize ? { kustomize } : {}) } } },
});

describe('render/renderOverlay (Argo CD spec.source.kustomize)', function () {
  this.timeout(60000);

  it('parses `kustomize edit set image` strings', () => {
    assert.deepEqual(parseImageOverride('nginx:1.27'), { name: 'nginx', newTag: '1.27' });
    assert.deepEqual(parseImageOverride('nginx=registry:5000/web/nginx:1.27'), { name: 'nginx', newName: 'registry:5000/web/nginx', newTag: '1.27' });
    assert.deepEqual(parseImageOverride('quay.io/a/b@sha256:abc'), { name: 'quay.io/a/b', digest: 'sha256:abc' });
    assert.deepEqual(parseImageOverride('registry:5000/web'), { name: 'registry:5000/web' });
  });

  it('only builds an overlay when the Application sets kustomize overrides', () => {
    assert.equal(needsOverlay(argoApp()), false);
    assert.equal(needsOverlay(argoApp({ namePrefix: 'p-' })), true);
    assert.equal(needsOverlay({ ...argoApp({ namePrefix: 'p-' }), sourceType: 'directory' }), false);
  });

  it('applies namePrefix, images, commonLabels and replicas, keeping sources in the real guestbook files', async () => {
    const r = await renderApp(
      argoApp({ namePrefix: 'dev-', images: ['quay.io/argoprojlabs/argocd-e2e-container:0.3'], commonLabels: { env: 'dev' }, replicas: [{ name: 'guestbook-ui', count: 3 }] }),
      { runner: nodeProcessRunner, trusted: true },
    );
    assert.deepEqual(r.errors, []);
    const dep = r.objects.find((o) => o.object.kind === 'Deployment')!;
    const spec = dep.object.spec as { replicas: number; selector: { matchLabels: Record<string, string> }; template: { spec: { containers: { image: string }[] } } };
    assert.equal(dep.object.metadata.name, 'dev-guestbook-ui');
    assert.equal(dep.object.metadata.namespace, 'web');
    assert.equal(dep.object.metadata.labels?.env, 'dev');
    assert.equal(spec.selector.matchLabels.env, 'dev');
    assert.equal(spec.replicas, 3);
    assert.equal(spec.template.spec.containers[0].image, 'quay.io/argoprojlabs/argocd-e2e-container:0.3');
    assert.equal(dep.source?.file, path.join(GUESTBOOK, 'guestbook-ui-deployment.yaml'));
    assert.deepEqual(dep.kustomizeChain, [path.join(GUESTBOOK, 'kustomization.yaml'), path.join(GUESTBOOK, 'guestbook-ui-deployment.yaml')]);
    assert.equal(r.objects.find((o) => o.object.kind === 'Service')?.object.metadata.name, 'dev-guestbook-ui');
  });
});
