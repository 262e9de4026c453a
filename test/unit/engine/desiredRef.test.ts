// Rendered objects' refs in their app (src/core/engine/desiredRef.ts): the live store keys cluster-scoped objects
// without a namespace, so an app's destination namespace must not be given to them (else: MissingLive forever).
import * as assert from 'node:assert/strict';
import { desiredRef } from '../../../src/core/engine/desiredRef';
import { diffResource } from '../../../src/core/diff';
import type { App, KubeObject } from '../../../src/core/model';

const app = { id: 'argo:web', name: 'web', kind: 'argo-application', destinationNamespace: 'team-a' } as unknown as App;
const pc = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 } as unknown as KubeObject;
const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } as unknown as KubeObject;

describe('desiredRef', () => {
  it('cluster-scoped kinds get no namespace, namespaced ones the destination namespace', () => {
    assert.equal(desiredRef(pc, app).namespace, '');
    assert.equal(desiredRef(cm, app).namespace, 'team-a');
    assert.equal(diffResource(pc, pc, { defaultNamespace: 'team-a' }).ref.namespace, '');
  });
});
