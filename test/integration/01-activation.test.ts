import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXT_ID = 'gitops-drift.gitops-drift';

describe('activation', () => {
  it('activates and exposes its API', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, 'extension is installed in the host');
    const api = await ext.activate();
    assert.ok(ext.isActive);
    assert.ok(Array.isArray(api.commands) && api.commands.length > 10);
  });

  it('contributes the GitOps view container and the Drift view', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID)!;
    const pkg = ext.packageJSON;
    assert.equal(pkg.contributes.viewsContainers.activitybar[0].id, 'gitopsDrift');
    assert.equal(pkg.contributes.views.gitopsDrift[0].id, 'gitopsDrift.drift');
    // Focusing the view only works when the host really knows it.
    await vscode.commands.executeCommand('gitopsDrift.drift.focus');
  });

  it('registers every declared command and declares every registered one', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID)!;
    await ext.activate();
    const declared = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command).sort();
    // View commands (`<view id>.focus` …) come with the views; the History view's entries have one internal command.
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('gitopsDrift.') && !c.startsWith('gitopsDrift.drift.') && !c.startsWith('gitopsDrift.history.')).sort();
    assert.deepEqual(registered, declared);
  });
});
