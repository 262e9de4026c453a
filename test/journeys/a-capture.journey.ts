// Journey (a): a person finds a drifted resource in the Drift view, opens its Git ↔ live diff, hovers the drifted
// line in the source YAML, captures from the hover, confirms the plan dialog; the commit is in the repository and
// the resource turns Synced in the tree.
import * as assert from 'node:assert/strict';
import { cluster, journeyWorld } from './current';
import { git } from './harness';

describe('journey (a): find drift → diff → capture from the hover → commit → Synced', function () {
  it('captures the live edit of the suspended Flux Deployment into a commit on a new branch', async function () {
    const w = journeyWorld();
    const { wb, page } = w;
    const s = w.world.scenarios.suspendedKustomization;
    await wb.begin('a-capture');

    // Find: the app with drift, its drifted Deployment.
    const app = await wb.treeRowAt([cluster(), s.name]);
    await wb.waitForDescription(app, /suspended · 1 drifted/, 120_000);
    const resource = await wb.treeRowAt([cluster(), s.name, 'Deployment', s.deployment]);
    assert.match(await wb.waitForDescription(resource, /^modified/), /kubectl-edit/);
    await wb.screenshot('drift-view-shows-modified-redis');

    // Open the diff by clicking the row: the live side has what kubectl edit added.
    await wb.openRow(resource, new RegExp(`^${s.deployment} · Git ↔ live`));
    await page.locator('.editor-group-container.active .monaco-diff-editor .view-line', { hasText: 'REDIS_MAXMEMORY' }).first().waitFor({ state: 'visible' });
    await wb.screenshot('git-live-diff');

    // The source file: the drifted line is decorated; its hover offers the capture.
    const hover = await wb.hoverAt('infra/redis.yaml', 'replicas: 1');
    const hoverText = await hover.innerText();
    assert.match(hoverText, /spec\.replicas/);
    assert.match(hoverText, /kubectl-edit/);
    // The Kustomization is suspended: Flux would refuse a reconcile, so the hover offers none.
    assert.deepEqual(await hover.locator('a', { hasText: /^\s*Reconcile\s*$/ }).allInnerTexts(), []);
    assert.ok(await hover.locator('a', { hasText: 'Show diff' }).count(), 'the hover has its links');
    await wb.screenshot('hover-on-replicas');
    await hover.locator('a', { hasText: 'Capture live value' }).click();

    // The field picker: the hovered field is preselected; the person adds the env var too.
    assert.match(await wb.quickInputTitle(), /Capture live changes of .*redis/);
    const items = await wb.quickPickItems();
    assert.ok(items.includes('spec.replicas'), `items: ${items.join(' | ')}`);
    const env = items.find((i) => i.includes('REDIS_MAXMEMORY'));
    assert.ok(env, `an item for the env var: ${items.join(' | ')}`);
    assert.deepEqual(await wb.quickPickChecked(), ['spec.replicas'], 'only the hovered field is preselected');
    await wb.quickPickCheck(env);
    assert.deepEqual((await wb.quickPickChecked()).sort(), [env, 'spec.replicas'].sort());
    await wb.screenshot('fields-picked');
    await wb.quickInputAccept();

    // The plan: which file changes; confirm.
    const plan = await wb.dialog();
    assert.match(plan.message, /Capture 2 live change/);
    assert.match(plan.detail, /infra\/redis\.yaml/);
    await wb.screenshot('capture-plan-dialog');
    await wb.dialogButton('Commit on New Branch');

    const done = await wb.notification(/^Captured 2 change/, 60_000, { recorded: true });
    await wb.screenshot('captured-notification');
    const branch = /into (\S+) \(([0-9a-f]{8})\)/.exec(done);
    assert.ok(branch, `branch and commit in "${done}"`);

    // The commit exists, on that branch, touching only the manifest, with the live values.
    assert.equal(git(w, ['rev-parse', '--abbrev-ref', 'HEAD']), branch[1]);
    assert.ok(git(w, ['rev-parse', 'HEAD']).startsWith(branch[2]));
    assert.deepEqual(git(w, ['show', '--name-only', '--format=', 'HEAD']).split('\n'), ['infra/redis.yaml']);
    const message = git(w, ['log', '-1', '--format=%B']);
    assert.match(message, /spec\.replicas/);
    assert.match(message, /REDIS_MAXMEMORY/);
    const file = git(w, ['show', 'HEAD:infra/redis.yaml']);
    assert.match(file, /replicas: 2/);
    assert.match(file, /REDIS_MAXMEMORY/);
    assert.match(file, /# A small Redis cache/, 'comments kept');

    // The tree turns Synced.
    await wb.waitForDescription(await wb.treeRowAt([cluster(), s.name]), /^suspended$/, 60_000);
    await wb.waitForDescription(await wb.treeRowAt([cluster(), s.name, 'Deployment', s.deployment]), /^Synced/, 60_000);
    await wb.screenshot('tree-synced');
    // Back to main in a terminal, as after pushing the branch for review (the next journeys start from main).
    git(w, ['checkout', '--quiet', 'main']);
  });
});
