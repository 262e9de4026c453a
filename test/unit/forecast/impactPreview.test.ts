import * as assert from 'node:assert/strict';
import { appStateOf } from '../../../src/core/engine/appState';
import type { App, FieldChange, KubeObject, ResourceDiff } from '../../../src/core/model';
import { appAfter, previewImpact, type ImpactInput } from '../../../src/core/forecast/impactPreview';

const now = new Date('2026-11-28T12:00:00Z');
const replicas: FieldChange = { path: 'spec.replicas', category: 'modified', desired: 3, live: 5, manager: 'kubectl-edit', time: '2026-11-28T11:48:00Z' };
const env: FieldChange = { path: 'spec.template.spec.containers[name=web].env[name=DEBUG]', category: 'live-only', live: { name: 'DEBUG', value: '1' }, manager: 'kubectl-edit', time: '2026-11-28T11:49:00Z' };
const ctrl: FieldChange = { path: 'metadata.labels.x', category: 'modified', desired: 'a', live: 'b', manager: 'some-operator' };
const obj = (kind: string, name: string): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'shop' } });
const web: ResourceDiff = { ref: { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web' }, status: 'Modified', changes: [replicas, env, ctrl], desired: obj('Deployment', 'web'), live: obj('Deployment', 'web') };
const ing: ResourceDiff = { ref: { group: 'networking.k8s.io', kind: 'Ingress', namespace: 'shop', name: 'web' }, status: 'MissingLive', changes: [], desired: obj('Ingress', 'web') };
const old: ResourceDiff = { ref: { group: '', kind: 'ConfigMap', namespace: 'shop', name: 'old' }, status: 'ExtraLive', changes: [], live: obj('ConfigMap', 'old') };

function argo(spec: Record<string, unknown>, annotations: Record<string, string> = {}): ImpactInput['drift'] {
  const liveApp: KubeObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'shop', namespace: 'argocd', annotations }, spec, status: { reconciledAt: '2026-11-28T11:59:00Z' } };
  const app: App = { id: 'argo:argocd/shop', name: 'shop', kind: 'argo-application', sourceType: 'directory' };
  return { app, liveApp, state: appStateOf(liveApp, now), resources: [web, ing, old] };
}
function flux(spec: Record<string, unknown>, annotations: Record<string, string> = {}): ImpactInput['drift'] {
  const liveApp: KubeObject = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'infra', namespace: 'flux-system', annotations }, spec: { interval: '10m', prune: true, ...spec }, status: {} };
  const app: App = { id: 'flux:flux-system/infra', name: 'infra', kind: 'flux-kustomization', sourceType: 'directory' };
  return { app, liveApp, state: appStateOf(liveApp, now), resources: [web, ing, old] };
}

describe('impact preview (core)', () => {
  it('Argo sync: reverts the fields Git sets (with who set them live), creates what is missing, prunes nothing without prune; live-only edits stay', () => {
    const p = previewImpact({ action: 'sync', drift: argo({}), now });
    assert.deepEqual(p.items.map((i) => [i.kind, i.ref.kind, i.change?.path]), [
      ['revert', 'Deployment', 'spec.replicas'],
      ['revert', 'Deployment', 'metadata.labels.x'],
      ['create', 'Ingress', undefined],
    ]);
    assert.equal(p.summary, 'reverts 2 fields, creates 1 object');
    assert.equal(p.lines[0], 'revert  Deployment shop/web spec.replicas: 5 -> 3 (set live by kubectl-edit at 2026-11-28T11:48:00Z)');
    assert.deepEqual(p.reverts, [{ ref: web.ref, paths: ['spec.replicas'] }], 'only human edits are offered for capture');
  });

  it('Argo sync with prune also prunes; a selective sync only touches the chosen resources', () => {
    assert.deepEqual(previewImpact({ action: 'sync-prune', drift: argo({}), now }).items.map((i) => i.kind), ['revert', 'revert', 'create', 'prune']);
    assert.deepEqual(previewImpact({ action: 'sync-prune', drift: argo({}), now, resources: [old.ref] }).lines, ['prune   ConfigMap shop/old']);
  });

  it('Argo resume auto-sync: with the remembered selfHeal + prune everything reverts; without selfHeal nothing changes now', () => {
    const paused = argo({ syncPolicy: { automated: { selfHeal: true, prune: true, enabled: false } } }, { 'gitops-drift.dev/paused-by': '{"user":"alice"}' });
    assert.equal(previewImpact({ action: 'resume', drift: paused, now }).summary, 'reverts 2 fields, creates 1 object, prunes 1 object');
    const removed = argo({ syncPolicy: {} }, { 'gitops-drift.dev/paused-automated': '{"prune":true}' });
    assert.equal(previewImpact({ action: 'resume', drift: removed, now }).summary, 'nothing in the cluster changes');
  });

  it('End breakglass restores the recorded settings: auto-sync that was off before stays off', () => {
    const record = (previous: unknown) => JSON.stringify({ user: 'bob', reason: 'x', started: '2026-11-28T11:00:00Z', expires: '2026-11-28T13:00:00Z', previous });
    const was = argo({ syncPolicy: { automated: { enabled: false, selfHeal: true } } }, { 'gitops-drift.dev/breakglass': record({ automated: { selfHeal: true }, method: 'enabled-false' }) });
    assert.equal(previewImpact({ action: 'breakglass-end', drift: was, now }).summary, 'reverts 2 fields, creates 1 object');
    const off = argo({}, { 'gitops-drift.dev/breakglass': record({ automated: null, method: 'none' }) });
    assert.equal(previewImpact({ action: 'breakglass-end', drift: off, now }).items.length, 0);
  });

  it('Flux resume / reconcile: Git fields revert, kubectl live-only edits are lost, prune: true prunes', () => {
    const p = previewImpact({ action: 'resume', drift: flux({ suspend: true }), now });
    assert.deepEqual(p.items.map((i) => i.kind), ['revert', 'lose', 'revert', 'create', 'prune']);
    assert.match(p.lines[1], /^lose {4}Deployment shop\/web spec\.template\.spec\.containers\[name=web\]\.env\[name=DEBUG\]: .*added live by kubectl-edit.*not in Git/);
    assert.deepEqual(p.reverts, [{ ref: web.ref, paths: ['spec.replicas', env.path] }]);
    assert.equal(previewImpact({ action: 'reconcile', drift: flux({}), now }).items.length, 5);
    assert.equal(previewImpact({ action: 'reconcile', drift: flux({ suspend: true }), now }).items.length, 0, 'a suspended Kustomization does not reconcile');
  });

  it('appAfter never changes its input', () => {
    const d = argo({ syncPolicy: { automated: { enabled: false } } });
    const before = JSON.stringify(d.liveApp);
    appAfter('resume', d.liveApp);
    appAfter('sync-prune', d.liveApp);
    assert.equal(JSON.stringify(d.liveApp), before);
  });
});
