import * as assert from 'node:assert/strict';
import { liveEditBody } from '../../../src/core/engine/liveEditBody';
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
  it('sends whole lists that changed and reports deleted fields', () => {
    const edited = structuredClone(original);
    (edited.spec as any).template.spec.containers[0].env = [{ name: 'DEBUG', value: '1' }];
    delete edited.metadata.labels;
    const { body, removedPaths } = liveEditBody(original, edited);
    assert.deepEqual((body!.spec as any).template.spec.containers, [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'DEBUG', value: '1' }] }]);
    assert.deepEqual(removedPaths, ['metadata.labels']);
  });
  it('has no body when nothing changed (status is not editable)', () => {
    const edited = structuredClone(original);
    (edited.status as any).readyReplicas = 0;
    assert.equal(liveEditBody(original, edited).body, undefined);
  });
});
