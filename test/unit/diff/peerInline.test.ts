// gitops-engine inline cases (peer-diff README §E), re-created by intent.
import * as assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model';
import { diffResource } from '../../../src/core/diff';

type J = Record<string, any>;
const deploy = (spec: J = {}): KubeObject => ({ apiVersion: 'apps/v1beta1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.7.9', ports: [{ containerPort: 80 }] }] } }, ...spec } });
const hpa = (min: number, max: number, util: number, managedFields?: J[]): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'h', managedFields: managedFields as KubeObject['metadata']['managedFields'] },
  spec: { minReplicas: min, maxReplicas: max, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: util } } }] },
});

describe('diff/peer inline cases (gitops-engine diff_test.go, by intent)', () => {
  it('TestDiff: an object against itself is Synced', () => assert.equal(diffResource(deploy(), deploy()).status, 'Synced'));
  it('TestDiffNilFieldInLive: live spec null is Modified', () => assert.equal(diffResource(deploy(), { ...deploy(), spec: null }).status, 'Modified'));
  it('TestDiffArrayAdditions: live-only status is not drift', () => assert.equal(diffResource(deploy(), { ...deploy(), status: { replicas: 1 } }).status, 'Synced'));
  it('TestDiffArrayModification: replicas 10 vs 2 is Modified', () => {
    const r = diffResource(deploy(), deploy({ replicas: 10 }));
    assert.deepEqual(r.changes.map((c) => [c.path, c.desired, c.live]), [['spec.replicas', 2, 10]]);
  });
  it('TestThreeWayDiffExample1: ServiceAccount with token secrets and empty annotations in last-applied', () => {
    const config: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } };
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'sa', namespace: 'default', uid: 'u', resourceVersion: '1', creationTimestamp: '2018-01-01T00:00:00Z', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"annotations":{},"name":"sa","namespace":"default"}}' } },
      secrets: [{ name: 'sa-token-abc' }],
    };
    assert.equal(diffResource(config, live).status, 'Synced');
  });
  it('TestInvalidSecretStringData: numeric stringData against no live object is a creation', () => {
    const r = diffResource({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { foo: 1234 } } as KubeObject, undefined);
    assert.equal(r.status, 'MissingLive');
    assert.ok(!JSON.stringify(r).includes('MTIzNA=='));
  });
  it('TestDiffWithNils: desired absent is a prune candidate, not Modified', () => {
    assert.equal(diffResource(undefined, deploy()).status, 'ExtraLive');
    assert.equal(diffResource(deploy(), undefined).status, 'MissingLive');
  });
  it('TestStructuredMergeDiff_HPAv2ToV1Conversion: equal HPA with mixed-version managedFields is Synced; changed limits are Modified', () => {
    const mf = [
      { manager: 'helm', operation: 'Update', apiVersion: 'autoscaling/v1', fieldsV1: { 'f:spec': { 'f:maxReplicas': {}, 'f:minReplicas': {} } } },
      { manager: 'argocd-controller', operation: 'Apply', apiVersion: 'autoscaling/v2', fieldsV1: { 'f:spec': { 'f:metrics': {}, 'f:maxReplicas': {}, 'f:minReplicas': {}, 'f:scaleTargetRef': {} } } },
    ];
    assert.equal(diffResource(hpa(1, 10, 50), hpa(1, 10, 50, mf)).status, 'Synced');
    const r = diffResource(hpa(2, 20, 80), hpa(1, 10, 50, mf));
    assert.equal(r.status, 'Modified');
    assert.deepEqual(r.changes.map((c) => c.path), ['spec.minReplicas', 'spec.maxReplicas', 'spec.metrics']);
  });
  it('TestDiffWithIgnoreDifferences: ignored sessionAffinity gives Synced in 2-way and 3-way', () => {
    const svc = (a: string, la?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', ...(la ? { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': la } } : {}) }, spec: { sessionAffinity: a, ports: [{ port: 80 }] } });
    const rules = { ignoreDifferences: [{ kind: 'Service', jsonPointers: ['/spec/sessionAffinity'] }] };
    assert.equal(diffResource(svc('ClientIP'), svc('None'), rules).status, 'Synced');
    assert.equal(diffResource(svc('ClientIP'), svc('None', JSON.stringify(svc('None'))), rules).status, 'Synced');
  });
  it('SSD "mismatched resourceVersion": not drift and absent from both outputs', () => {
    const a = { ...deploy(), metadata: { name: 'nginx', resourceVersion: '99999' } };
    const b = { ...deploy(), metadata: { name: 'nginx', resourceVersion: '12345' } };
    const r = diffResource(a, b);
    assert.equal(r.status, 'Synced');
    assert.ok(!JSON.stringify([r.desired, r.live]).includes('resourceVersion'));
  });
});
