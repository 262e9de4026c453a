// Bad input gets a clear message and loses nothing: an unreachable cluster and rejected credentials show up on
// the cluster node with their reason, and the next good refresh brings everything back.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse, stringify } from 'yaml';
import { extensionApi, waitFor, world } from './world';
import type { GitOpsDriftApi } from '../../src/extension/extension';

describe('cluster errors in the tree (demo world)', function () {
  this.timeout(60_000);
  let api: GitOpsDriftApi;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-bad-kubeconfig-'));
  const cfg = () => vscode.workspace.getConfiguration('gitopsDrift');

  /** The world's kubeconfig with one change applied. */
  function variant(name: string, change: (kc: any) => void): string {
    const kc = parse(fs.readFileSync(world().kubeconfigPath, 'utf8'));
    change(kc);
    const file = path.join(dir, name);
    fs.writeFileSync(file, stringify(kc));
    return file;
  }

  async function clusterMessage(reason: string): Promise<{ description?: string; message: string }> {
    return waitFor(`the cluster error ${reason}`, () => {
      const [root] = api.tree.roots();
      const c = root?.type === 'cluster' ? root.cluster : undefined;
      if (c?.error?.reason !== reason) return undefined;
      const [child] = api.tree.children(root);
      return { description: api.tree.present(root).description, message: api.tree.present(child).label };
    }, 20_000);
  }

  before(async () => {
    api = await extensionApi();
  });

  after(async () => {
    await cfg().update('kubeconfig', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('apps back', () => api.session.snapshot?.clusters[0]?.apps.length, 20_000);
  });

  it('shows an unreachable cluster as such', async () => {
    const file = variant('unreachable', (kc) => (kc.clusters[0].cluster.server = 'https://127.0.0.1:1'));
    await cfg().update('kubeconfig', [file], vscode.ConfigurationTarget.Workspace);
    const c = await clusterMessage('unreachable');
    assert.equal(c.description, 'unreachable');
    assert.match(c.message, /127\.0\.0\.1:1/);
  });

  it('shows rejected credentials as unauthorized', async () => {
    const file = variant('badtoken', (kc) => (kc.users[0].user.token = 'not-a-valid-token'));
    await cfg().update('kubeconfig', [file], vscode.ConfigurationTarget.Workspace);
    const c = await clusterMessage('unauthorized');
    assert.equal(c.description, 'unauthorized');
    assert.match(c.message, /401|Unauthorized|credentials/i);
  });
});
