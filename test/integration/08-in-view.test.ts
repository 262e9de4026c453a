// Issue 17.16: commands run from the palette act on what the user is looking at when that is unambiguous — the
// resource of the active Git ↔ live diff, or the manifest under the cursor — and ask otherwise.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pick, withPrompts } from './prompts';
import { extensionApi, findResource, waitFor, world } from './world';
import type { GitOpsDriftApi } from '../../src/extension/extension';

describe('palette commands act on the resource in view (demo world)', function () {
  this.timeout(120_000);
  let api: GitOpsDriftApi;

  before(async () => {
    api = await extensionApi();
    await api.session.refresh();
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Capture from the palette in a diff editor captures that resource (no resource picker)', async () => {
    const b = world().scenarios.breakglass;
    const r = await waitFor('the drifted podinfo', () => {
      const x = findResource(api, 'Deployment', b.namespace, b.deployment);
      return x?.diff.status === 'Modified' && x;
    }, 20_000);
    await vscode.commands.executeCommand('gitopsDrift.openDiff', { context: r.context, appId: r.drift.app.id, ref: r.diff.ref });
    await waitFor('the diff editor', () => vscode.window.activeTextEditor?.document.uri.scheme === 'gitops-drift');
    // Cancelled at the first question: what matters is which resource it asks about.
    await withPrompts([pick(new RegExp(`^Capture live changes of Deployment ${b.namespace}/${b.deployment} into Git$`), undefined)], () => vscode.commands.executeCommand('gitopsDrift.captureLive'));
  });

  it('Show Diff from the palette in a manifest opens the diff of the document under the cursor', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(world().repoDir, 'guestbook/configmap.yaml'));
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.getText().split('\n').findIndex((l) => /^\s*name:/.test(l));
    editor.selection = new vscode.Selection(line, 2, line, 2);
    await withPrompts([], () => vscode.commands.executeCommand('gitopsDrift.openDiff'));
    const opened = await waitFor('the diff of the ConfigMap', () => {
      const uri = vscode.window.activeTextEditor?.document.uri;
      return uri?.scheme === 'gitops-drift' && /\/ConfigMap\/guestbook\//.test(uri.path) && uri;
    });
    assert.match(opened.path, /^\/(desired|live)\//);
  });

  it('in a kustomize base shared by two apps it asks which resource, matching kind, name, namespace and app', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(world().repoDir, 'podinfo/base/deployment.yaml'));
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.getText().split('\n').findIndex((l) => /^\s*replicas:/.test(l));
    editor.selection = new vscode.Selection(line, 2, line, 2);
    await withPrompts(
      [
        pick(/^Show diff for…$/, undefined, (p) => {
          const podinfo = p.options.filter((o) => o === `Deployment ${world().scenarios.breakglass.deployment}`);
          assert.ok(podinfo.length >= 2, `both apps' Deployments are offered: ${p.options.join(' | ')}`);
        }),
      ],
      () => vscode.commands.executeCommand('gitopsDrift.openDiff'),
    );
  });
});
