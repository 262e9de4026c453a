import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model';
import { applyStrategicMergePatch, PatchError, supportsStrategicMerge, updateManagedFields } from './index';

const APPS = { group: 'apps', kind: 'Deployment' };
type Any = any;

function deploy(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', finalizers: ['a', 'b', 'c'] },
    spec: {
      replicas: 1,
      template: {
        spec: {
          tolerations: [{ key: 't1' }],
          containers: [
            { name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }, { containerPort: 9090, name: 'metrics' }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], args: ['x', 'y'] },
            { name: 'side', image: 'busybox' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
  };
}

describe('applyStrategicMergePatch', () => {
  it('`kubectl set image` body: merges containers by name and keeps $setElementOrder order', () => {
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }], containers: [{ image: 'nginx:1.27', name: 'app' }] } } } };
    const out = applyStrategicMergePatch(deploy(), patch, APPS) as Any;
    assert.deepEqual(out.spec.template.spec.containers.map((c: Any) => [c.name, c.image]), [['side', 'busybox'], ['app', 'nginx:1.27']]);
    assert.equal(out.spec.template.spec.containers[1].env.length, 2, 'untouched fields of the item stay');
    assert.equal(JSON.stringify(out).includes('$setElementOrder'), false);
  });

  it('records `kubectl set image` as a kubectl-set Update owning only the image', () => {
    const before = deploy();
    before.metadata.managedFields = updateManagedFields(undefined, before, { manager: 'argocd-controller', apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z' });
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'side' }], containers: [{ image: 'nginx:1.27', name: 'app' }] } } } };
    const after = applyStrategicMergePatch(before, patch, APPS);
    const mf = updateManagedFields(before, after, { manager: 'kubectl-set', apiVersion: 'apps/v1', time: '2026-01-01T00:01:00Z' });
    const set = mf.find((e) => e.manager === 'kubectl-set')!;
    assert.deepEqual(set.fieldsV1, { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { 'f:image': {} } } } } } });
  });

  it('merges env by name, ports by containerPort; replaces lists without a merge key; null deletes', () => {
    const patch = {
      metadata: { finalizers: ['d'] },
      spec: {
        replicas: null,
        template: {
          spec: {
            tolerations: [{ key: 't2' }],
            containers: [{ name: 'app', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }], ports: [{ containerPort: 80, name: 'http' }], args: ['z'] }],
          },
        },
      },
    };
    const out = applyStrategicMergePatch(deploy(), patch, APPS) as Any;
    const app = out.spec.template.spec.containers[0];
    assert.deepEqual(app.env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }]);
    assert.deepEqual(app.ports, [{ containerPort: 80, name: 'http' }, { containerPort: 9090, name: 'metrics' }]);
    assert.deepEqual(app.args, ['z']);
    assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 't2' }]);
    assert.equal('replicas' in out.spec, false);
    // New items go before the live ones (apimachinery mergeSortedSlice; checked against the real server in differential.test.ts).
    assert.deepEqual(out.metadata.finalizers, ['d', 'a', 'b', 'c'], 'finalizers merge as a primitive set');
    assert.equal(out.spec.template.spec.containers.length, 2);
  });

  it('honours $patch delete/replace, $deleteFromPrimitiveList and $retainKeys', () => {
    const patch = {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] },
      spec: {
        template: {
          spec: {
            containers: [{ name: 'side', $patch: 'delete' }, { name: 'app', env: [{ $patch: 'replace' }, { name: 'Z', value: '9' }] }],
            volumes: [{ name: 'data', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }],
          },
        },
      },
    };
    const out = applyStrategicMergePatch(deploy(), patch, APPS) as Any;
    assert.deepEqual(out.metadata.finalizers, ['a', 'c']);
    assert.deepEqual(out.spec.template.spec.containers.map((c: Any) => c.name), ['app']);
    assert.deepEqual(out.spec.template.spec.containers[0].env, [{ name: 'Z', value: '9' }]);
    assert.deepEqual(out.spec.template.spec.volumes, [{ name: 'data', configMap: { name: 'cm' } }]);
    const replaced = applyStrategicMergePatch(deploy(), { spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'only' }] } } } }, APPS) as Any;
    assert.deepEqual(replaced.spec.template, { spec: { containers: [{ name: 'only' }] } });
    const deleted = applyStrategicMergePatch(deploy(), { spec: { template: { $patch: 'delete' } } }, APPS) as Any;
    assert.equal('template' in deleted.spec, false);
  });

  it('merges Service ports by port', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    const out = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, { group: '', kind: 'Service' }) as Any;
    assert.deepEqual(out.spec.ports, [{ port: 80, targetPort: 9090 }, { port: 443 }]);
  });

  it('refuses custom resources with 415 and malformed directives with 422', () => {
    assert.equal(supportsStrategicMerge('argoproj.io', 'Application'), false);
    assert.equal(supportsStrategicMerge('apps', 'Deployment'), true);
    assert.throws(() => applyStrategicMergePatch({}, { spec: {} }, { group: 'argoproj.io', kind: 'Application' }), (e: unknown) => e instanceof PatchError && e.status === 415);
    assert.throws(() => applyStrategicMergePatch(deploy(), { spec: { $patch: 'explode' } }, APPS), (e: unknown) => e instanceof PatchError && e.status === 422);
    assert.throws(() => applyStrategicMergePatch(deploy(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, APPS), (e: unknown) => e instanceof PatchError && e.status === 422);
  });
});

describe('applyStrategicMergePatch $setElementOrder interleaving', () => {
  const list = (names: string[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: names.map((name) => ({ name })) } });
  const names = (o: unknown) => (o as Any).spec.containers.map((c: Any) => c.name);

  it('keeps server-only items at their live place between the reordered patch items', () => {
    // live a b c d; the client names d, e (new), b. Server-only a, c go before the first named item that comes
    // after them in the live list (mergeSortedSlice): a (0) and c (2) both precede d (3).
    const patch = { spec: { '$setElementOrder/containers': [{ name: 'd' }, { name: 'e' }, { name: 'b' }], containers: [{ name: 'e' }] } };
    assert.deepEqual(names(applyStrategicMergePatch(list(['a', 'b', 'c', 'd']), patch, { group: '', kind: 'Pod' })), ['a', 'c', 'd', 'e', 'b']);
    // Named items first in live order: server-only ones that come later stay after them.
    const patch2 = { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: 'x' }] } };
    assert.deepEqual(names(applyStrategicMergePatch(list(['a', 'b', 'c']), patch2, { group: '', kind: 'Pod' })), ['b', 'a', 'c']);
  });

  it('orders primitive lists too (finalizers)', () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['x', 'y'] } };
    const out = applyStrategicMergePatch(obj, { metadata: { '$setElementOrder/finalizers': ['z', 'y', 'x'], finalizers: ['z'] } }, { group: '', kind: 'ConfigMap' }) as Any;
    assert.deepEqual(out.metadata.finalizers, ['z', 'y', 'x']);
  });
});
