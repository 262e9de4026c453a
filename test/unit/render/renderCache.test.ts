// The persistent render cache (issue 16 item 4): a kustomize app is rendered again only when a file of its
// kustomization tree (including bases outside its folder) changed, also across restarts; a saved file re-renders
// only the apps whose tree contains it.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RenderStore } from '../../../src/core/engine/renderStore';
import type { App } from '../../../src/core/model';
import { nodeProcessRunner, type ProcessRunner } from '../../../src/core/ports';
import { RenderCache } from '../../../src/core/render/renderCache';
import type { RenderResult } from '../../../src/core/render/types';

const cm = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;
const kustomization = (...resources: string[]) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}`).join('\n')}\n`;

/** A repository with two overlays (web, api), each on its own base outside its folder. */
async function repo(): Promise<{ root: string; web: App; api: App }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-drift-rcache-'));
  for (const name of ['web', 'api']) {
    await fs.mkdir(path.join(root, 'bases', name), { recursive: true });
    await fs.writeFile(path.join(root, 'bases', name, 'cm.yaml'), cm(`${name}-config`, 'one'));
    await fs.writeFile(path.join(root, 'bases', name, 'kustomization.yaml'), kustomization('cm.yaml'));
    await fs.mkdir(path.join(root, 'apps', name), { recursive: true });
    await fs.writeFile(path.join(root, 'apps', name, 'kustomization.yaml'), kustomization(`../../bases/${name}`));
  }
  execFileSync('git', ['init', '-q'], { cwd: root });
  const app = (name: string): App => ({ id: `folder:apps/${name}`, name, kind: 'folder', sourceType: 'kustomize', path: path.join(root, 'apps', name), destinationNamespace: name });
  return { root, web: app('web'), api: app('api') };
}

/** Counts kustomize builds. */
function countingRunner(): ProcessRunner & { builds: number } {
  const r = {
    builds: 0,
    run(cmd: string, args: string[], opts: Parameters<ProcessRunner['run']>[2]) {
      if (args.includes('build') || args.includes('kustomize')) r.builds++;
      return nodeProcessRunner.run(cmd, args, opts);
    },
  };
  return r;
}

const valueOf = (r: RenderResult) => ((r.objects[0].object as { data?: { value?: string } }).data ?? {}).value;

describe('render cache', () => {
  it('answers a restarted store from disk while the kustomization tree is unchanged, and renders again when a base changes', async () => {
    const { root, web } = await repo();
    const cacheDir = path.join(root, '.cache');
    const first = countingRunner();
    const a = new RenderStore({ runner: first, trusted: true, cacheDir });
    const r1 = await a.render(web, undefined);
    assert.equal(valueOf(r1), 'one');
    assert.equal(first.builds, 1);
    // Let the asynchronous save finish.
    for (let i = 0; i < 50 && !(await fs.readdir(path.join(cacheDir, 'render-cache-v1')).catch(() => [])).length; i++) await new Promise((r) => setTimeout(r, 20));

    const second = countingRunner();
    const b = new RenderStore({ runner: second, trusted: true, cacheDir });
    const r2 = await b.render(web, undefined);
    assert.equal(second.builds, 0, 'no kustomize build after a restart with the same inputs');
    assert.deepEqual(r2.objects, r1.objects);
    assert.deepEqual(b.stats, { cached: 1, rendered: 0 });

    // The base is outside the app's folder: changing it must still render again.
    await fs.writeFile(path.join(root, 'bases', 'web', 'cm.yaml'), cm('web-config', 'two'));
    const third = countingRunner();
    const c = new RenderStore({ runner: third, trusted: true, cacheDir });
    assert.equal(valueOf(await c.render(web, undefined)), 'two');
    assert.equal(third.builds, 1);
  });

  it('a saved file re-renders only the apps whose kustomization tree contains it', async () => {
    const { root, web, api } = await repo();
    const runner = countingRunner();
    const store = new RenderStore({ runner, trusted: true });
    await store.render(web, undefined);
    await store.render(api, undefined);
    assert.equal(runner.builds, 2);
    const changed = path.join(root, 'bases', 'web', 'cm.yaml');
    await fs.writeFile(changed, cm('web-config', 'three'));
    store.invalidate([changed], [web, api]);
    assert.equal(valueOf(await store.render(web, undefined)), 'three');
    assert.equal(valueOf(await store.render(api, undefined)), 'one');
    assert.equal(runner.builds, 3, 'only web was rendered again');
  });

  it('does not cache an app with a remote base', async () => {
    const { root, web } = await repo();
    await fs.writeFile(path.join(web.path!, 'kustomization.yaml'), kustomization('../../bases/web', 'https://github.com/example/repo//base?ref=v1'));
    const inputs = await new RenderCache({ runner: nodeProcessRunner, dir: path.join(root, '.cache') }).inputsOf(web);
    assert.equal(inputs.key, undefined);
    assert.ok(inputs.roots.includes(path.join(root, 'bases', 'web')), 'its local inputs are still known');
  });

  it('keys on the tool version and the app options, not only the files', async () => {
    const { web } = await repo();
    const cache = new RenderCache({ runner: nodeProcessRunner });
    const k1 = (await cache.inputsOf(web)).key;
    assert.ok(k1);
    assert.equal((await cache.inputsOf(web)).key, k1, 'stable');
    assert.notEqual((await cache.inputsOf({ ...web, destinationNamespace: 'other' })).key, k1);
    const other = new RenderCache({ runner: { run: async (cmd, args, opts) => (args[0] === 'version' ? { code: 0, stdout: 'v9.9.9', stderr: '' } : nodeProcessRunner.run(cmd, args, opts)) } });
    assert.notEqual((await other.inputsOf(web)).key, k1);
  });
});
