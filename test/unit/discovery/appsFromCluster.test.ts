import assert from 'node:assert/strict';
import * as path from 'node:path';
import { appsFromCluster, fillTemplate } from '../../../src/core/discovery';
import type { KubeObject } from '../../../src/core/model';

const REAL = path.resolve(__dirname, '../../fixtures/real-repos');
const TENANCY = path.join(REAL, 'fluxcd__flux2-multi-tenancy');
const TESTDATA = path.join(REAL, 'argoproj__argo-cd/test/e2e/testdata');

const application = (name: string, repoURL: string, p: string): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd', resourceVersion: '7' },
  spec: { source: { repoURL, path: p, targetRevision: 'HEAD' }, destination: { namespace: 'guestbook' } },
  status: { sync: { status: 'Synced' } },
});

describe('discovery/appsFromCluster', () => {
  const repos = [
    { root: TESTDATA, urls: ['git@github.com:argoproj/argo-cd.git'] },
    { root: TENANCY, urls: ['https://github.com/fluxcd/flux2-multi-tenancy'], branch: 'main' },
  ];

  it('keeps Applications that render from this workspace and drops the others', () => {
    const apps = appsFromCluster(
      [application('guestbook', 'https://github.com/argoproj/argo-cd', 'guestbook'), application('elsewhere', 'https://github.com/other/repo', 'x'), application('gone', 'https://github.com/argoproj/argo-cd.git', 'no-such-folder')],
      repos,
    );
    assert.deepEqual(
      apps.map((a) => [a.id, a.path && path.relative(TESTDATA, a.path), a.sourceType, a.problem]),
      [
        ['argo:argocd/guestbook', 'guestbook', 'kustomize', undefined],
        ['argo:argocd/gone', undefined, 'unknown', `path no-such-folder was not found in ${TESTDATA}`],
      ],
    );
    assert.equal(apps[0].definedIn, undefined);
    assert.equal(apps[0].destinationNamespace, 'guestbook');
  });

  it('follows a listed Flux Kustomization to its listed GitRepository', () => {
    const ks: KubeObject = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'tenants', namespace: 'flux-system' },
      spec: { sourceRef: { kind: 'GitRepository', name: 'flux-system' }, path: './tenants/staging', targetNamespace: 'apps' },
    };
    const gitRepo: KubeObject = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'flux-system', namespace: 'flux-system' }, spec: { url: 'ssh://git@github.com/fluxcd/flux2-multi-tenancy', ref: { branch: 'main' } } };
    const orphan: KubeObject = { ...ks, metadata: { name: 'orphan', namespace: 'flux-system' }, spec: { sourceRef: { kind: 'GitRepository', name: 'not-listed' } } };
    const apps = appsFromCluster([ks, gitRepo, orphan], repos);
    assert.deepEqual(
      apps.map((a) => [a.id, a.path && path.relative(TENANCY, a.path), a.sourceType, a.destinationNamespace, a.targetRevision]),
      [['flux:flux-system/tenants', 'tenants/staging', 'kustomize', 'apps', 'main']],
    );
  });

  it('fills fasttemplate and goTemplate parameters, leaving unknown ones', () => {
    const t = { name: '{{cluster}}-{{ values.env }}', path: 'a/{{missing}}' };
    assert.deepEqual(fillTemplate(t, { cluster: 'c1', values: { env: 'prod' } }, false), { name: 'c1-prod', path: 'a/{{missing}}' });
    assert.deepEqual(fillTemplate({ n: '{{.cluster}}/{{ .values.env }}' }, { cluster: 'c1', values: { env: 'prod' } }, true), { n: 'c1/prod' });
  });
});
