// A persistent cache of kustomize / helm renders: an app is rendered again only when its inputs changed since the
// last run, across restarts of the editor or the CLI. The key is a content hash of every file the render can read
// (the app's folder and, recursively, each local base, component, patch or generator file its kustomizations
// name; for helm the chart folder and value files), of the app's render options and of the tool's version.
// Renders that read remote bases, or that failed, are never cached. Entries are one JSON file per app (bounded by
// the number of apps), written atomically. The set of input paths also tells which apps a changed file affects.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { App } from '../model';
import type { ProcessRunner } from '../ports';
import { dependsOnArgoRevision } from './argoRevision';
import { findKustomizationFile } from './detectSourceType';
import { isRemoteResource } from './kustomizeTree';
import { needsOverlay } from './renderOverlay';
import { ancestorSourceIgnoreFiles } from './sourceIgnore';
import { dependencyInputs } from './helmDependencies';
import type { RenderResult } from './types';

const FORMAT = 'render-cache-v1';
const SKIP_DIRS = new Set(['.git', 'node_modules']);

export interface RenderInputs {
  /** Files and folders (recursively) the render can read: a change under one of them re-renders the app. */
  roots: string[];
  /** Content hash of the inputs, options and tool version; undefined when the render must not be cached (remote bases). */
  key?: string;
}

export interface RenderCacheOptions {
  /** Folder for the persistent entries (extension storage, CLI cache dir); without it only inputs are tracked. */
  dir?: string;
  runner: ProcessRunner;
  kustomizePath?: string;
  helmPath?: string;
}

interface FileHash {
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  hash: string;
}

/** Whether the app is rendered by a tool (kustomize, helm): only those renders are worth caching. */
export function isToolRendered(app: App): boolean {
  return app.sourceType === 'kustomize' || app.sourceType === 'helm' || (app.sourceType === 'directory' && needsOverlay(app));
}

function sha(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Every string in a YAML text (kustomization fields naming files are strings wherever they are). */
function stringsIn(text: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const d of parseAllDocuments(text)) walk(d.toJS());
  return out;
}

export class RenderCache {
  private readonly hashes = new Map<string, FileHash>();
  private readonly versions = new Map<string, Promise<string>>();

  constructor(private readonly opts: RenderCacheOptions) {}

