// Pure pieces of the simulated controllers: drift checks, merge patches, tracking and inventory ids,
// ApplicationSet templating, reading Git at a revision and rendering folders.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderTemplate } from './applicationset-controller';
import { isTrackedBy, parseTrackingId, trackingId } from './argo-tracking';
import { inventoryId, parseDuration } from './flux-controller';
import { TreeCache, resolveRevision } from './git-source';
import { healthOf, worstHealth } from './health';
import { createMergePatch, driftPaths } from './object-compare';
import { renderFolder } from './render-manifests';
import { createDemoRepo } from '../demo/create-demo-repo';

describe('simulated controllers: helpers', () => {
  it('driftPaths ignores server-added fields but sees changed values and extra list items', () => {
    const desired = { spec: { replicas: 2, template: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] } } };
    const live = { spec: { replicas: 2, strategy: {}, template: { containers: [{ name: 'a', imagePullPolicy: 'Always', env: [{ name: 'X', value: '1' }] }] } } };
    assert.deepEqual(driftPaths(desired, live), []);
    const edited = structuredClone(live);
    edited.spec.replicas = 5;
    edited.spec.template.containers[0].env.push({ name: 'Y', value: '2' });
    assert.deepEqual(driftPaths(desired, edited), ['spec.replicas', 'spec.template.containers[0].env']);
    assert.deepEqual(driftPaths({ port: 80 }, { port: '80' }), []);
    // As a server-side apply sees it: items others added to keyed lists are not drift, changed values are.
    assert.deepEqual(driftPaths(desired, edited, 'apply'), ['spec.replicas']);
    edited.spec.template.containers[0].env[0].value = '9';
    assert.deepEqual(driftPaths(desired, edited, 'apply'), ['spec.replicas', 'spec.template.containers[name=a].env[name=X].value']);
    assert.deepEqual(driftPaths({ args: ['a'] }, { args: ['a', 'b'] }, 'apply'), ['args']);
  });

  it('createMergePatch produces the RFC 7386 patch between two objects', () => {
    assert.equal(createMergePatch({ a: 1 }, { a: 1 }), undefined);
    assert.deepEqual(createMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1] }, { a: 1, b: { c: 4 }, l: [1, 2], e: 'x' }), { b: { c: 4, d: null }, l: [1, 2], e: 'x' });
  });

  it('tracking ids follow <app>:<group>/<kind>:<namespace>/<name> and copies do not track', () => {
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'prod' } };
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } };
    assert.equal(trackingId('guestbook', dep, 'x'), 'guestbook:apps/Deployment:prod/web');
    assert.equal(trackingId('guestbook', svc, 'dest'), 'guestbook:/Service:dest/web');
    assert.deepEqual(parseTrackingId('guestbook:/Service:dest/web'), { app: 'guestbook', group: '', kind: 'Service', namespace: 'dest', name: 'web' });
    const tracked = { ...dep, metadata: { ...dep.metadata, annotations: { 'argocd.argoproj.io/tracking-id': 'guestbook:apps/Deployment:prod/web' } } };
    assert.equal(isTrackedBy(tracked, 'guestbook', ''), true);
    assert.equal(isTrackedBy(tracked, 'other', ''), false);
    const copy = { ...tracked, metadata: { ...tracked.metadata, name: 'web-copy' } };
    assert.equal(isTrackedBy(copy, 'guestbook', ''), false);
  });

  it('Flux inventory ids are <namespace>_<name>_<group>_<kind>', () => {
    assert.equal(inventoryId({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'podinfo', namespace: 'default' } }), 'default_podinfo_apps_Deployment');
    assert.equal(inventoryId({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } }), '_ns1__Namespace');
  });

  it('Flux intervals are Go durations', () => {
    assert.equal(parseDuration('10m'), 600_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration(undefined), undefined);
  });

  it('ApplicationSet templates substitute list elements', () => {
    assert.deepEqual(renderTemplate({ metadata: { name: '{{team}}-app' }, spec: { path: 'teams/{{ .team }}', n: 3, keep: '{{unknown}}' } }, { team: 'billing' }), {
      metadata: { name: 'billing-app' },
      spec: { path: 'teams/billing', n: 3, keep: '{{unknown}}' },
    });
  });

  it('health: workloads short of available replicas are Progressing, absent objects Missing', () => {
    assert.equal(healthOf(undefined).status, 'Missing');
    assert.equal(healthOf({ kind: 'Deployment', spec: { replicas: 3 }, status: { availableReplicas: 1 } }).status, 'Progressing');
    assert.equal(healthOf({ kind: 'Deployment', spec: { replicas: 3 }, status: { availableReplicas: 3 } }).status, 'Healthy');
    assert.equal(worstHealth(['Healthy', 'Missing', 'Progressing']), 'Missing');
  });

  describe('with the demo repository', () => {
    let tmp: string;
    let trees: TreeCache;
    before(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctl-helpers-'));
      trees = new TreeCache();
    });
    after(() => {
      trees.dispose();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('createDemoRepo is reproducible: the same commits on every run', () => {
      const a = createDemoRepo(path.join(tmp, 'a'));
      const b = createDemoRepo(path.join(tmp, 'b'));
      assert.equal(a.headCommit, b.headCommit);
      assert.equal(a.initialCommit, b.initialCommit);
      assert.notEqual(a.initialCommit, a.headCommit);
      assert.match(fs.readFileSync(path.join(a.repoDir, 'argocd/guestbook.yaml'), 'utf8'), /repoURL: https:\/\/github\.com\/example\/gitops-demo\.git/);
    });

    it('reads a revision from Git, not from the working tree, and renders kustomize overlays and directories', async () => {
      const repo = path.join(tmp, 'a');
      const main = await resolveRevision(repo, 'main');
      assert.deepEqual(main, { sha: execFileSync('git', ['rev-parse', 'main'], { cwd: repo, encoding: 'utf8' }).trim(), refName: 'main', refType: 'branch' });
      fs.writeFileSync(path.join(repo, 'guestbook/uncommitted.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: uncommitted}\n');
      const head = await trees.tree(repo, main.sha);
      const guestbook = await renderFolder(head, 'guestbook');
      assert.deepEqual(guestbook.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['ConfigMap/guestbook-config', 'Deployment/guestbook-ui', 'Service/guestbook-ui']);
      const prod = await renderFolder(head, 'podinfo/overlays/production');
      const dep = prod.find((o) => o.kind === 'Deployment')!;
      assert.equal(dep.metadata.namespace, 'podinfo-production');
      assert.equal((dep.spec as any).replicas, 3);
      const first = await resolveRevision(repo, createDemoRepo(path.join(tmp, 'c')).initialCommit);
      assert.equal(first.refType, 'commit');
      const old = await renderFolder(await trees.tree(repo, first.sha), 'podinfo/overlays/staging');
      assert.ok(old.some((o) => o.metadata.name === 'podinfo-legacy-settings'));
      await assert.rejects(resolveRevision(repo, 'no-such-branch'), /not found/);
    });
  });
});
