import * as assert from 'node:assert/strict';
import { liveEditBody } from '../../../src/core/control/liveEditBody';
import type { KubeObject } from '../../../src/core/model';

const original: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  status: { readyReplicas: 2 },
};

describe('liveEditBody', () => {
  it('sends only the changed fields with the identity', () => {
    const edited = structuredClone(original);
    (edited.spec as any).replicas = 5;
    edited.metadata.labels = { app: 'web', hotfix: 'INC-7' };
    const { body, removedPaths } = liveEditBody(original, edited);
    assert.deepEqual(body, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels: { hotfix: 'INC-7' } }, spec: { replicas: 5 } });
    assert.deepEqual(removedPaths, []);
  });
  it('sends a changed keyed list item with its key only, and reports deleted fields', () => {
    const edited = structuredClone(original);
    (edited.spec as any).template.spec.containers[0].env = [{ name: 'DEBUG', value: '1' }];
    delete edited.metadata.labels;
    const { body, removedPaths } = liveEditBody(original, edited);
    assert.deepEqual((body!.spec as any).template.spec.containers, [{ name: 'web', env: [{ name: 'DEBUG', value: '1' }] }]);
    assert.deepEqual(removedPaths, ['metadata.labels']);
  });
  it('has no body when nothing changed (status is not editable)', () => {
    const edited = structuredClone(original);
    (edited.status as any).readyReplicas = 0;
    assert.equal(liveEditBody(original, edited).body, undefined);
  });

  describe('lists follow SSA list semantics (issue 17.4)', () => {
    const deployment = (): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', finalizers: ['a'] },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'nginx:1.27', args: ['-v'], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
              { name: 'side', image: 'busybox', env: [{ name: 'A', value: '1' }] },
            ],
          },
        },
      },
    });
    const containersOf = (b: KubeObject | undefined) => (b!.spec as any).template.spec.containers;

    it('one env var edited: only that container (by name) and that env var (by name) are sent', () => {
      const edited = deployment();
      (edited.spec as any).template.spec.containers[0].env[1].value = '3';
      const { body, removedPaths } = liveEditBody(deployment(), edited);
      assert.deepEqual(body, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'B', value: '3' }] }] } } } });
      assert.deepEqual(removedPaths, []);
    });
    it('an added item is sent whole; a removed keyed item is reported, not sent', () => {
      const edited = deployment();
      const side = (edited.spec as any).template.spec.containers[1];
      side.env = [{ name: 'C', value: '9' }];
      const { body, removedPaths } = liveEditBody(deployment(), edited);
      assert.deepEqual(containersOf(body), [{ name: 'side', env: [{ name: 'C', value: '9' }] }]);
      assert.deepEqual(removedPaths, ['spec.template.spec.containers[name=side].env[name=A]']);
    });
    it('multi-key items carry all their keys (container ports: containerPort + protocol, default TCP)', () => {
      const edited = deployment();
      (edited.spec as any).template.spec.containers[0].ports[0].name = 'http';
      assert.deepEqual(containersOf(liveEditBody(deployment(), edited).body), [{ name: 'web', ports: [{ containerPort: 80, name: 'http' }] }]);
    });
    it('atomic lists (args) are sent whole; sets (finalizers) send only added values', () => {
      const edited = deployment();
      (edited.spec as any).template.spec.containers[0].args = ['-v', '-x'];
      edited.metadata.finalizers = ['a', 'b'];
      const { body } = liveEditBody(deployment(), edited);
      assert.deepEqual(containersOf(body), [{ name: 'web', args: ['-v', '-x'] }]);
      assert.deepEqual(body!.metadata.finalizers, ['b']);
    });
    it('reordering a keyed list is not a change', () => {
      const edited = deployment();
      (edited.spec as any).template.spec.containers.reverse();
      assert.equal(liveEditBody(deployment(), edited).body, undefined);
    });
    it('lists of unknown type (custom resources without a resolver) are sent whole', () => {
      const cr: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { items: [{ name: 'a', v: 1 }, { name: 'b', v: 2 }] } };
      const edited = structuredClone(cr);
      (edited.spec as any).items[1].v = 3;
      assert.deepEqual((liveEditBody(cr, edited).body!.spec as any).items, [{ name: 'a', v: 1 }, { name: 'b', v: 3 }]);
      const keyed = liveEditBody(cr, edited, (_g, _k, p) => (p.join('.') === 'spec.items' ? { type: 'map', keys: ['name'] } : undefined));
      assert.deepEqual((keyed.body!.spec as any).items, [{ name: 'b', v: 3 }]);
    });
  });
});
