// The objects the ground-truth suite applies to the real server: everything the project can produce from real
// configuration (every renderable app of test/fixtures/real-repos, the desired side of every peer case, the demo
// world's repository) and generated variants of the common kinds (generated.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/core/model';
import { refKey, refOf } from '../../src/core/model';
import { nodeProcessRunner } from '../../src/core/ports';
import { discoverApps } from '../../src/core/discovery';
import { renderApp } from '../../src/core/render/renderApp';
import { createDemoRepo } from '../emulator/demo/create-demo-repo';
import { generatedObjects } from './generated';

export type Origin = 'real-repos' | 'peer' | 'demo' | 'generated';

export interface CorpusObject {
  origin: Origin;
  /** Where it came from (app id or peer case). */
  from: string;
  object: KubeObject;
  /** The field manager of the controller that applies it. */
  manager: 'argocd-controller' | 'kustomize-controller';
}

const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
const REAL = path.join(FIXTURES, 'real-repos');

function managerFor(kind: string): CorpusObject['manager'] {
  return kind === 'flux-kustomization' ? 'kustomize-controller' : 'argocd-controller';
}

async function renderRepos(roots: { root: string; origin: Origin }[], signal?: AbortSignal): Promise<CorpusObject[]> {
  const out: CorpusObject[] = [];
  for (const { root, origin } of roots) {
    const apps = await discoverApps([root], { runner: nodeProcessRunner, repos: [{ root, urls: [] }] });
    for (const app of apps) {
      signal?.throwIfAborted();
      if (app.problem) continue;
      const r = await renderApp(app, { runner: nodeProcessRunner, trusted: true });
      for (const o of r.objects) {
        const obj = structuredClone(o.object);
        if (!obj.metadata.namespace && app.destinationNamespace) obj.metadata.namespace = app.destinationNamespace;
        out.push({ origin, from: `${path.basename(root)}:${app.id}`, object: obj, manager: managerFor(app.kind) });
      }
    }
  }
  return out;
}

/** Desired sides of the peer cases (file-based Argo CD diff corpus). */
function peerObjects(): CorpusObject[] {
  const root = path.join(FIXTURES, 'peer-diff');
  const cases = (JSON.parse(fs.readFileSync(path.join(root, 'cases.json'), 'utf8')) as { cases: { id: string; config: string }[] }).cases;
  const seen = new Set<string>();
  const out: CorpusObject[] = [];
  for (const c of cases) {
    if (seen.has(c.config)) continue;
    seen.add(c.config);
    const obj = parse(fs.readFileSync(path.join(root, c.config), 'utf8'), { version: '1.1' }) as KubeObject;
    if (!obj?.kind) continue;
    out.push({ origin: 'peer', from: `peer ${c.id}`, object: obj, manager: 'argocd-controller' });
  }
  return out;
}

export interface Corpus {
  objects: CorpusObject[];
  /** Objects dropped as duplicates of an earlier one (same group/kind/namespace/name). */
  duplicates: number;
}

/**
 * All objects, namespaced ones without a namespace put in `default`; an object rendered by several apps is kept once
 * (the first). Objects are deep copies: callers may change them.
 */
export async function collectCorpus(signal?: AbortSignal): Promise<Corpus> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-demo-'));
  try {
    const demo = createDemoRepo(path.join(tmp, 'demo'));
    const realRoots = fs.readdirSync(REAL).filter((d) => fs.statSync(path.join(REAL, d)).isDirectory()).map((d) => ({ root: path.join(REAL, d), origin: 'real-repos' as Origin }));
    const rendered = await renderRepos([...realRoots, { root: demo.repoDir, origin: 'demo' }], signal);
    const all = [...rendered, ...peerObjects(), ...generatedObjects()];
    const seen = new Set<string>();
    const objects: CorpusObject[] = [];
    for (const c of all) {
      const key = refKey(refOf(c.object, 'default'));
      if (seen.has(key)) continue;
      seen.add(key);
      objects.push(c);
    }
    return { objects, duplicates: all.length - objects.length };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
