import * as assert from 'node:assert/strict';
import { appStateOf } from '../../../src/core/engine/appState';
import type { App, FieldChange, KubeObject, ResourceDiff } from '../../../src/core/model';
import { forecastChange, forecastDiff, forecastResource, type ForecastApp } from '../../../src/core/forecast/revertForecast';
import { forecastLabel, forecastText } from '../../../src/core/forecast/describeForecast';
import { parseGoDuration } from '../../../src/core/forecast/goDuration';
import { appForecast } from '../../../src/core/forecast/appForecast';

const now = new Date('2026-11-28T12:00:00Z');

const argoApp: App = { id: 'argo:argocd/shop', name: 'shop', kind: 'argo-application', sourceType: 'directory' };
const fluxApp: App = { id: 'flux:flux-system/infra', name: 'infra', kind: 'flux-kustomization', sourceType: 'kustomize' };

function argo(spec: Record<string, unknown>, annotations: Record<string, string> = {}, status: Record<string, unknown> = { reconciledAt: '2026-11-28T11:59:00Z' }): ForecastApp {
  const liveApp: KubeObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'shop', namespace: 'argocd', annotations }, spec, status };
  return { app: argoApp, liveApp, state: appStateOf(liveApp, now) };
}

function flux(spec: Record<string, unknown>, annotations: Record<string, string> = {}, status?: Record<string, unknown>): ForecastApp {
  const liveApp: KubeObject = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'infra', namespace: 'flux-system', annotations },
    spec: { interval: '10m', prune: true, ...spec },
    status: status ?? {
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-28T10:00:00Z' }],
      history: [{ lastReconciled: '2026-11-28T11:55:00Z' }],
    },
  };
  return { app: fluxApp, liveApp, state: appStateOf(liveApp, now) };
}

const replicas: FieldChange = { path: 'spec.replicas', category: 'modified', desired: 2, live: 5, manager: 'kubectl-edit', time: '2026-11-28T11:48:00Z' };
const debugEnv = (manager: string): FieldChange => ({ path: 'spec.template.spec.containers[name=web].env[name=DEBUG]', category: 'live-only', live: { name: 'DEBUG', value: '1' }, manager });

function deploy(changes: FieldChange[], annotations: Record<string, string> = {}, status: ResourceDiff['status'] = 'Modified'): ResourceDiff {
  const obj: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web', annotations } };
  return { ref: { group: 'apps', kind: 'Deployment', namespace: 'web', name: 'web' }, status, changes, desired: status === 'ExtraLive' ? undefined : obj, live: status === 'MissingLive' ? undefined : obj };
}

