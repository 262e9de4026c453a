import * as assert from 'node:assert/strict';
import { reportOf } from '../../../src/cli/output';
import type { AppDrift, DriftSnapshot } from '../../../src/core/engine/driftTypes';
import { GitOpsError, type App, type KubeObject } from '../../../src/core/model';

const liveGuestbook: KubeObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'guestbook', namespace: 'argocd' },
  spec: { source: { repoURL: 'https://git.example/demo/gitops.git', path: 'apps/guestbook', targetRevision: 'main' }, destination: { namespace: 'guestbook' } },
};

// Two unrelated workspace definitions that happen to be named guestbook (as in a checkout of the Argo CD examples).
const drift = (id: string, problem: string, resources: AppDrift['resources'] = []): AppDrift => ({
  app: { id, name: 'guestbook', kind: 'argo-application', namespace: 'argocd', sourceType: 'unknown', problem } as App,
  liveApp: liveGuestbook,
  state: { controller: 'argo' },
  resources,
  errors: [new GitOpsError('invalid', `guestbook: ${problem}`)],
  skipped: [],
});

const snap = (apps: AppDrift[]): DriftSnapshot => ({ clusters: [{ context: 'gitops-demo', apps }], computedAt: '', timings: {} as DriftSnapshot['timings'] });

describe('cli: diff --app outside the app repository (issue 17.9)', () => {
  it('says once that the live source is not in the workspace and how to point at it, instead of the workspace definitions\' problems', () => {
    const s = snap([drift('argo:argocd/guestbook#a', 'the Application has no source with a repoURL and a path or chart'), drift('argo:argocd/guestbook#b', 'the Application has no source with a repoURL and a path or chart')]);
    const r = reportOf(s, 'guestbook', { workspace: { dir: '/home/me/other', remotes: ['git@github.com:me/other.git'] } });
    assert.deepEqual(r.errors, [
      {
        context: 'gitops-demo',
        app: 'guestbook',
        reason: 'notFound',
        message: "the app's source https://git.example/demo/gitops.git apps/guestbook is not in the workspace /home/me/other: run from a checkout of that repository, or point at it with --repo DIR",
      },
    ]);
  });
  it('keeps the errors when the workspace is the app repository (a real problem there)', () => {
    const s = snap([drift('argo:argocd/guestbook', 'path apps/guestbook was not found in /src/gitops')]);
    const r = reportOf(s, 'guestbook', { workspace: { dir: '/src/gitops', remotes: ['https://git.example/demo/gitops'] } });
    assert.deepEqual(r.errors?.map((e) => e.message), ['guestbook: path apps/guestbook was not found in /src/gitops']);
  });
});
