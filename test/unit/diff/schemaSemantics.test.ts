// Diff semantics that come from the schemas (issue 13.1): atomic maps replace the whole map on apply, quantities
// compare by value wherever a schema declares them (built-in kinds and CRDs), date-times by instant.
import * as assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model';
import { diffResource } from '../../../src/core/diff';
import { crdSchemaSource } from '../../../src/core/schema/crdSchema';

const svc = (selector: Record<string, string>, managedFields?: unknown[]): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop', ...(managedFields ? { managedFields } : {}) }, spec: { selector, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } }) as unknown as KubeObject;

describe('diff semantics from the schemas', () => {
  it('an atomic map (Service selector) with a key added live by kubectl edit: the apply replaces it, so it is drift', () => {
    const managedFields = [
      { manager: 'argocd-controller', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } } } } },
      { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:selector': {} } } },
    ];
    const d = diffResource(svc({ app: 'web' }), svc({ app: 'web', canary: 'true' }, managedFields), { manager: 'argocd-controller' });
    assert.equal(d.status, 'Modified');
    assert.deepEqual(d.changes.map((c) => [c.category, c.path, c.manager]), [['extra', 'spec.selector.canary', 'kubectl-edit']]);
  });
  it('a granular map (labels) keeps another manager\'s key: no drift', () => {
    const live = { ...svc({ app: 'web' }), metadata: { name: 'web', namespace: 'shop', labels: { a: '1', team: 'x' }, managedFields: [{ manager: 'argocd-controller', operation: 'Apply', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:a': {} } } } }, { manager: 'kubectl-label', operation: 'Update', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:team': {} } } } }] } } as unknown as KubeObject;
    const desired = { ...svc({ app: 'web' }), metadata: { name: 'web', labels: { a: '1' } } } as unknown as KubeObject;
    const d = diffResource(desired, live, { manager: 'argocd-controller' });
    assert.equal(d.changes.filter((c) => c.category !== 'live-only').length, 0);
  });
  it('quantities the old table did not know compare by value (CSIStorageCapacity, HPA v2 targets)', () => {
    const cap = (v: string): KubeObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIStorageCapacity', metadata: { name: 'c', namespace: 'x' }, storageClassName: 's', capacity: v }) as unknown as KubeObject;
    assert.equal(diffResource(cap('1Gi'), cap('1024Mi')).status, 'Synced');
    assert.equal(diffResource(cap('1Gi'), cap('1G')).status, 'Modified');
    const hpa = (v: string): KubeObject =>
      ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'x' }, spec: { maxReplicas: 3, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' }, metrics: [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: v } } }] } }) as unknown as KubeObject;
    assert.equal(diffResource(hpa('0.5'), hpa('500m')).status, 'Synced');
  });
  it('a name that looks like a quantity parent outside a quantity field is compared as it is (no table guessing)', () => {
    const cm = (v: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'x' }, data: { limits: v } }) as unknown as KubeObject;
    assert.equal(diffResource(cm('1Gi'), cm('1024Mi')).status, 'Modified');
  });
  it('CRD atomic maps come from the CRD schema; CRD quantities keep their spelling (the server stores CR strings as given)', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', names: { kind: 'Widget' }, versions: [{ name: 'v1', storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { 'x-kubernetes-int-or-string': true, pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$' }, match: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } } } } } } } }] },
    } as unknown as KubeObject;
    const w = (size: string, match: Record<string, string>): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'x' }, spec: { size, match } }) as unknown as KubeObject;
    const schemas = [crdSchemaSource([crd])];
    assert.equal(diffResource(w('1Gi', { a: '1' }), w('1024Mi', { a: '1' }), { schemas }).status, 'Modified', 'an apply would rewrite 1024Mi as 1Gi');
    assert.equal(diffResource(w('1Gi', { a: '1' }), w('1Gi', { a: '1' }), { schemas }).status, 'Synced');
    assert.equal(diffResource(w('1Gi', { a: '1' }), w('1Gi', { a: '1', b: '2' }), { schemas }).status, 'Modified');
  });
});
