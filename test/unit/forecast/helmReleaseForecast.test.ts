// Revert forecast for Flux HelmRelease apps (issue 14 item 2): helm-controller corrects drift only with
// `driftDetection.mode: enabled` (Flux's default is disabled), honours `driftDetection.ignore`, leaves live-only
// fields alone, keeps everything while suspended, and never removes objects it did not install.
import * as assert from 'node:assert/strict';
import { appStateOf } from '../../../src/core/engine/appState';
import type { App, FieldChange, KubeObject, ResourceDiff } from '../../../src/core/model';
import { forecastChange, forecastResource, type ForecastApp } from '../../../src/core/forecast/revertForecast';

const now = new Date('2026-11-28T12:00:00Z');
const hrApp: App = { id: 'flux-helmrelease:flux-system/shop', name: 'shop', kind: 'flux-helmrelease', sourceType: 'helm' };

function hr(spec: Record<string, unknown>): ForecastApp {
  const liveApp: KubeObject = {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'shop', namespace: 'flux-system' },
    spec: { interval: '10m', ...spec },
    status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-28T11:50:00Z' }] },
  };
  return { app: hrApp, liveApp, state: appStateOf(liveApp, now) };
}
const currency: FieldChange = { path: 'data.currency', category: 'modified', desired: 'EUR', live: 'GBP', manager: 'kubectl-edit' };
const cm = (status: ResourceDiff['status'] = 'Modified'): ResourceDiff => ({ ref: { group: '', kind: 'ConfigMap', namespace: 'shop', name: 'shop-settings' }, status, changes: [] });

describe('revert forecast: Flux HelmRelease', () => {
  it('drift detection off (the default) or warn: kept until the next Helm upgrade', () => {
    const f = forecastChange(hr({}), cm(), currency, now);
    assert.equal(f.when, 'next-sync');
    assert.equal(f.rule, 'spec.driftDetection.mode: disabled');
    assert.match(f.reason, /does not correct drift.*next Helm upgrade/);
    assert.equal(forecastChange(hr({ driftDetection: { mode: 'warn' } }), cm(), currency, now).rule, 'spec.driftDetection.mode: warn');
  });

  it('drift detection enabled: corrected at the next reconcile, except ignored paths and live-only fields', () => {
    const f = forecastChange(hr({ driftDetection: { mode: 'enabled' } }), cm(), currency, now);
    assert.deepEqual([f.when, f.at, f.rule], ['next-reconcile', '2026-11-28T12:00:00Z', 'spec.driftDetection.mode: enabled']);
    const ignored = forecastChange(hr({ driftDetection: { mode: 'enabled', ignore: [{ paths: ['/data/currency'], target: { kind: 'ConfigMap' } }] } }), cm(), currency, now);
    assert.deepEqual([ignored.when, ignored.rule], ['never', 'spec.driftDetection.ignore: /data/currency']);
    const liveOnly = forecastChange(hr({ driftDetection: { mode: 'enabled' } }), cm(), { path: 'data.extra', category: 'live-only', live: 'x', manager: 'kubectl-edit' }, now);
    assert.equal(liveOnly.when, 'never');
    assert.match(liveOnly.rule, /helm-controller/);
  });

  it('suspended: kept while suspended; objects Helm did not install are never removed', () => {
    const f = forecastChange(hr({ suspend: true, driftDetection: { mode: 'enabled' } }), cm(), currency, now);
    assert.equal(f.when, 'while-paused');
    assert.match(f.reason, /Flux HelmRelease suspended/);
    assert.equal(forecastResource(hr({}), cm('ExtraLive'), now)?.when, 'never');
    assert.equal(forecastResource(hr({}), cm('MissingLive'), now)?.when, 'next-sync');
    assert.equal(forecastResource(hr({ driftDetection: { mode: 'enabled' } }), cm('MissingLive'), now)?.when, 'next-reconcile');
  });
});
