// Journey (b): a prune-sync of an app whose destination is a production cluster (hub and spoke: the Application is
// listed in the demo cluster and deploys to `prod-eu`) asks for the app name typed out, refuses a wrong one, and
// syncs with prune once the right name is typed.
import * as assert from 'node:assert/strict';
import { cluster, journeyWorld } from './current';
import { kubectlJson, PROD_APP } from './harness';

describe('journey (b): prune-sync to a production destination asks for the typed app name', function () {
  it('refuses a wrong name, then syncs with prune on the right one', async function () {
    const w = journeyWorld();
    const { wb } = w;
    await wb.begin('b-prune-guard');
    const appPath = [cluster(), PROD_APP.name];
    await wb.treeRowAt(appPath);
    await wb.screenshot('app-deploying-to-prod-eu');
    const history = async () => ((await kubectlJson(w, ['-n', 'argocd', 'get', 'application', PROD_APP.name])).status?.history ?? []).length;
    const before = await history();

    // Sync and Prune: the production guard asks for the name.
    await wb.contextMenu(await wb.treeRowAt(appPath), 'Sync App…');
    await wb.quickPick('Sync and Prune');
    const title = await wb.quickInputTitle();
    assert.match(title, /prune/i);
    assert.match(title, new RegExp(PROD_APP.context));
    // A wrong name: the box says so and does not accept it.
    await wb.inputBox('billing');
    await wb.inputBoxMessage(new RegExp(`Type exactly ${PROD_APP.name}`));
    assert.match(await wb.quickInputTitle(), new RegExp(PROD_APP.context), 'the box stays open');
    await wb.screenshot('wrong-name-refused');
    await wb.page.keyboard.press('Escape');
    await wb.quickInputHidden();

    // Again, with the right name: the sync runs with prune.
    await wb.contextMenu(await wb.treeRowAt(appPath), 'Sync App…');
    await wb.quickPick('Sync and Prune');
    await wb.inputBox(PROD_APP.name);
    await wb.notification(new RegExp(`^${PROD_APP.name}: sync Succeeded`), 120_000);
    await wb.screenshot('synced-with-prune');
    const app = await kubectlJson(w, ['-n', 'argocd', 'get', 'application', PROD_APP.name]);
    assert.equal(app.status.operationState.operation.sync.prune, true);
    // Only the confirmed sync ran: the refused one never reached Argo CD.
    assert.equal(await history(), before + 1);
    assert.deepEqual((await wb.recordedNotifications()).filter((n) => n.severity === 'error'), []);
  });
});
