import * as assert from 'node:assert/strict';
import { appStateOf } from '../../../src/core/engine/appState';
import type { AppDrift, DriftSnapshot } from '../../../src/core/engine/driftTypes';
import type { KubeObject, ResourceDiff } from '../../../src/core/model';
import { forecastAnchors } from '../../../src/core/forecast/forecastAnchors';
import { toDisplayYaml } from '../../../src/core/engine/displayYaml';
import { DriftTreeModel } from '../../../src/extension/tree/driftTreeModel';

const now = new Date('2026-11-28T12:00:00Z');

const fluxKs: KubeObject = {
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'infra', namespace: 'flux-system' },
  spec: { interval: '10m', prune: true },
  status: { conditions: [{ type: 'Ready', status: 'True' }], history: [{ lastReconciled: '2026-11-28T11:58:00Z' }] },
};
const live: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'redis', namespace: 'infra' },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'redis', image: 'redis:7', env: [{ name: 'REDIS_MAXMEMORY', value: '256mb' }] }] } } },
};
const redis: ResourceDiff = {
  ref: { group: 'apps', kind: 'Deployment', namespace: 'infra', name: 'redis' },
  status: 'Modified',
  live,
  changes: [
    { path: 'spec.replicas', category: 'modified', desired: 1, live: 2, manager: 'kubectl-edit' },
    { path: 'spec.template.spec.containers[name=redis].env[name=REDIS_MAXMEMORY]', category: 'live-only', live: { name: 'REDIS_MAXMEMORY', value: '256mb' }, manager: 'gitops-drift-breakglass' },
  ],
};
const drift: AppDrift = {
  app: { id: 'flux:flux-system/infra', name: 'infra', kind: 'flux-kustomization', sourceType: 'directory' },
  liveApp: fluxKs,
  state: appStateOf(fluxKs, now),
  resources: [redis],
  errors: [],
  skipped: [],
};

describe('revert forecast in the views', () => {
  it('the tree tooltip of a drifted resource has one forecast line per field', () => {
    const snap: DriftSnapshot = { clusters: [{ context: 'demo', apps: [drift] }], computedAt: '', timings: {} as DriftSnapshot['timings'] };
    const model = new DriftTreeModel(snap, { driftedOnly: false }, () => now);
    const node = model.allResources()[0];
    const tip = model.present(node).tooltip ?? '';
    assert.match(tip, /Will the controller revert it\?/);
    assert.match(tip, /`spec\.replicas`: reverted at the next reconcile \(~12:08 UTC, in 8 min\)/);
    assert.match(tip, /`spec\.template\.spec\.containers\[name=redis\]\.env\[name=REDIS_MAXMEMORY\]`: not reverted \(lost if the object is recreated\)/);
  });

  it('the tree tooltip of a Synced resource has no forecast', () => {
    const synced: AppDrift = { ...drift, resources: [{ ...redis, status: 'Synced', changes: [] }] };
    const model = new DriftTreeModel({ clusters: [{ context: 'demo', apps: [synced] }], computedAt: '', timings: {} as DriftSnapshot['timings'] }, { driftedOnly: false }, () => now);
    assert.doesNotMatch(model.present(model.allResources()[0]).tooltip ?? '', /revert/);
  });

  it('diff editor anchors: each field forecast sits on the field\'s line of the live side', () => {
    const text = toDisplayYaml(live);
    const lines = text.split('\n');
    const anchors = forecastAnchors(text, drift, redis, now);
    assert.equal(anchors.length, 2);
    const replicas = anchors.find((a) => a.change?.path === 'spec.replicas')!;
    assert.match(lines[replicas.line - 1], /replicas: 2/);
    assert.equal(replicas.forecast.when, 'next-reconcile');
    const env = anchors.find((a) => a.change?.category === 'live-only')!;
    assert.match(lines[env.line - 1], /name: REDIS_MAXMEMORY/);
    assert.equal(env.forecast.when, 'never');
  });

  it('a prune candidate gets one anchor on the first line', () => {
    const extra: ResourceDiff = { ...redis, status: 'ExtraLive', changes: [] };
    const anchors = forecastAnchors(toDisplayYaml(live), drift, extra, now);
    assert.deepEqual(anchors.map((a) => [a.line, a.forecast.when]), [[1, 'pruned']]);
  });
});
