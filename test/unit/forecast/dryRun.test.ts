import * as assert from 'node:assert/strict';
import { appStateOf } from '../../../src/core/engine/appState';
import type { AppDrift } from '../../../src/core/engine/driftTypes';
import type { KubeObject, ResourceDiff } from '../../../src/core/model';
import { previewImpact } from '../../../src/core/forecast/impactPreview';
import { actionOf, findAppDrift, formatPreview } from '../../../src/cli/dryRun';
import { editorImpactPreview } from '../../../src/extension/impactPreviewProvider';
import { DriftIndex } from '../../../src/extension/driftIndex';

const now = new Date('2026-11-28T12:00:00Z');
const liveApp: KubeObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'shop', namespace: 'argocd' }, spec: { syncPolicy: { automated: { enabled: false, selfHeal: true } } }, status: {} };
const web: ResourceDiff = { ref: { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web' }, status: 'Modified', changes: [{ path: 'spec.replicas', category: 'modified', desired: 2, live: 5, manager: 'kubectl-edit', time: '2026-11-28T11:00:00Z' }] };
const drift: AppDrift = { app: { id: 'argo:argocd/shop', name: 'shop', kind: 'argo-application', sourceType: 'directory' }, liveApp, state: appStateOf(liveApp, now), resources: [web], errors: [], skipped: [] };
const ref = { group: 'argoproj.io', kind: 'Application', namespace: 'argocd', name: 'shop' };

describe('impact preview in the CLI (--dry-run) and the editor port', () => {
  it('finds the app by its live object and prints the list, saying nothing was applied', () => {
    assert.equal(findAppDrift([drift], ref), drift);
    assert.equal(findAppDrift([drift], { ...ref, name: 'other' }), undefined);
    assert.equal(actionOf({ cmd: 'sync', values: { prune: true } }), 'sync-prune');
    const text = formatPreview('shop', 'resume', previewImpact({ action: 'resume', drift, now }), false);
    assert.equal(
      text,
      [
        'shop: resume — reverts 1 field',
        '  revert  Deployment shop/web spec.replicas: 5 -> 2 (set live by kubectl-edit at 2026-11-28T11:00:00Z)',
        'capture these first: Deployment shop/web (spec.replicas)',
        'nothing was applied (--dry-run)',
        '',
      ].join('\n'),
    );
    const json = JSON.parse(formatPreview('shop', 'resume', previewImpact({ action: 'resume', drift, now }), true));
    assert.equal(json.applied, false);
    assert.deepEqual(json.changes[0], { change: 'revert', group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web', path: 'spec.replicas', desired: 2, live: 5, manager: 'kubectl-edit', time: '2026-11-28T11:00:00Z' });
  });

  it('the editor port answers from the snapshot, and nothing when the action changes nothing', async () => {
    const index = new DriftIndex({ clusters: [{ context: 'prod', apps: [drift] }], computedAt: '', timings: {} as never });
    const provide = editorImpactPreview(() => index, () => []);
    const p = await provide({ action: 'resume', target: { context: 'prod', ref } });
    assert.equal(p?.summary, 'reverts 1 field');
    assert.equal(await provide({ action: 'resume', target: { context: 'other', ref } }), undefined);
    const synced = new DriftIndex({ clusters: [{ context: 'prod', apps: [{ ...drift, resources: [] }] }], computedAt: '', timings: {} as never });
    assert.equal(await editorImpactPreview(() => synced, () => [])({ action: 'sync', target: { context: 'prod', ref } }), undefined);
  });
});
