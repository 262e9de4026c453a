// One test group per normalization rule N1–N19 of diff-semantics §5.
import * as assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model';
import { diffResource } from '../../../src/core/diff';
import { defaultPortProtocols, normalizeConfigMapNulls, dropLastApplied, dropNamespaceAndEmptyAnnotations, dropServerMetadata, dropStatus, LAST_APPLIED, normalizeRoleRules, normalizeSecret, pruneEmpty, pruneEmptyInPlace, sortEndpoints } from '../../../src/core/diff/rules';
import { isZeroScalar, scalarsEqual, secretValuesEqual } from '../../../src/core/diff/equivalence';
import { parseQuantity, quantitiesEqual } from '../../../src/core/diff/quantity';
import { durationsEqual, parseDuration } from '../../../src/core/diff/duration';

type J = Record<string, any>;
const cm = (data: Record<string, unknown>, meta: J = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...meta }, data });
const deploy = (spec: J, meta: J = {}): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'web', ...meta }, spec });
const ctx = { group: '', kind: 'ConfigMap' };

describe('diff/normalization rules', () => {
  it('N1 drops server-owned metadata at the top and nested creationTimestamp', () => {
    const o = dropServerMetadata({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', uid: 'u', resourceVersion: '1', generation: 2, selfLink: '/x', creationTimestamp: 't', managedFields: [] }, spec: { template: { metadata: { creationTimestamp: null, labels: { a: 'b' } } }, volumeClaimTemplates: [{ metadata: { name: 'v', creationTimestamp: null } }] } }) as J;
    assert.deepEqual(o.metadata, { name: 's' });
    assert.deepEqual(o.spec.template.metadata, { labels: { a: 'b' } });
    assert.deepEqual(o.spec.volumeClaimTemplates[0].metadata, { name: 'v' });
  });
  it('N2 ignores namespace and drops empty/null annotations but keeps malformed ones', () => {
    assert.deepEqual(dropNamespaceAndEmptyAnnotations(cm({}, { namespace: 'x', annotations: {} })).metadata, { name: 'c' });
    assert.deepEqual(dropNamespaceAndEmptyAnnotations(cm({}, { annotations: null })).metadata, { name: 'c' });
    assert.deepEqual(dropNamespaceAndEmptyAnnotations(cm({}, { annotations: 'wrong value' })).metadata, { name: 'c', annotations: 'wrong value' });
    const clusterScoped = diffResource({ apiVersion: 'foo.io/v1', kind: 'Foo', metadata: { name: 'f', namespace: 'kube-system' } }, { apiVersion: 'foo.io/v1', kind: 'Foo', metadata: { name: 'f' } });
    assert.equal(clusterScoped.status, 'Synced');
  });
  it('N3 drops the last-applied annotation', () => {
    assert.deepEqual(dropLastApplied(cm({}, { annotations: { [LAST_APPLIED]: '{}' } })).metadata, { name: 'c' });
    assert.deepEqual(dropLastApplied(cm({}, { annotations: { [LAST_APPLIED]: '{}', keep: 'x' } })).metadata.annotations, { keep: 'x' });
  });
  it('N4 ignores status, including volumeClaimTemplates status', () => {
    const o = dropStatus({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: {}, status: { replicas: 1 }, spec: { volumeClaimTemplates: [{ status: { phase: 'Pending' } }] } }) as J;
    assert.equal(o.status, undefined);
    assert.deepEqual(o.spec.volumeClaimTemplates[0], {});
    assert.equal(diffResource(deploy({ replicas: 2 }), { ...deploy({ replicas: 2 }), status: { replicas: 1 } }).status, 'Synced');
  });
  it('N5 treats null, {} and [] as absent, bottom-up', () => {
    assert.deepEqual(pruneEmpty({ a: null, b: {}, c: [], d: { e: {} }, f: [{}], g: 0 }), { f: [{}], g: 0 });
    const owned = { a: null, b: {}, c: [], d: { e: {} }, f: [{ x: null }, [{}]], g: 0 };
    assert.equal(pruneEmptyInPlace(owned), owned, 'the in-place variant returns its argument');
    assert.deepEqual(owned, pruneEmpty({ a: null, b: {}, c: [], d: { e: {} }, f: [{ x: null }, [{}]], g: 0 }));
    const d = deploy({ template: { spec: { imagePullSecrets: [], containers: [{ name: 'a', image: 'x:1' }] } } });
    const l = deploy({ template: { spec: { containers: [{ name: 'a', image: 'x:1', resources: {} }] } } });
    assert.equal(diffResource(d, l).status, 'Synced');
  });
  it('N6 a zero scalar in desired equals the field absent live', () => {
    assert.ok(isZeroScalar(false) && isZeroScalar(0) && isZeroScalar(''));
    assert.ok(!isZeroScalar(null) && !isZeroScalar('0'));
    const d = deploy({ template: { spec: { containers: [{ name: 'a', image: 'x:1', volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: false }] }] } } });
    const l = deploy({ template: { spec: { containers: [{ name: 'a', image: 'x:1', volumeMounts: [{ name: 'v', mountPath: '/v' }] }] } } });
    assert.equal(diffResource(d, l).status, 'Synced');
    // but a zero that differs from a live non-zero value is a change
    const l2 = deploy({ template: { spec: { containers: [{ name: 'a', image: 'x:1', volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: true }] }] } } });
    assert.equal(diffResource(d, l2).status, 'Modified');
  });
  it('N7 folds Secret stringData, null → "", compares data decoded and invalid base64 raw', () => {
    const s = normalizeSecret({ apiVersion: 'v1', kind: 'Secret', metadata: {}, data: { baz: 'cXV4', n: null }, stringData: { foo: 'bar' } } as KubeObject) as J;
    assert.deepEqual(s.data, { baz: 'cXV4', n: '', foo: 'YmFy' });
    assert.ok(secretValuesEqual('YWI=', 'YWI='));
    assert.ok(!secretValuesEqual('++++++++', '++++++++++++'));
    const desired = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { foo: 'bar', bar: '1234' }, data: { baz: 'cXV4' } } as KubeObject;
    const live = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { foo: 'YmFy', bar: 'MTIzNA==', baz: 'cXV4' } } as KubeObject;
    assert.equal(diffResource(desired, live).status, 'Synced');
  });
  it('N8 compares quantities by exact value at quantity paths', () => {
    assert.ok(quantitiesEqual('1000m', '1'));
    assert.ok(quantitiesEqual('1Gi', '1024Mi'));
    assert.ok(quantitiesEqual(0.2, '200m'));
    assert.ok(quantitiesEqual('1.25G', '1250M'));
    assert.ok(quantitiesEqual('1e3', '1k'));
    assert.ok(!quantitiesEqual('1Gi', '1G'));
    assert.equal(parseQuantity('invalid'), undefined);
    const res = (cpu: unknown, mem: string) => deploy({ template: { spec: { containers: [{ name: 'a', image: 'x:1', resources: { requests: { cpu, memory: mem } } }] } } });
    assert.equal(diffResource(res(0.2, '1Gi'), res('200m', '1024Mi')).status, 'Synced');
    assert.equal(diffResource(res(0.2, '1Gi'), res('100m', '1024Mi')).status, 'Modified');
    // only at quantity paths: a ConfigMap value "1000m" is not "1"
    assert.ok(!scalarsEqual(['data', 'x'], '1000m', '1', ctx));
    assert.ok(scalarsEqual(['spec', 'limits', 'max', 'cpu'], '1000m', '1', { group: '', kind: 'LimitRange' }));
    assert.ok(!scalarsEqual(['spec', 'max', 'version'], '1.0', '1', { group: 'x.io', kind: 'Thing' }));
    assert.ok(scalarsEqual(['spec', 'size'], '1Gi', '1024Mi', { group: 'x.io', kind: 'Thing', quantityPaths: ['spec.size'] }));
  });
  it('N9 numbers by value, never string ↔ number', () => {
    assert.equal(diffResource(deploy({ replicas: 1.0 }), deploy({ replicas: 1 })).status, 'Synced');
    assert.equal(diffResource(deploy({ replicas: '3' }), deploy({ replicas: 3 })).status, 'Modified');
    const svc = (targetPort: unknown) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort }] } }) as KubeObject;
    assert.equal(diffResource(svc('80'), svc(80)).status, 'Modified');
  });
  it('N10 ports default to TCP (as list-map key too)', () => {
    const o = defaultPortProtocols({ apiVersion: 'v1', kind: 'Endpoints', metadata: {}, subsets: [{ ports: [{ port: 80 }] }] }) as J;
    assert.equal(o.subsets[0].ports[0].protocol, 'TCP');
    const c = defaultPortProtocols(deploy({ template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] } } })) as J;
    assert.equal(c.spec.template.spec.containers[0].ports[0].protocol, 'TCP');
    const d = deploy({ template: { spec: { containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 80 }] }] } } });
    const l = deploy({ template: { spec: { containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } } });
    const r = diffResource(d, l);
    assert.equal(r.status, 'Synced', JSON.stringify(r.changes));
  });
  it('N11 sorts Endpoints subsets, addresses and ports deterministically', () => {
    const e = (subsets: unknown) => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' }, subsets }) as KubeObject;
    const a = sortEndpoints(e([{ addresses: [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }], ports: [{ port: 2 }, { port: 1 }] }])) as J;
    assert.deepEqual(a.subsets[0].addresses, [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }]);
    assert.deepEqual(a.subsets[0].ports, [{ port: 1 }, { port: 2 }]);
    assert.equal(diffResource(e([{ addresses: [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }] }]), e([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] }])).status, 'Synced');
  });
  it('N12 Role rules: [] equals null; aggregated rules ignored on request', () => {
    const role = (rules: unknown, aggregationRule?: unknown) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules, ...(aggregationRule ? { aggregationRule } : {}) }) as KubeObject;
    assert.equal((normalizeRoleRules(role([]), false) as J).rules, undefined);
    assert.equal(diffResource(role([]), role(null)).status, 'Synced');
    const agg = { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] };
    const filled = role([{ verbs: ['get'], resources: ['pods'], apiGroups: [''] }], agg);
    assert.equal((normalizeRoleRules(filled, true) as J).rules, undefined);
    assert.equal((normalizeRoleRules(role([{ verbs: ['get'] }]), true) as J).rules.length, 1, 'kept without aggregationRule');
  });
  it('N13 durations compare by value only where configured', () => {
    assert.equal(parseDuration('8760h'), parseDuration('8760h0m0s'));
    assert.ok(durationsEqual('90s', '1m30s'));
    assert.ok(!durationsEqual('1h', 'x'));
    const cr = (d: string) => ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c' }, spec: { duration: d } }) as KubeObject;
    assert.equal(diffResource(cr('8760h'), cr('8760h0m0s'), { durationPaths: ['spec.duration'] }).status, 'Synced');
    assert.equal(diffResource(cr('8760h'), cr('8760h0m0s')).status, 'Modified');
  });
  it('N14 JSON pointers remove a field on both sides; a missing pointer is fine', () => {
    const svc = (a: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { sessionAffinity: a, ports: [{ port: 80 }] } }) as KubeObject;
    assert.equal(diffResource(svc('ClientIP'), svc('None')).status, 'Modified');
    assert.equal(diffResource(svc('ClientIP'), svc('None'), { ignoreDifferences: [{ kind: 'Service', jsonPointers: ['/spec/sessionAffinity', '/spec/missing/x'] }] }).status, 'Synced');
    assert.equal(diffResource(svc('ClientIP'), svc('None'), { ignoreDifferences: [{ kind: 'ConfigMap', jsonPointers: ['/spec/sessionAffinity'] }] }).status, 'Modified', 'non-matching kind untouched');
  });
  it('N15 jq path expressions remove only the selected items', () => {
    const d = deploy({ template: { spec: { initContainers: [{ name: 'init-container-0', image: 'a:1' }, { name: 'init-container-1', image: 'b:1' }], containers: [{ name: 'c', image: 'c:1' }] } } });
    const l = deploy({ template: { spec: { initContainers: [{ name: 'init-container-0', image: 'a:2' }, { name: 'init-container-1', image: 'b:2' }], containers: [{ name: 'c', image: 'c:1' }] } } });
    const r = diffResource(d, l, { ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.template.spec.initContainers[] | select(.name == "init-container-0")'] }] });
    assert.deepEqual(r.changes.map((c) => c.path), ['spec.template.spec.initContainers[name=init-container-1].image']);
  });
  it('N16 fields owned by a trusted manager are removed where they differ', () => {
    const live = deploy({ replicas: 5 }, { managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }] });
    assert.equal(diffResource(deploy({ replicas: 2 }), live).status, 'Modified');
    assert.equal(diffResource(deploy({ replicas: 2 }), live, { ignoreDifferences: [{ group: '*', kind: '*', managedFieldsManagers: ['kube-controller-manager'] }] }).status, 'Synced');
    assert.equal(diffResource(deploy({ replicas: 2 }), live, { ignoreDifferences: [{ group: '*', kind: '*', managedFieldsManagers: ['someone-else'] }] }).status, 'Modified');
  });
  it('N17 masks Secret values for display (covered in secrets.test.ts) but compares before masking', () => {
    const s = (v: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: Buffer.from(v).toString('base64') } }) as KubeObject;
    assert.equal(diffResource(s('a'), s('b')).status, 'Modified');
    assert.equal(diffResource(s('a'), s('a')).status, 'Synced');
  });
  it('N18 unknown fields in desired stay in predicted and are reported', () => {
    const r = diffResource({ ...cm({ a: '1' }), invalidKey: 'x' } as KubeObject, cm({ a: '1' }));
    assert.equal(r.status, 'Modified');
    assert.deepEqual(r.changes.map((c) => [c.category, c.path, c.desired]), [['missing', 'invalidKey', 'x']]);
  });
  it('N19 a wrong-typed field skips typed comparison but still diffs, without throwing', () => {
    assert.equal(diffResource(deploy({ revisionHistoryLimit: 'badValue' }), deploy({ revisionHistoryLimit: 'badValue' })).status, 'Synced');
    assert.equal(diffResource(deploy({ revisionHistoryLimit: 'badValue' }), deploy({ revisionHistoryLimit: '3' })).status, 'Modified');
    const res = (cpu: unknown) => deploy({ template: { spec: { containers: [{ name: 'a', image: 'x:1', resources: { requests: { cpu } } }] } } });
    assert.equal(diffResource(res('invalid'), res('invalid')).status, 'Synced');
    assert.equal(diffResource(res('invalid'), res('1')).status, 'Modified');
    assert.equal(diffResource(deploy({ template: 'not-an-object' }), deploy({ template: 'not-an-object' })).status, 'Synced');
  });
  it('N7b: a null ConfigMap value is "" (the real server stores it so; ground-truth case argocd-cmd-params-cm redis.db)', () => {
    const c = normalizeConfigMapNulls({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { 'redis.db': null, a: 'b' } } as unknown as KubeObject) as J;
    assert.deepEqual(c.data, { 'redis.db': '', a: 'b' });
  });
});
