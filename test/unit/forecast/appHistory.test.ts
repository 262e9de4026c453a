import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appHistory, commitOf } from '../../../src/core/history/appHistory';
import { changedSince, fileAtRevision, hasRevision } from '../../../src/core/history/gitRevision';
import { buildControlEvent } from '../../../src/core/control/events';
import type { KubeObject, ResourceDiff } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';

const SHA1 = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);

const argoApp: KubeObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'shop', namespace: 'argocd', uid: 'u1' },
  status: {
    history: [
      { id: 0, revision: SHA1, deployStartedAt: '2026-11-28T09:00:00Z', deployedAt: '2026-11-28T09:00:05Z', source: { repoURL: 'https://git.example/shop.git', path: 'apps/shop' }, initiatedBy: { username: 'admin' } },
      { id: 1, revision: SHA2, deployStartedAt: '2026-11-28T10:00:00Z', deployedAt: '2026-11-28T10:00:04Z', initiatedBy: { automated: true } },
    ],
    operationState: {
      phase: 'Failed',
      message: 'one or more objects failed to apply',
      startedAt: '2026-11-28T11:00:00Z',
      finishedAt: '2026-11-28T11:00:03Z',
      operation: { sync: { revision: SHA2 }, initiatedBy: { username: 'bob' } },
      syncResult: { revision: SHA2, resources: [{ kind: 'Deployment', namespace: 'shop', name: 'web', status: 'SyncFailed', message: 'field is immutable' }] },
    },
  },
};