describe('revert forecast (core)', () => {
  describe('Argo CD', () => {
    it('automated + selfHeal → reverted at the next reconcile, within the reconciliation timeout after the last one', () => {
      const f = forecastChange(argo({ syncPolicy: { automated: { selfHeal: true } } }), deploy([replicas]), replicas, now);
      assert.equal(f.when, 'next-reconcile');
      assert.equal(f.at, '2026-11-28T12:02:00Z');
      assert.equal(f.rule, 'spec.syncPolicy.automated.selfHeal: true');
      assert.match(f.reason, /self-heal/);
      assert.match(forecastLabel(f, now), /reverted at the next reconcile \(~12:02 UTC, in 2 min\)/);
    });

    it('a reconcile timeout already passed → any moment now, never a time in the past', () => {
      const f = forecastChange(argo({ syncPolicy: { automated: { selfHeal: true } } }, {}, { reconciledAt: '2026-11-28T11:00:00Z' }), deploy([replicas]), replicas, now);
      assert.equal(f.at, '2026-11-28T12:00:00Z');
      assert.match(forecastLabel(f, now), /any moment now/);
    });

    it('automated without selfHeal → kept until the next sync', () => {
      const f = forecastChange(argo({ syncPolicy: { automated: { prune: true } } }), deploy([replicas]), replicas, now);
      assert.equal(f.when, 'next-sync');
      assert.match(f.rule, /without selfHeal/);
    });

    it('no automated policy → kept until someone syncs', () => {
      const f = forecastChange(argo({}), deploy([replicas]), replicas, now);
      assert.equal(f.when, 'next-sync');
      assert.equal(f.rule, 'no spec.syncPolicy.automated');
    });

    it('auto-sync paused with enabled: false → kept while paused, naming who paused it', () => {
      const by = JSON.stringify({ user: 'alice', gitUser: 'alice@example.com', at: '2026-11-28T11:30:00Z' });
      const f = forecastChange(argo({ syncPolicy: { automated: { selfHeal: true, enabled: false } } }, { 'gitops-drift.dev/paused-by': by }), deploy([replicas]), replicas, now);
      assert.equal(f.when, 'while-paused');
      assert.equal(f.rule, 'spec.syncPolicy.automated.enabled: false');
      assert.equal(f.by, 'alice (alice@example.com)');
      assert.match(f.reason, /paused by alice/);
    });

    it('auto-sync removed by a pause (settings kept in the annotation) → kept while paused', () => {
      const f = forecastChange(argo({ syncPolicy: {} }, { 'gitops-drift.dev/paused-automated': '{"selfHeal":true}' }), deploy([replicas]), replicas, now);
      assert.equal(f.when, 'while-paused');
      assert.match(f.rule, /automated removed/);
    });

    it('skip-reconcile → kept while paused, even with self-heal on', () => {
      const f = forecastChange(argo({ syncPolicy: { automated: { selfHeal: true } } }, { 'argocd.argoproj.io/skip-reconcile': 'true' }), deploy([replicas]), replicas, now);
      assert.equal(f.when, 'while-paused');
      assert.match(f.rule, /skip-reconcile/);
    });

    it('breakglass → kept while paused with who started it and the expiry', () => {
      const record = { user: 'bob', reason: 'hotfix', ticket: 'INC-7', started: '2026-11-28T11:40:00Z', expires: '2026-11-28T12:40:00Z', previous: { automated: { selfHeal: true } } };
      const f = forecastChange(
        argo({ syncPolicy: { automated: { selfHeal: true, enabled: false } } }, { 'gitops-drift.dev/breakglass': JSON.stringify(record) }),
        deploy([replicas]),
        replicas,
        now,
      );
      assert.equal(f.when, 'while-paused');
      assert.equal(f.rule, 'gitops-drift.dev/breakglass');
      assert.equal(f.by, 'bob');
      assert.equal(f.until, '2026-11-28T12:40:00Z');
      assert.match(f.reason, /hotfix \(INC-7\)/);
      assert.match(forecastLabel(f, now), /breakglass expires 12:40 UTC/);
    });

    it('an expired breakglass says so', () => {
      const record = { user: 'bob', reason: 'hotfix', started: '2026-11-28T10:00:00Z', expires: '2026-11-28T11:00:00Z', previous: {} };
      const f = forecastChange(argo({ syncPolicy: { automated: { enabled: false } } }, { 'gitops-drift.dev/breakglass': JSON.stringify(record) }), deploy([replicas]), replicas, now);
      assert.match(f.reason, /expired 2026-11-28T11:00:00Z/);
    });

    it('a live-only field argocd-controller does not own → never reverted, lost if recreated (even with self-heal)', () => {
      const c = debugEnv('kubectl-edit');
      const f = forecastChange(argo({ syncPolicy: { automated: { selfHeal: true } } }), deploy([c]), c, now);
      assert.equal(f.when, 'never');
      assert.equal(f.lostIfRecreated, true);
      assert.match(forecastLabel(f, now), /lost if the object is recreated/);
    });

    it('prune candidate: deleted at the next reconcile with automated prune + selfHeal; kept without prune; next sync when manual', () => {
      const extra = deploy([], {}, 'ExtraLive');
      assert.equal(forecastResource(argo({ syncPolicy: { automated: { prune: true, selfHeal: true } } }), extra, now)?.when, 'pruned');
      assert.equal(forecastResource(argo({ syncPolicy: { automated: { prune: true, selfHeal: true } } }), extra, now)?.at, '2026-11-28T12:02:00Z');
      assert.equal(forecastResource(argo({ syncPolicy: { automated: { prune: true } } }), extra, now)?.when, 'next-sync', 'without selfHeal: at the next auto-sync (a Git commit)');
      assert.equal(forecastResource(argo({ syncPolicy: { automated: { selfHeal: true } } }), extra, now)?.when, 'never');
      assert.equal(forecastResource(argo({}), extra, now)?.when, 'next-sync');
      assert.equal(forecastResource(argo({ syncPolicy: { automated: { prune: true, enabled: false } } }), extra, now)?.when, 'while-paused');
    });

    it('missing live: recreated by self-heal, or by the next sync', () => {
      const missing = deploy([], {}, 'MissingLive');
      assert.equal(forecastResource(argo({ syncPolicy: { automated: { selfHeal: true } } }), missing, now)?.when, 'next-reconcile');
      assert.equal(forecastResource(argo({}), missing, now)?.when, 'next-sync');
      assert.equal(forecastResource(argo({}), deploy([replicas]), now), undefined, 'a modified resource has only field forecasts');
    });
  });

  describe('Flux', () => {
    it('not suspended → reverted at the last reconcile + spec.interval', () => {
      const f = forecastChange(flux({}), deploy([replicas]), replicas, now);
      assert.equal(f.when, 'next-reconcile');
      assert.equal(f.at, '2026-11-28T12:05:00Z');
      assert.equal(f.rule, 'spec.interval: 10m');
      assert.match(f.reason, /last 2026-11-28T11:55:00Z \+ 10m/);
    });

    it('without history, the Ready condition time is the last reconcile; a failing one uses retryInterval and says why', () => {
      const f = forecastChange(
        flux({ retryInterval: '2m' }, {}, { conditions: [{ type: 'Ready', status: 'False', message: 'kustomize build failed', lastTransitionTime: '2026-11-28T11:59:00Z' }] }),
        deploy([replicas]),
        replicas,
        now,
      );
      assert.equal(f.at, '2026-11-28T12:01:00Z');
      assert.match(f.reason, /kustomize build failed/);
    });

    it('suspended → kept while suspended, naming who suspended it', () => {
      const f = forecastChange(flux({ suspend: true }, { 'gitops-drift.dev/paused-by': JSON.stringify({ user: 'carol' }) }), deploy([replicas]), replicas, now);
      assert.equal(f.when, 'while-paused');
      assert.equal(f.rule, 'spec.suspend: true');
      assert.match(f.reason, /suspended by carol/);
    });

    it('breakglass on a Kustomization → kept while paused with its expiry', () => {
      const record = { user: 'dan', reason: 'db fix', started: '2026-11-28T11:40:00Z', expires: '2026-11-28T13:00:00Z', previous: { suspend: false } };
      const f = forecastChange(flux({ suspend: true }, { 'gitops-drift.dev/breakglass': JSON.stringify(record) }), deploy([replicas]), replicas, now);
      assert.equal(f.when, 'while-paused');
      assert.equal(f.until, '2026-11-28T13:00:00Z');
    });

    for (const [annotation, value, rule] of [
      ['kustomize.toolkit.fluxcd.io/reconcile', 'disabled', /reconcile: disabled/],
      ['kustomize.toolkit.fluxcd.io/ssa', 'IfNotPresent', /ssa: IfNotPresent/],
      ['kustomize.toolkit.fluxcd.io/ssa', 'Ignore', /ssa: Ignore/],
    ] as const) {
      it(`${annotation}: ${value} → never reverted`, () => {
        const f = forecastChange(flux({}), deploy([replicas], { [annotation]: value }), replicas, now);
        assert.equal(f.when, 'never');
        assert.match(f.rule, rule);
      });
    }

    it('reconcile: disabled as a live label counts too', () => {
      const d = deploy([replicas]);
      d.live = { ...d.live!, metadata: { ...d.live!.metadata, labels: { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' } } };
      assert.equal(forecastChange(flux({}), d, replicas, now).when, 'never');
    });

    it('spec.ignore paths leave the field alone; other fields and other targets are still reverted', () => {
      const ks = flux({ ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }, { paths: ['/spec/template/spec/containers/0/image'], target: { kind: 'Deployment', name: 'web' } }] });
      const f = forecastChange(ks, deploy([replicas]), replicas, now);
      assert.equal(f.when, 'never');
      assert.equal(f.rule, 'spec.ignore: /spec/replicas');
      const image: FieldChange = { path: 'spec.template.spec.containers[name=web].image', category: 'modified', desired: 'a', live: 'b' };
      assert.equal(forecastChange(ks, deploy([image]), image, now).when, 'never');
      const label: FieldChange = { path: 'metadata.labels.team', category: 'modified', desired: 'a', live: 'b' };
      assert.equal(forecastChange(ks, deploy([label]), label, now).when, 'next-reconcile');
      const other = flux({ ignore: [{ paths: ['/spec/replicas'], target: { kind: 'StatefulSet' } }] });
      assert.equal(forecastChange(other, deploy([replicas]), replicas, now).when, 'next-reconcile');
    });

    it('a live-only field written by kubectl* is handed over and removed at the next reconcile', () => {
      const c = debugEnv('kubectl-edit');
      const f = forecastChange(flux({}), deploy([c]), c, now);
      assert.equal(f.when, 'next-reconcile');
      assert.match(f.reason, /takes over fields written by kubectl-edit/);
    });

    it('a live-only field of another manager (or under ssa: Merge) is not owned → never, lost if recreated', () => {
      const c = debugEnv('gitops-drift-breakglass');
      const f = forecastChange(flux({}), deploy([c]), c, now);
      assert.equal(f.when, 'never');
      assert.equal(f.lostIfRecreated, true);
      const k = debugEnv('kubectl-edit');
      const merged = forecastChange(flux({}), deploy([k], { 'kustomize.toolkit.fluxcd.io/ssa': 'Merge' }), k, now);
      assert.equal(merged.when, 'never');
      assert.match(merged.rule, /ssa: Merge/);
      // ssa: Merge still reverts the fields Git declares
      assert.equal(forecastChange(flux({}), deploy([replicas], { 'kustomize.toolkit.fluxcd.io/ssa': 'Merge' }), replicas, now).when, 'next-reconcile');
    });

    it('prune candidates: deleted at the next reconcile with prune: true; kept with prune off or prune: Disabled', () => {
      const extra = deploy([], {}, 'ExtraLive');
      const f = forecastResource(flux({}), extra, now);
      assert.equal(f?.when, 'pruned');
      assert.equal(f?.at, '2026-11-28T12:05:00Z');
      assert.equal(forecastResource(flux({ prune: false }), extra, now)?.when, 'never');
      assert.equal(forecastResource(flux({}), deploy([], { 'kustomize.toolkit.fluxcd.io/prune': 'Disabled' }, 'ExtraLive'), now)?.when, 'never');
      assert.equal(forecastResource(flux({ suspend: true }), extra, now)?.when, 'while-paused');
    });
  });

  it('a folder app has no controller: never reverted', () => {
    const a: ForecastApp = { app: { id: 'folder:x', name: 'x', kind: 'folder', sourceType: 'directory' }, state: appStateOf(undefined) };
    assert.equal(forecastChange(a, deploy([replicas]), replicas, now).when, 'never');
  });

  it('forecastDiff gives one forecast per change, in order', () => {
    const d = deploy([replicas, debugEnv('kubectl-edit')]);
    const r = forecastDiff(argo({ syncPolicy: { automated: { selfHeal: true } } }), d, now);
    assert.deepEqual(r.changes.map((f) => f.when), ['next-reconcile', 'never']);
    assert.equal(r.resource, undefined);
    assert.match(forecastText(r.changes[1], now), /^not reverted \(lost if the object is recreated\) — .* \[not in Git, not owned by argocd-controller's apply\]$/);
  });

  it('parses Go durations', () => {
    assert.equal(parseGoDuration('10m'), 600_000);
    assert.equal(parseGoDuration('1h0m30s'), 3_630_000);
    assert.equal(parseGoDuration('500ms'), 500);
    assert.equal(parseGoDuration('10 minutes'), undefined);
    assert.equal(parseGoDuration(''), undefined);
  });
});

describe('app-level forecast (apps listing)', () => {
  it('answers for a field Git sets: self-heal, paused, suspended', () => {
    assert.equal(appForecast(argo({ syncPolicy: { automated: { selfHeal: true } } }), now).when, 'next-reconcile');
    assert.equal(appForecast(argo({ syncPolicy: { automated: { enabled: false } } }), now).when, 'while-paused');
    assert.equal(appForecast(flux({ suspend: true }), now).when, 'while-paused');
    assert.equal(appForecast(flux({}), now).at, '2026-11-28T12:05:00Z');
  });
});
