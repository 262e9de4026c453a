import { strict as assert } from 'node:assert';
import { actionNeedsGuard, describeProduction, productionGuard } from '../../../src/core/control/productionGuard';
import type { KubeObject } from '../../../src/core/model';

const argoApp = (destination: Record<string, string>): KubeObject => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'web', namespace: 'argocd' }, spec: { destination } });

describe('control/productionGuard (issue 17: hub and spoke)', () => {
  it('guards an app listed in a non-production hub that deploys to a production destination context', () => {
    const d = productionGuard({ context: 'mgmt', destinationContext: 'prod-eu' }, 'prod');
    assert.equal(d.confirm, true);
    assert.deepEqual(d.production, ['prod-eu']);
    assert.equal(describeProduction(d), 'production context prod-eu');
  });
  it('guards on the app context alone, and on both', () => {
    assert.deepEqual(productionGuard({ context: 'prod-mgmt' }, 'prod'), { confirm: true, production: ['prod-mgmt'] });
    assert.deepEqual(productionGuard({ context: 'prod-mgmt', destinationContext: 'prod-eu' }, 'prod').production, ['prod-mgmt', 'prod-eu']);
  });
  it('asks nothing when neither matches, or with no pattern', () => {
    assert.equal(productionGuard({ context: 'mgmt', destinationContext: 'staging-eu' }, 'prod').confirm, false);
    assert.equal(productionGuard({ context: 'prod', destinationContext: 'prod-eu' }, '').confirm, false);
  });
  it('guards an unresolved Argo destination whose cluster name looks like production', () => {
    assert.deepEqual(productionGuard({ context: 'mgmt', appObject: argoApp({ name: 'prod-us', namespace: 'web' }) }, 'prod').production, ['prod-us']);
    assert.equal(productionGuard({ context: 'mgmt', appObject: argoApp({ server: 'https://kubernetes.default.svc' }) }, 'prod').confirm, false);
  });
});

describe('control/productionGuard: which actions are guarded (issue 18.18)', () => {
  it('guards resume like pause: Argo resume auto-sync and Flux resume need the typed confirmation', () => {
    assert.equal(actionNeedsGuard('pause-auto-sync'), true);
    assert.equal(actionNeedsGuard('resume-auto-sync'), true);
    assert.equal(actionNeedsGuard('flux-suspend'), true);
    assert.equal(actionNeedsGuard('flux-resume'), true);
    assert.equal(actionNeedsGuard('skip-reconcile-on'), true);
    assert.equal(actionNeedsGuard('skip-reconcile-off'), true);
    assert.equal(actionNeedsGuard('breakglass-start'), true);
    assert.equal(actionNeedsGuard('sync-prune'), true);
  });
  it('leaves non-destructive actions unguarded', () => {
    for (const a of ['sync', 'sync-dry-run', 'refresh', 'terminate', 'flux-reconcile'] as const) assert.equal(actionNeedsGuard(a), false, a);
  });
});
