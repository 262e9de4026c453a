import * as assert from 'node:assert/strict';
import { formatText, reportOf } from '../../../src/cli/output';
import { appStateOf } from '../../../src/core/engine/appState';
import type { AppDrift, DriftSnapshot } from '../../../src/core/engine/driftTypes';
import type { KubeObject, ResourceDiff } from '../../../src/core/model';

const now = new Date('2026-11-28T12:00:00Z');

function argoDrift(spec: Record<string, unknown>, resources: ResourceDiff[]): AppDrift {
  const liveApp: KubeObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'shop', namespace: 'argocd' }, spec, status: { reconciledAt: '2026-11-28T11:59:30Z' } };
  return { app: { id: 'argo:argocd/shop', name: 'shop', kind: 'argo-application', sourceType: 'directory' }, liveApp, state: appStateOf(liveApp, now), resources, errors: [], skipped: [] };
}

const web: ResourceDiff = {
  ref: { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
  status: 'Modified',
  changes: [
    { path: 'spec.replicas', category: 'modified', desired: 2, live: 5, manager: 'kubectl-edit', time: '2026-11-28T11:50:00Z' },
    { path: 'spec.template.spec.containers[name=web].env[name=DEBUG]', category: 'live-only', live: { name: 'DEBUG', value: '1' }, manager: 'kubectl-edit' },
  ],
};
const old: ResourceDiff = { ref: { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'old' }, status: 'ExtraLive', changes: [] };

const snap = (a: AppDrift): DriftSnapshot => ({ clusters: [{ context: 'prod', apps: [a] }], computedAt: '', timings: {} as DriftSnapshot['timings'] });

describe('cli output: revert forecasts', () => {
  it('JSON gives every change revert {when, at, reason, rule} and a prune candidate its own', () => {
    const r = reportOf(snap(argoDrift({ syncPolicy: { automated: { selfHeal: true, prune: true } } }, [web, old])), undefined, { now });
    const [deploy, cm] = r.resources;
    assert.deepEqual(
      deploy.changes.map((c) => [c.revert?.when, c.revert?.at, c.revert?.rule]),
      [
        ['next-reconcile', '2026-11-28T12:02:30Z', 'spec.syncPolicy.automated.selfHeal: true'],
        ['never', undefined, "not in Git, not owned by argocd-controller's apply"],
      ],
    );
    assert.equal(deploy.changes[1].revert?.lostIfRecreated, true);
    assert.equal(typeof deploy.changes[0].revert?.reason, 'string');
    assert.equal(deploy.revert, undefined);
    assert.equal(cm.revert?.when, 'pruned');
    // the JSON round-trips (no functions, no Dates)
    assert.deepEqual(JSON.parse(JSON.stringify(r)).resources[0].changes[0].revert.when, 'next-reconcile');
  });

  it('text shows the forecast under each change', () => {
    const r = reportOf(snap(argoDrift({ syncPolicy: { automated: { enabled: false, selfHeal: true } } }, [web])), undefined, { now });
    const text = formatText(r, { now });
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes('spec.replicas: 2 -> 5'));
    assert.match(lines[i + 1], /=> kept while paused: auto-sync paused: kept while paused .* \[spec\.syncPolicy\.automated\.enabled: false\]/);
    assert.match(text, /=> not reverted \(lost if the object is recreated\)/);
  });
});
