import * as assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model';
import { validateIgnoreRules } from '../../../src/core/diff/ignoreSources';
import { diffResource, formatPath, summarize } from '../../../src/core/diff';
import { LAST_APPLIED } from '../../../src/core/diff/rules';

type J = Record<string, any>;
const cm = (meta: J, data: J = { a: '1' }): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...meta }, data });
const withLastApplied = (o: KubeObject, applied: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), [LAST_APPLIED]: JSON.stringify(applied) } } });
const deploy = (containers: J[], extra: J = {}): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' }, spec: { ...extra, template: { spec: { containers } } } });

describe('diff/diffResource', () => {
  it('reports MissingLive, ExtraLive and Unknown statuses', () => {
    assert.equal(diffResource(cm({}), undefined).status, 'MissingLive');
    assert.equal(diffResource(undefined, cm({})).status, 'ExtraLive');
    assert.equal(diffResource(undefined, undefined).status, 'Unknown');
    assert.deepEqual(diffResource(cm({ namespace: 'x' }), undefined, { defaultNamespace: 'y' }).ref, { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'x', name: 'c' });
  });
  it('follows the three-way steps of Argo TestThreeWayDiff', () => {
    const config = cm({ annotations: { foo: 'bar' } });
    const live = cm({ namespace: 'default', annotations: { foo: 'bar' } });
    assert.equal(diffResource(config, live).status, 'Synced', '1: namespace ignored');
    const live2 = withLastApplied(live, config);
    assert.equal(diffResource(config, live2).status, 'Synced', '2: last-applied is not compared');
    const r3 = diffResource(cm({}), live2);
    assert.equal(r3.status, 'Modified', '3: dropping an owned annotation is a removal');
    assert.deepEqual(r3.changes.map((c) => [c.category, c.path]), [['extra', 'metadata.annotations.foo']]);
    assert.equal(diffResource(cm({}), live).status, 'Synced', '4: no ownership ⇒ removals invisible (2-way)');
  });
  it('keeps live order of keyed items and foreign items (env order is not drift)', () => {
    const config = deploy([{ name: 'a', image: 'x:1', env: [{ name: 'VAR1', value: '1' }] }]);
    const live = deploy([{ name: 'a', image: 'x:1', env: [{ name: 'VAR2', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'VAR1', value: '1' }] }]);
    assert.equal(diffResource(config, live).status, 'Synced');
    const reordered = deploy([{ name: 'a', image: 'x:1', env: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }] }]);
    const liveAB = deploy([{ name: 'a', image: 'x:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }]);
    const r = diffResource(reordered, liveAB);
    assert.equal(r.status, 'Modified', 'reordering common items is a real change');
    assert.deepEqual(r.changes.map((c) => c.path), ['spec.template.spec.containers[name=a].env']);
  });
  it('inserts desired-only items after their predecessor and defaults them', () => {
    const config = deploy([{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:1' }]);
    const live = deploy([{ name: 'a', image: 'x:1', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }]);
    const r = diffResource(config, live);
    assert.deepEqual(r.changes.map((c) => [c.category, c.path]), [['missing', 'spec.template.spec.containers[name=b]']]);
    assert.equal((r.desired as J).spec.template.spec.containers[1].terminationMessagePolicy, 'File');
  });
  it('re-defaults an owned field dropped from Git (managedFields ownership)', () => {
    const mf = [{ manager: 'argocd-controller', operation: 'Apply' as const, fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } } }];
    const live = { ...deploy([{ name: 'a', image: 'x:1' }], { replicas: 3 }), metadata: { name: 'd', managedFields: mf } };
    const r = diffResource(deploy([{ name: 'a', image: 'x:1' }]), live);
    assert.deepEqual(r.changes.map((c) => [c.category, c.path, c.desired, c.live, c.manager]), [['modified', 'spec.replicas', 1, 3, 'argocd-controller']]);
    assert.equal(r.ownership, 'managedFields');
  });
  it('uses positional subset for CRD (atomic) lists and replaces when elements differ', () => {
    const cr = (items: J[]) => ({ apiVersion: 'x.io/v1', kind: 'Thing', metadata: { name: 't' }, spec: { items } }) as KubeObject;
    assert.equal(diffResource(cr([{ a: 1 }]), cr([{ a: 1, defaulted: true }])).status, 'Synced');
    assert.equal(diffResource(cr([{ a: 1 }]), cr([{ a: 2 }])).status, 'Modified');
    assert.equal(diffResource(cr([{ a: 1 }]), cr([{ a: 1 }, { a: 2 }])).status, 'Modified');
  });
  it('uses a CRD list-type resolver for keyed merges', () => {
    const cr = (items: J[]) => ({ apiVersion: 'x.io/v1', kind: 'Thing', metadata: { name: 't' }, spec: { items } }) as KubeObject;
    const listTypeResolver = () => ({ type: 'map' as const, keys: ['id'] });
    const r = diffResource(cr([{ id: 'b', v: 2 }]), cr([{ id: 'a', v: 1 }, { id: 'b', v: 1 }]), { listTypeResolver });
    assert.deepEqual(r.changes.map((c) => c.path), ['spec.items[id=b].v']);
  });
  it('clears other volume sources when desired switches source (retainKeys)', () => {
    const vol = (v: J) => ({ ...deploy([{ name: 'a', image: 'x:1' }]), spec: { template: { spec: { containers: [{ name: 'a', image: 'x:1' }], volumes: [{ name: 'v', ...v }] } } } }) as KubeObject;
    const r = diffResource(vol({ secret: { secretName: 's' } }), vol({ configMap: { name: 'c', defaultMode: 420 } }));
    assert.deepEqual(r.changes.map((c) => [c.category, c.path]).sort(), [
      ['extra', 'spec.template.spec.volumes[name=v].configMap.defaultMode'],
      ['extra', 'spec.template.spec.volumes[name=v].configMap.name'],
      ['missing', 'spec.template.spec.volumes[name=v].secret.defaultMode'],
      ['missing', 'spec.template.spec.volumes[name=v].secret.secretName'],
    ]);
  });
  it('respects Flux ssa annotations', () => {
    const live = cm({}, { a: 'changed' });
    const ignored = cm({ annotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'Ignore' } });
    assert.equal(diffResource(ignored, live).status, 'Synced');
    assert.match(diffResource(ignored, live).reason ?? '', /Ignore/);
    assert.equal(diffResource(cm({ annotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' } }), live).status, 'Synced');
    assert.equal(diffResource(cm({ annotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' } }), undefined).status, 'MissingLive');
    assert.equal(diffResource(cm({ annotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'Merge' } }), live).status, 'Modified');
  });
  it('an ignore rule that cannot be evaluated does not turn the resource Unknown (it is reported on the app)', () => {
    const rules = [{ kind: 'ConfigMap', jqPathExpressions: ['.data | to_entries'] }];
    const r = diffResource(cm({}), cm({}), { ignoreDifferences: rules });
    assert.equal(r.status, 'Synced');
    assert.match(validateIgnoreRules(rules).join('\n'), /Unsupported jq/);
  });
  it('does not report an apiVersion change within the same group', () => {
    const a = { ...cm({}), apiVersion: 'v1' };
    assert.equal(diffResource({ ...deploy([{ name: 'a', image: 'x:1' }]), apiVersion: 'apps/v1beta1' }, deploy([{ name: 'a', image: 'x:1' }])).status, 'Synced');
    assert.equal(diffResource(a, { ...a, apiVersion: 'x.io/v1' }).status, 'Modified');
  });
  it('summarizes statuses', () => {
    const diffs = [diffResource(cm({}), cm({})), diffResource(cm({}), cm({}, { a: '2' })), diffResource(cm({}), undefined), diffResource(undefined, cm({})), diffResource(undefined, undefined)];
    assert.deepEqual(summarize(diffs), { synced: 1, modified: 1, missingLive: 1, extraLive: 1, unknown: 1 });
  });
  it('formats paths with keys, sets, indices and odd field names', () => {
    assert.equal(formatPath([{ field: 'spec' }, { field: 'containers' }, { key: { name: 'web' } }, { field: 'env' }, { key: { name: 'LOG_LEVEL' } }, { field: 'value' }]), 'spec.containers[name=web].env[name=LOG_LEVEL].value');
    assert.equal(formatPath([{ field: 'metadata' }, { field: 'labels' }, { field: 'app.kubernetes.io/name' }]), 'metadata.labels["app.kubernetes.io/name"]');
    assert.equal(formatPath([{ field: 'ports' }, { key: { containerPort: 80, protocol: 'TCP' } }]), 'ports[containerPort=80,protocol=TCP]');
    assert.equal(formatPath([{ field: 'finalizers' }, { value: 'a/b' }, { field: 'x' }, { index: 2 }]), 'finalizers[=a/b].x[2]');
  });
  it('merges fields named like Object.prototype members (constructor, toString) as plain fields', () => {
    const same = diffResource(cm({}, { constructor: 'a', toString: 'b', x: '1' }), cm({}, { constructor: 'a', toString: 'b', x: '1' }));
    assert.equal(same.status, 'Synced');
    assert.deepEqual(same.desired?.data, { constructor: 'a', toString: 'b', x: '1' });
    // not declared and not owned by the applier: the live key survives the apply
    assert.equal(diffResource(cm({}, { x: '1' }), cm({}, { constructor: 'a', x: '1' })).status, 'Synced');
    const changed = diffResource(cm({}, { constructor: 'a' }), cm({}, { constructor: 'b' }));
    assert.deepEqual(changed.changes.map((c) => `${c.category} ${c.path}`), ['modified data.constructor']);
    const added = diffResource(cm({}, { x: '1', toString: 'b' }), cm({}, { x: '1' }));
    assert.deepEqual(added.changes.map((c) => `${c.category} ${c.path} ${String(c.live)}`), ['missing data.toString undefined']);
  });
});
