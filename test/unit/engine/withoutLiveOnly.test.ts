import * as assert from 'node:assert/strict';
import { withoutLiveOnly } from '../../../src/core/engine/withoutLiveOnly';
import type { KubeObject } from '../../../src/core/model';

describe('withoutLiveOnly', () => {
  it('removes hand-added live-only fields from the Git side and leaves the rest', () => {
    const predicted: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web', hotfix: 'yes' } },
      spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'A', value: '1' }, { name: 'DEBUG', value: '1' }, { name: 'B', value: '2' }, { name: 'TRACE', value: '1' }] }] } } },
    };
    const out = withoutLiveOnly(predicted, [
      { path: 'x', category: 'live-only', fieldPath: [{ field: 'spec' }, { field: 'template' }, { field: 'spec' }, { field: 'containers' }, { key: { name: 'web' } }, { field: 'env' }, { key: { name: 'DEBUG' } }] },
      { path: 'y', category: 'live-only', fieldPath: [{ field: 'spec' }, { field: 'template' }, { field: 'spec' }, { field: 'containers' }, { key: { name: 'web' } }, { field: 'env' }, { key: { name: 'TRACE' } }] },
      { path: 'z', category: 'live-only', fieldPath: [{ field: 'metadata' }, { field: 'labels' }, { field: 'hotfix' }] },
      { path: 'spec.replicas', category: 'modified', fieldPath: [{ field: 'spec' }, { field: 'replicas' }], desired: 2, live: 3 },
    ])!;
    assert.deepEqual((out.spec as any).template.spec.containers[0].env.map((e: { name: string }) => e.name), ['A', 'B']);
    assert.deepEqual(out.metadata.labels, { app: 'web' });
    assert.equal((predicted.spec as any).template.spec.containers[0].env.length, 4, 'input untouched');
  });
});