describe('app history (core)', () => {
  it('Argo CD: history entries and the last operation with its per-resource results, newest first', () => {
    const h = appHistory({ liveApp: argoApp });
    assert.deepEqual(h.map((e) => [e.time, e.kind, e.title, e.revision]), [
      ['2026-11-28T11:00:03Z', 'operation', 'Sync operation Failed (bob): one or more objects failed to apply', SHA2],
      ['2026-11-28T10:00:04Z', 'sync', 'Synced to bbbbbbb (automated)', SHA2],
      ['2026-11-28T09:00:05Z', 'sync', 'Synced to aaaaaaa (admin)', SHA1],
    ]);
    assert.equal(h[0].result, 'failed');
    assert.deepEqual(h[0].detail, ['Deployment shop/web: SyncFailed — field is immutable']);
  });

  it('Flux: conditions with applied / attempted revisions and the snapshot history', () => {
    const ks: KubeObject = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'infra', namespace: 'flux-system' },
      status: {
        lastAppliedRevision: `main@sha1:${SHA1}`,
        lastAttemptedRevision: `main@sha1:${SHA2}`,
        conditions: [{ type: 'Ready', status: 'False', reason: 'BuildFailed', message: 'kustomize build failed', lastTransitionTime: '2026-11-28T11:30:00Z' }],
        history: [{ digest: 'sha256:x', firstReconciled: '2026-11-28T08:00:00Z', lastReconciled: '2026-11-28T11:00:00Z', lastReconciledStatus: 'ReconciliationSucceeded', totalReconciliations: 4, metadata: { revision: `main@sha1:${SHA1}` } }],
      },
    };
    const h = appHistory({ liveApp: ks });
    assert.equal(h[0].title, 'Ready=False (BuildFailed)');
    assert.equal(h[0].result, 'failed');
    assert.equal(h[0].revision, SHA2, 'a failed Ready names the attempted revision');
    assert.deepEqual(h[0].detail, ['kustomize build failed', `last applied main@sha1:${SHA1}`, `last attempted main@sha1:${SHA2}`]);
    assert.equal(h[1].title, 'Reconciled aaaaaaa: ReconciliationSucceeded (4× since 2026-11-28T08:00:00Z)');
    assert.equal(h[1].revision, SHA1);
  });

  it('merges the extension\'s own Events and live edits (one per resource, manager and time) in time order', () => {
    const ev = buildControlEvent(argoApp, 'AutoSyncPaused', 'auto-sync paused (automated.enabled: false) by alice (alice@example.com)', new Date('2026-11-28T10:30:00Z'));
    const web: ResourceDiff = {
      ref: { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web' },
      status: 'Modified',
      changes: [
        { path: 'spec.replicas', category: 'modified', desired: 2, live: 5, manager: 'kubectl-edit', time: '2026-11-28T10:45:00Z' },
        { path: 'spec.template.spec.containers[name=web].env[name=DEBUG]', category: 'live-only', live: {}, manager: 'kubectl-edit', time: '2026-11-28T10:45:00Z' },
        { path: 'metadata.labels.x', category: 'modified', desired: 'a', live: 'b' },
      ],
    };
    const h = appHistory({ liveApp: argoApp, events: [ev], resources: [web] });
    assert.deepEqual(h.map((e) => e.kind), ['operation', 'live-edit', 'event', 'sync', 'sync']);
    const edit = h[1];
    assert.equal(edit.title, 'kubectl-edit changed Deployment shop/web live');
    assert.deepEqual(edit.detail, ['spec.replicas', 'spec.template.spec.containers[name=web].env[name=DEBUG] (not in Git)']);
    assert.deepEqual(edit.resource, web.ref);
    assert.equal(h[2].title, 'AutoSyncPaused: auto-sync paused (automated.enabled: false) by alice (alice@example.com)');
    assert.equal(h[2].who, 'alice (alice@example.com)');
    assert.deepEqual(h[2].detail, ['reported by gitops-drift']);
  });

  it('commitOf reads Argo and Flux revisions, nothing else', () => {
    assert.equal(commitOf(SHA1), SHA1);
    assert.equal(commitOf(`main@sha1:${SHA1}`), SHA1);
    assert.equal(commitOf(`sha1:${SHA1}`), SHA1);
    assert.equal(commitOf('v1.2.3'), undefined);
    assert.equal(commitOf('--upload-pack=x'), undefined);
  });

  describe('files at a revision (git)', () => {
    let dir: string;
    let first: string;
    const git = (...args: string[]) => execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } }).trim();
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hist-git-'));
      git('init', '-q', '-b', 'main');
      fs.mkdirSync(path.join(dir, 'apps/shop'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'apps/shop/deploy.yaml'), 'replicas: 2\n');
      fs.writeFileSync(path.join(dir, 'apps/shop/[weird]*.yaml'), 'a: 1\n');
      git('add', '-A');
      git('commit', '-q', '-m', 'one');
      first = git('rev-parse', 'HEAD');
      fs.writeFileSync(path.join(dir, 'apps/shop/deploy.yaml'), 'replicas: 3\n');
      fs.writeFileSync(path.join(dir, 'apps/shop/new.yaml'), 'b: 1\n');
      git('add', '-A');
      git('commit', '-q', '-m', 'two');
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('reads a file at a revision (literal names), undefined when it did not exist then', async () => {
      assert.equal(await fileAtRevision(nodeProcessRunner, dir, first, path.join(dir, 'apps/shop/deploy.yaml')), 'replicas: 2\n');
      assert.equal(await fileAtRevision(nodeProcessRunner, dir, first, path.join(dir, 'apps/shop/[weird]*.yaml')), 'a: 1\n');
      assert.equal(await fileAtRevision(nodeProcessRunner, dir, first, path.join(dir, 'apps/shop/new.yaml')), undefined);
    });

    it('lists the app folder\'s files changed since a revision', async () => {
      assert.deepEqual((await changedSince(nodeProcessRunner, dir, first, path.join(dir, 'apps/shop'))).sort(), [path.join(dir, 'apps/shop/deploy.yaml'), path.join(dir, 'apps/shop/new.yaml')]);
    });

    it('refuses anything but a commit SHA, and tells whether the repository has it', async () => {
      await assert.rejects(fileAtRevision(nodeProcessRunner, dir, '--output=/tmp/x', path.join(dir, 'apps/shop/deploy.yaml')), /not a commit SHA/);
      assert.equal(await hasRevision(nodeProcessRunner, dir, first), true);
      assert.equal(await hasRevision(nodeProcessRunner, dir, 'c'.repeat(40)), false);
    });
  });
});
