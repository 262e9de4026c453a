import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model';
import { applyStrategicMergePatch, ApplyConflictError, serverSideApply, updateManagedFields } from './index';

type Any = any;
const LAST = 'kubectl.kubernetes.io/last-applied-configuration';

function manifest(replicas: number, image = 'nginx:1.25'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image }] } } },
  };
}

/** What `kubectl apply` (client-side) creates: the manifest plus its last-applied annotation, owned by kubectl-client-side-apply. */
function clientSideApplied(m: KubeObject): KubeObject {
  const withAnn = structuredClone(m);
  withAnn.metadata.annotations = { [LAST]: JSON.stringify({ ...m, metadata: { ...m.metadata, annotations: {} } }) + '\n' };
  withAnn.metadata.managedFields = updateManagedFields(undefined, withAnn, { manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z' });
  return withAnn;
}

describe('client-side → server-side apply upgrade (manager "kubectl")', () => {
  it('lets "kubectl" take fields the last-applied annotation still describes, and rewrites the annotation', () => {
    const live = clientSideApplied(manifest(2));
    const r = serverSideApply(live, manifest(3), { manager: 'kubectl', apiVersion: 'apps/v1', time: '2026-01-01T00:01:00Z' });
    assert.equal((r.object.spec as Any).replicas, 3);
    const csa = r.managedFields.find((e) => e.manager === 'kubectl-client-side-apply')!;
    assert.equal(JSON.stringify(csa.fieldsV1).includes('f:replicas'), false, 'replicas moved to kubectl');
    const ann = JSON.parse(r.object.metadata.annotations![LAST]);
    assert.equal(ann.spec.replicas, 3);
    assert.equal('annotations' in ann.metadata, false, 'the config had none (Go drops a nil map)');
    assert.ok(r.object.metadata.annotations![LAST].endsWith('}\n'));
  });

  it('still conflicts on fields changed since the last client-side apply, and for other managers', () => {
    const live = clientSideApplied(manifest(2));
    const edited = applyStrategicMergePatch(live, { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:edited' }] } } } }, { group: 'apps', kind: 'Deployment' });
    edited.metadata.managedFields = updateManagedFields(live, edited, { manager: 'kubectl-edit', apiVersion: 'apps/v1', time: '2026-01-01T00:02:00Z' });
    assert.throws(
      () => serverSideApply(edited, manifest(3, 'nginx:1.27'), { manager: 'kubectl', apiVersion: 'apps/v1', time: '2026-01-01T00:03:00Z' }),
      (e: unknown) => e instanceof ApplyConflictError && e.message === 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.template.spec.containers[name="app"].image',
    );
    assert.throws(
      () => serverSideApply(live, manifest(3), { manager: 'argocd-controller', apiVersion: 'apps/v1', time: '2026-01-01T00:03:00Z' }),
      (e: unknown) => e instanceof ApplyConflictError && /conflict with "kubectl-client-side-apply" using apps\/v1: \.spec\.replicas/.test(e.message),
    );
  });

  it('leaves objects without the annotation alone', () => {
    const r = serverSideApply(undefined, manifest(1), { manager: 'kubectl', apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z' });
    assert.equal(r.object.metadata.annotations, undefined);
  });
});
