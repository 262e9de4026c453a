// Issue 16 item 6: held live objects drop the last-applied annotation where no diff reads it. The diff (verdict,
// changes with their attribution, ownership, the displayed objects) must be the same with the slimmed copy, on
// every file-based peer case (Argo CD / gitops-engine live objects, client-side and server-side applied) and for
// every applier the engine diffs with; and the annotation must really go where managedFields answer.
import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { diffResource } from '../../../src/core/diff';
import { DriftEngine } from '../../../src/core/engine/driftEngine';
import { readsLastApplied, withoutUnreadLastApplied } from '../../../src/core/engine/slimLive';
import type { KubeObject } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { FakeKubeClient } from '../kube/fake-kube-client';

const LA = 'kubectl.kubernetes.io/last-applied-configuration';
const root = path.resolve(__dirname, '../../fixtures/peer-diff');
const load = (rel: string): KubeObject => parse(fs.readFileSync(path.join(root, rel), 'utf8'), { version: '1.1' }) as KubeObject;
const cases: { id: string; config: string; live: string; options?: { manager?: string; ignoreAggregatedRoles?: boolean } }[] = JSON.parse(fs.readFileSync(path.join(root, 'cases.json'), 'utf8')).cases;
const MANAGERS = [undefined, 'argocd-controller', 'kustomize-controller'];

/** A Deployment applied client-side once (last-applied), then server-side by Argo CD; a kubectl edit since. */
function migrated(): KubeObject {
  const applied = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web' }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'web',
      uid: 'u1',
      resourceVersion: '7',
      annotations: { [LA]: JSON.stringify(applied), team: 'platform' },
      managedFields: [
        { manager: 'argocd-controller', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-12-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } } },
        { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'apps/v1', time: '2026-12-02T11:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:team': {} } }, 'f:spec': { 'f:paused': {} } } },
      ],
    },
    spec: { replicas: 2, paused: true, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  } as KubeObject;
}

describe('engine/slimLive: last-applied dropped only where no diff reads it (issue 16 item 6)', () => {
  it('gives the same diff with the slimmed live object on every peer case, for every applier', () => {
    let dropped = 0;
    let kept = 0;
    for (const c of cases) {
      for (const manager of [...new Set([...MANAGERS, c.options?.manager])]) {
        const config = load(c.config);
        const live = load(c.live);
        const before = JSON.stringify(live);
        const slim = withoutUnreadLastApplied(live, [manager]);
        assert.equal(JSON.stringify(live), before, `${c.id}: the listed object is never changed`);
        if (typeof live.metadata.annotations?.[LA] === 'string') {
          if (slim.metadata.annotations?.[LA] === undefined) dropped++;
          else kept++;
        }
        const opts = { manager, ignoreAggregatedRoles: c.options?.ignoreAggregatedRoles };
        assert.deepEqual(diffResource(load(c.config), slim, opts), diffResource(config, live, opts), `${c.id} with manager ${manager}`);
      }
    }
    // The corpus has both: client-side applied objects (kept) and objects whose managedFields answer (dropped).
    assert.ok(kept > 0, `kept on ${kept}`);
    assert.ok(dropped > 0, `dropped on ${dropped}`);
  });

  it('drops it from an object Argo CD now applies server-side, keeps it for an applier managedFields do not name', () => {
    const live = migrated();
    const desired: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web' }, spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } };
    const slim = withoutUnreadLastApplied(live, ['argocd-controller']);
    assert.equal(slim.metadata.annotations?.[LA], undefined);
    assert.deepEqual(slim.metadata.annotations, { team: 'platform' });
    assert.deepEqual(slim.metadata.managedFields, live.metadata.managedFields, 'managedFields stay: attribution and ownership read them');
    const a = diffResource(desired, live, { manager: 'argocd-controller' });
    const b = diffResource(desired, slim, { manager: 'argocd-controller' });
    assert.deepEqual(b, a);
    // replicas dropped from Git is a removal (owned via managedFields: back to the default 1); the hand edits are attributed.
    assert.deepEqual(a.changes.map((ch) => [ch.path, ch.category, ch.manager]).sort(), [
      ['metadata.annotations', 'live-only', 'kubectl-edit'],
      ['spec.paused', 'live-only', 'kubectl-edit'],
      ['spec.replicas', 'modified', 'argocd-controller'],
      ['spec.template.spec.containers[name=web].image', 'modified', 'argocd-controller'],
    ]);
    // Flux's applier has no Apply entry here: ownership comes from last-applied, so it stays.
    assert.equal(readsLastApplied(live, 'kustomize-controller'), true);
    assert.equal(withoutUnreadLastApplied(live, ['argocd-controller', 'kustomize-controller']), live);
  });

  it('the engine computes the same snapshot whether the cluster objects carry a stale last-applied or not', async () => {
    const repo = await fsp.mkdtemp(path.join(os.tmpdir(), 'gd-slim-'));
    try {
      await fsp.mkdir(path.join(repo, 'web'));
      const desired = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web' }, spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } };
      await fsp.writeFile(path.join(repo, 'web', 'deploy.yaml'), stringify(desired));
      const snapshot = async (live: KubeObject) => {
        // A folder app: the applier is detected from managedFields (argocd-controller's Apply entry).
        const engine = new DriftEngine({ roots: [repo], clientFor: () => new FakeKubeClient([live]), runner: nodeProcessRunner, trusted: false });
        const s = await engine.compute(['fake']);
        return s.clusters[0].apps.map((a) => a.resources.map((r) => ({ ...r, source: undefined })));
      };
      const withLa = migrated();
      const without = migrated();
      delete without.metadata.annotations![LA];
      const [a, b] = [await snapshot(withLa), await snapshot(without)];
      assert.equal(a.flat().length, 1);
      assert.deepEqual(a, b);
    } finally {
      await fsp.rm(repo, { recursive: true, force: true });
    }
  });
});
