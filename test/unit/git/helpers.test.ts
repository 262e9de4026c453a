import assert from 'node:assert/strict';
import { buildBranchName, sanitizeRef } from '../../../src/core/git/branchName';
import { formatCaptureMessage } from '../../../src/core/git/captureMessage';
import { compareUrl, parseRemoteUrl } from '../../../src/core/git/remoteUrl';

describe('git/branchName', () => {
  const now = new Date(Date.UTC(2026, 0, 5, 7, 3));
  it('fills the default pattern in UTC', () => {
    assert.equal(buildBranchName({ app: 'guestbook', kind: 'Deployment', name: 'web', now }), 'breakglass/guestbook-deployment-web-20260105-0703');
  });
  it('fills custom patterns and keeps placeholders from adding path levels', () => {
    assert.equal(buildBranchName({ pattern: 'fix/<namespace>/<name>-<yyyymmdd>', kind: 'Service', name: 'api', namespace: 'prod', now }), 'fix/prod/api-20260105');
    assert.equal(buildBranchName({ app: 'argo:argocd/guestbook', kind: 'Deployment', name: 'web', now }), 'breakglass/argo-argocd-guestbook-deployment-web-20260105-0703');
  });
  it('sanitizes to a valid ref', () => {
    assert.equal(sanitizeRef('a b..c~d^e:f?g*h[i\\j'), 'a-b.c-d-e-f-g-h-i-j');
    assert.equal(sanitizeRef('/.x/y.lock/z./'), 'x/y-lock/z');
    assert.equal(sanitizeRef('@'), 'capture');
  });
});

describe('git/captureMessage', () => {
  it('lists fields, old → new, attribution and the cluster context', () => {
    const msg = formatCaptureMessage({
      ref: { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web' },
      app: 'shop',
      context: 'kind-prod',
      changes: [
        { path: 'spec.replicas', category: 'modified', desired: 2, live: 5, manager: 'kubectl-scale', time: '2026-01-05T07:00:00Z' },
        { path: 'spec.template.spec.containers[name=web].image', category: 'modified', desired: 'nginx:1.27', live: 'nginx:1.28' },
        { path: 'metadata.labels.debug', category: 'missing', desired: 'on', manager: 'kubectl-edit' },
      ],
    });
    assert.equal(
      msg,
      'Capture live 3 changes to Deployment shop/web\n\n' +
        'Captured from the live apps/Deployment shop/web (cluster context kind-prod, app shop):\n' +
        '- spec.replicas: 2 → 5 (kubectl-scale at 2026-01-05T07:00:00Z)\n' +
        '- spec.template.spec.containers[name=web].image: nginx:1.27 → nginx:1.28\n' +
        '- metadata.labels.debug: on → (absent) (kubectl-edit)\n',
    );
  });
  it('never prints Secret values', () => {
    const msg = formatCaptureMessage({ ref: { group: '', kind: 'Secret', namespace: 'a', name: 's' }, changes: [{ path: 'metadata.labels.x', category: 'modified', desired: 'topsecret1', live: 'topsecret2' }] });
    assert.doesNotMatch(msg, /topsecret/);
    assert.match(msg, /\(hidden\) → \(hidden\)/);
  });
});

describe('git/remoteUrl', () => {
  it('parses https, ssh and scp-style remotes', () => {
    assert.deepEqual(parseRemoteUrl('https://github.com/acme/shop.git'), { host: 'github.com', path: 'acme/shop' });
    assert.deepEqual(parseRemoteUrl('https://user@GitLab.com/group/sub/shop'), { host: 'gitlab.com', path: 'group/sub/shop' });
    assert.deepEqual(parseRemoteUrl('ssh://git@bitbucket.org:7999/team/shop.git'), { host: 'bitbucket.org', path: 'team/shop' });
    assert.deepEqual(parseRemoteUrl('git@github.com:acme/shop.git'), { host: 'github.com', path: 'acme/shop' });
    assert.equal(parseRemoteUrl('/srv/git/shop.git'), undefined);
  });
  it('builds compare / merge request / pull request pages', () => {
    assert.equal(compareUrl('git@github.com:acme/shop.git', 'breakglass/x', 'main'), 'https://github.com/acme/shop/compare/main...breakglass/x?expand=1');
    assert.equal(compareUrl('https://github.com/acme/shop', 'b'), 'https://github.com/acme/shop/compare/b?expand=1');
    assert.equal(
      compareUrl('git@gitlab.com:group/sub/shop.git', 'breakglass/x', 'main'),
      'https://gitlab.com/group/sub/shop/-/merge_requests/new?merge_request%5Bsource_branch%5D=breakglass%2Fx&merge_request%5Btarget_branch%5D=main',
    );
    assert.equal(compareUrl('https://bitbucket.org/team/shop.git', 'breakglass/x', 'main'), 'https://bitbucket.org/team/shop/pull-requests/new?source=breakglass%2Fx&dest=main');
    assert.equal(compareUrl('https://git.example.com/a/b.git', 'x', 'main'), undefined);
  });
});
