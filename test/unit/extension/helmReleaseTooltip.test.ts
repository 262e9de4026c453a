// Issue 14 items 2 and 4 in the tree: a HelmRelease app says what it is, its release and where its chart (and so
// its desired state) comes from; Flux apps list what they depend on.
import * as assert from 'node:assert/strict';
import { DriftTreeModel } from '../../../src/extension/tree/driftTreeModel';
import type { AppDrift, DriftSnapshot } from '../../../src/core/engine/driftTypes';
import { appStateOf } from '../../../src/core/engine/appState';

const now = new Date('2026-11-28T12:00:00Z');

it('tree: HelmRelease app tooltip names the kind, release, chart source and dependsOn', () => {
  const live = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'redis', namespace: 'data' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  const app: AppDrift = {
    app: {
      id: 'flux-helmrelease:data/redis',
      name: 'redis',
      kind: 'flux-helmrelease',
      namespace: 'data',
      sourceType: 'unknown',
      dependsOn: ['flux-system/infra'],
      helmRelease: { releaseName: 'redis', releaseNamespace: 'data', storageNamespace: 'data', chartSource: 'HelmRepository flux-system/bitnami chart redis 17.x', local: false },
    },
    liveApp: live,
    state: appStateOf(live, now),
    resources: [],
    errors: [],
    skipped: [],
  };
  const snap: DriftSnapshot = { clusters: [{ context: 'dev', apps: [app] }], computedAt: now.toISOString(), timings: { discoverMs: 0, renderMs: 0, fetchMs: 0, diffMs: 0, totalMs: 0 } };
  const m = new DriftTreeModel(snap, { driftedOnly: false }, () => now);
  const [appNode] = m.children(m.roots()[0]);
  const tip = m.present(appNode).tooltip ?? '';
  assert.match(tip, /\*\*redis\*\* · Flux HelmRelease/);
  assert.match(tip, /Release `data\/redis` · chart from HelmRepository flux-system\/bitnami chart redis 17\.x — compared with the release stored in the cluster/);
  assert.match(tip, /Depends on: `flux-system\/infra`/);
});
