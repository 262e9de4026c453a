// The desired side carries the metadata the controller adds when it applies (engine/trackingMetadata).
import assert from 'node:assert/strict';
import { withTrackingMetadata } from '../../../src/core/engine/trackingMetadata';
import type { App, KubeObject } from '../../../src/core/model';

const hrApp = {
  kind: 'flux-helmrelease',
  name: 'podinfo',
  namespace: 'apps',
  helmRelease: { releaseName: 'shop-podinfo', releaseNamespace: 'shop', storageNamespace: 'shop' },
} as unknown as App;

describe('withTrackingMetadata', () => {
  it('a HelmRelease object carries the ownership metadata Helm writes on install (seen from the real helm-controller v1.6.4)', () => {
    const desired: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-podinfo-settings', namespace: 'shop', labels: { app: 'x' } } };
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'shop-podinfo-settings',
        namespace: 'shop',
        labels: { app: 'x', 'app.kubernetes.io/managed-by': 'Helm', 'helm.toolkit.fluxcd.io/name': 'podinfo', 'helm.toolkit.fluxcd.io/namespace': 'apps' },
        annotations: { 'meta.helm.sh/release-name': 'shop-podinfo', 'meta.helm.sh/release-namespace': 'shop' },
      },
    };
    const out = withTrackingMetadata(desired, live, hrApp);
    assert.deepEqual(out.metadata.labels, { app: 'x', 'app.kubernetes.io/managed-by': 'Helm', 'helm.toolkit.fluxcd.io/name': 'podinfo', 'helm.toolkit.fluxcd.io/namespace': 'apps' });
    assert.deepEqual(out.metadata.annotations, { 'meta.helm.sh/release-name': 'shop-podinfo', 'meta.helm.sh/release-namespace': 'shop' });
  });

  it('taken from live only with this release\'s values (another release\'s, or none, is not copied)', () => {
    const desired: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' } };
    const live: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop', annotations: { 'meta.helm.sh/release-name': 'other', 'meta.helm.sh/release-namespace': 'shop' } } };
    const out = withTrackingMetadata(desired, live, hrApp);
    assert.equal(out.metadata.labels, undefined);
    assert.deepEqual(out.metadata.annotations, { 'meta.helm.sh/release-namespace': 'shop' });
    assert.deepEqual(withTrackingMetadata(desired, { ...desired }, hrApp), desired);
  });

  it('a Kustomization object gets no Helm metadata', () => {
    const desired: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'web' } };
    const app = { kind: 'flux-kustomization', name: 'web', namespace: 'flux-system' } as unknown as App;
    assert.deepEqual(withTrackingMetadata(desired, { ...desired }, app), desired);
  });
});
