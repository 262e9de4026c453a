import { strict as assert } from 'node:assert';
import { describeProduction, productionGuard } from '../../../src/core/control/productionGuard';
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
