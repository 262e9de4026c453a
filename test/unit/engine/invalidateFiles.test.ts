// Saving one manifest (issue 16 item 3): only what reads the file is redone. An edit inside an app's folder
// keeps the discovered apps; a new folder, an app definition or a file declaring an app kind is discovered again.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DriftEngine } from '../../../src/core/engine/driftEngine';
import { nodeProcessRunner, type ProcessRunner } from '../../../src/core/ports';
import { FakeKubeClient } from '../kube/fake-kube-client';

const cm = (name: string, ns: string, v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  v: "${v}"\n`;

async function world() {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-drift-inval-'));
  for (const a of ['web', 'api']) {
    await fs.mkdir(path.join(root, 'apps', a), { recursive: true });
    await fs.writeFile(path.join(root, 'apps', a, 'cm.yaml'), cm(a, a, 'one'));
  }
  const runner: ProcessRunner & { git: number } = {
    git: 0,
    run(cmd, args, opts) {
      if (cmd === 'git') runner.git++;
      return nodeProcessRunner.run(cmd, args, opts);
    },
  };
  const client = new FakeKubeClient([
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'web' }, data: { v: 'one' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api', namespace: 'api' }, data: { v: 'one' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db', namespace: 'db' }, data: { v: 'one' } },
  ]);
  const engine = new DriftEngine({ roots: [root], clientFor: () => client, runner, trusted: false });
  await engine.compute(['fake']);
  return { root, engine, runner };
}

const appNames = async (engine: DriftEngine) => (await engine.compute(['fake'], { reuseLive: true })).clusters[0].apps.map((a) => a.app.name).sort();

describe('engine: invalidateFiles', () => {
  it('an edit inside an app re-diffs it without discovering the workspace again', async () => {
    const { root, engine, runner } = await world();
    const file = path.join(root, 'apps', 'web', 'cm.yaml');
    await fs.writeFile(file, cm('web', 'web', 'two'));
    const before = runner.git;
    engine.invalidateFiles([file]);
    const snap = await engine.compute(['fake'], { reuseLive: true });
    assert.equal(runner.git, before, 'no discovery (it reads the repository with git)');
    const web = snap.clusters[0].apps.find((a) => a.app.name === 'apps/web')!;
    assert.equal(web.resources[0].status, 'Modified');
  });

  it('a new folder, or a file that declares an app kind, is discovered again', async () => {
    const { root, engine, runner } = await world();
    await fs.mkdir(path.join(root, 'apps', 'db'));
    const file = path.join(root, 'apps', 'db', 'cm.yaml');
    await fs.writeFile(file, cm('db', 'db', 'one'));
    engine.invalidateFiles([file]);
    assert.deepEqual(await appNames(engine), ['apps/api', 'apps/db', 'apps/web']);

    const inside = path.join(root, 'apps', 'web', 'child-app.yaml');
    await fs.writeFile(inside, 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: child\n  namespace: argocd\nspec:\n  source:\n    path: apps/api\n');
    const before = runner.git;
    engine.invalidateFiles([inside]);
    await engine.compute(['fake'], { reuseLive: true });
    assert.ok(runner.git > before, 'discovery ran again');
  });
});