  /** The app's inputs and cache key (reads the kustomization tree; files unchanged since the last call are not re-read). */
  async inputsOf(app: App): Promise<RenderInputs> {
    if (!app.path) return { roots: [] };
    if (app.sources && app.sources.length > 0) {
      // Multi-source (render/issue 14): every source's inputs, plus $ref value files; cacheable only if all are.
      const parts = await Promise.all(app.sources.map((s) => this.inputsOf(s)));
      const roots = [...new Set([...parts.flatMap((p) => p.roots), ...(app.refValueFiles ?? [])])].sort();
      if (parts.some((p) => !p.key)) return { roots };
      const hashed: string[] = [FORMAT, app.id, ...parts.map((p) => p.key as string)];
      for (const r of app.refValueFiles ?? []) hashed.push(r, await this.hashPath(r));
      return { roots, key: sha(hashed.join('\u0000')) };
    }
    const roots = new Set<string>();
    let remote = false;
    const visit = async (dir: string): Promise<void> => {
      if (roots.has(dir)) return;
      roots.add(dir);
      const kfile = await findKustomizationFile(dir);
      if (!kfile) return;
      let text: string;
      try {
        text = await fs.readFile(kfile, 'utf8');
      } catch {
        return;
      }
      let strings: string[];
      try {
        strings = stringsIn(text);
      } catch {
        return; // kustomize reports the broken file; its text is hashed with the folder
      }
      if (/^\s*helmCharts\s*:/m.test(text)) remote = true; // charts come from repositories
      for (const s of strings) {
        if (isRemoteResource(s)) {
          remote = true;
          continue;
        }
        if (s.includes('\n') || s.length > 1024) continue;
        const p = path.resolve(dir, s);
        if (roots.has(p)) continue;
        const st = await fs.stat(p).catch(() => undefined);
        // A folder is visited for what its own kustomization names; a file inside a visited folder is hashed with it.
        if (st?.isDirectory()) await visit(p);
        else if (st?.isFile() && !isUnder(p, dir)) roots.add(p);
      }
    };
    const spec = (app.definition?.spec ?? {}) as Record<string, unknown>;
    if (app.sourceType === 'helm') {
      roots.add(app.path);
      const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])] as Record<string, unknown>[];
      const helm = (sources.find((s) => s && typeof s === 'object' && s.helm)?.helm ?? {}) as { valueFiles?: unknown };
      for (const v of Array.isArray(helm.valueFiles) ? helm.valueFiles : []) if (typeof v === 'string') roots.add(path.resolve(app.path, v));
      // Argo CD expands `$VAR` and globs in value file paths at render time: such files are not known here.
      if (app.kind === 'argo-application' && Array.isArray(helm.valueFiles) && helm.valueFiles.some((v) => typeof v === 'string' && /[$*?[]/.test(v))) remote = true;
      for (const v of app.helmRelease?.valuesFiles ?? []) roots.add(v);
      // Chart dependencies from other folders (`file://`) are built into the render.
      const chartDeps = await dependencyInputs(app.path);
      for (const d of chartDeps.dirs) roots.add(d);
      if (chartDeps.remote) remote = true;
      // Flux HelmRelease valuesFrom: ConfigMaps/Secrets (cluster or workspace manifests), not tracked here.
      if (Array.isArray(spec.valuesFrom) && spec.valuesFrom.length > 0) remote = true;
    } else {
      await visit(app.path);
      for (const s of stringsIn(JSON.stringify(spec))) {
        // Components named by the controller (Flux spec.components, Argo source.kustomize.components).
        const p = path.resolve(app.path, s);
        if (s.startsWith('.') && !roots.has(p)) {
          const st = await fs.stat(p).catch(() => undefined);
          if (st?.isDirectory()) await visit(p);
        }
      }
    }
    // Flux substituteFrom values come from ConfigMaps/Secrets (cluster or workspace manifests): not tracked here.
    const postBuild = (spec.postBuild ?? {}) as { substituteFrom?: unknown };
    if (Array.isArray(postBuild.substituteFrom) && postBuild.substituteFrom.length > 0) remote = true;
    // Flux: the `.sourceignore` files above the app's folder (those below it are hashed with it) decide what a
    // generated kustomization lists; the GitRepository's spec.ignore is in the key below.
    if (app.kind === 'flux-kustomization' && app.repoRoot) for (const f of ancestorSourceIgnoreFiles(app.repoRoot, app.path)) roots.add(f);
    // Argo CD: ARGOCD_APP_REVISION follows the checkout's HEAD, and `$VAR` value file paths are expanded at render time.
    if (await dependsOnArgoRevision(app)) remote = true;
    const list = [...roots].sort();
    if (remote) return { roots: list };
    const parts: string[] = [FORMAT, await this.toolVersion(app), app.id, app.path, app.sourceType, app.destinationNamespace ?? '', JSON.stringify(spec), app.sourceIgnore ?? ''];
    for (const r of list) parts.push(r, await this.hashPath(r));
    return { roots: list, key: sha(parts.join('\u0000')) };
  }

  /** The cached render for `key`, if the last one stored for the app has it. */
  async load(app: App, key: string): Promise<RenderResult | undefined> {
    if (!this.opts.dir) return undefined;
    try {
      const entry = JSON.parse(await fs.readFile(this.fileOf(app), 'utf8')) as { key: string; result: RenderResult };
      if (entry.key !== key || !Array.isArray(entry.result?.objects)) return undefined;
      return { objects: entry.result.objects, skipped: entry.result.skipped ?? [], errors: [] };
    } catch {
      return undefined;
    }
  }

  /** Stores a successful render (atomically: a crash never leaves half an entry). */
  async save(app: App, key: string, result: RenderResult): Promise<void> {
    if (!this.opts.dir || result.errors.length) return;
    const file = this.fileOf(app);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(tmp, JSON.stringify({ key, result: { objects: result.objects, skipped: result.skipped } }));
    await fs.rename(tmp, file);
  }

  private fileOf(app: App): string {
    return path.join(this.opts.dir!, FORMAT, `${sha(`${app.id}\u0000${app.path ?? ''}`).slice(0, 32)}.json`);
  }

  /** The version of the tool that renders the app (a new kustomize may render differently). */
  private toolVersion(app: App): Promise<string> {
    const helm = app.sourceType === 'helm';
    const bin = helm ? (this.opts.helmPath ?? 'helm') : (this.opts.kustomizePath ?? 'kustomize');
    let v = this.versions.get(bin);
    if (!v) {
      const run = async (cmd: string, args: string[]): Promise<string> => {
        const signal = AbortSignal.timeout(10_000);
        const r = await this.opts.runner.run(cmd, args, { signal });
        return `${cmd} ${r.code} ${r.stdout.trim()}`;
      };
      v = (async () => {
        if (helm) return run(bin, ['version', '--short']);
        if (path.basename(bin).startsWith('kubectl')) return run(bin, ['version', '--client']);
        try {
          return await run(bin, ['version']);
        } catch {
          // No standalone kustomize: `kubectl kustomize` renders.
          return run('kubectl', ['version', '--client']).catch(() => 'none');
        }
      })();
      this.versions.set(bin, v);
    }
    return v;
  }

  /** Content hash of a file, or of a folder's files (recursively); unchanged files (stat) are not read again. */
  private async hashPath(p: string): Promise<string> {
    const st = await fs.stat(p).catch(() => undefined);
    if (!st) return 'missing';
    if (st.isFile()) {
      const hit = this.hashes.get(p);
      if (hit && hit.mtimeMs === st.mtimeMs && hit.ctimeMs === st.ctimeMs && hit.size === st.size) return hit.hash;
      const hash = sha(await fs.readFile(p));
      this.hashes.set(p, { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, size: st.size, hash });
      return hash;
    }
    if (!st.isDirectory()) return 'other';
    const entries = (await fs.readdir(p, { withFileTypes: true })).filter((e) => !SKIP_DIRS.has(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
    const parts: string[] = [];
    for (const e of entries) if (e.isFile() || e.isDirectory()) parts.push(e.name, await this.hashPath(path.join(p, e.name)));
    return sha(parts.join('\u0000'));
  }
}

/** True when `p` is `dir` or inside it. */
export function isUnder(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
