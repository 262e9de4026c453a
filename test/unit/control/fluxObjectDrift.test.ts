import { strict as assert } from 'node:assert';
import { controlRefOfApp } from '../../../src/core/control/find-app';
import { fluxObjectDrift } from '../../../src/core/control/fluxObjectDrift';
import type { KubeObject } from '../../../src/core/model';

// Issue 17: the palette's stand-in for a HelmRelease was labelled a flux-kustomization, so anything mapping it back
// to its object addressed a Kustomization of the same name.
describe('control/fluxObjectDrift (stand-ins for Flux objects outside the tree)', () => {
  it('addresses a HelmRelease (listed without kind) as a HelmRelease, not a Kustomization', () => {
    const hr: KubeObject = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: undefined as unknown as string, metadata: { name: 'podinfo', namespace: 'apps' }, spec: {} };
    const d = fluxObjectDrift(hr, 'HelmRelease');
    assert.deepEqual(controlRefOfApp(d.app), { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease', namespace: 'apps', name: 'podinfo' });
    assert.equal(d.app.id, 'flux-helmrelease:apps/podinfo');
    assert.equal(d.state.controller, 'flux');
  });
  it('addresses a GitRepository as a GitRepository', () => {
    const repo: KubeObject = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'site', namespace: 'flux-system' } };
    assert.equal(controlRefOfApp(fluxObjectDrift(repo, 'GitRepository').app).kind, 'GitRepository');
  });
});
