// Pipeline stage 2, rendering: each app's desired objects, rendered once and kept until a file it reads changes.
// Unsaved editor text replaces plain manifest files on top of the cached render.
import * as path from 'node:path';
import type { App } from '../model';
import { GitOpsError } from '../model';
import { throwIfAborted, type ProcessRunner } from '../ports';
import { renderApp } from '../render/renderApp';
import type { RenderResult } from '../render/types';
import { parseManifests } from '../yaml/parseManifests';
import { defaultNamespace } from '../render/clusterScoped';
import { isToolRendered, isUnder, RenderCache } from '../render/renderCache';

export interface RenderStoreOptions {
  runner: ProcessRunner;
  /** False in an untrusted workspace: kustomize/helm never run. */
  trusted: boolean;
  kustomizePath?: string;
  helmPath?: string;
  /** Folder of the persistent render cache (extension storage, CLI cache dir); none: renders are kept in memory only. */
  cacheDir?: string;
}

export function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * What a render is kept under: the app id, plus for a HelmRelease its spec (rendered with the cluster's live
 * spec, which changes without any file changing).
 */
function renderKey(app: App): string {
  return app.kind === 'flux-helmrelease' ? `${app.id}\u0000${JSON.stringify(app.definition?.spec ?? null)}` : app.id;
}

export class RenderStore {
  private readonly renders = new Map<string, Promise<RenderResult>>();
  /** Files and folders each tool-rendered app's last render could read (its kustomization tree, chart, values). */
  private readonly inputs = new Map<string, string[]>();
  private readonly cache: RenderCache;
  /** Renders answered from the persistent cache / run, since the store was made. */
  readonly stats = { cached: 0, rendered: 0 };

  constructor(private readonly opts: RenderStoreOptions) {
    this.cache = new RenderCache({ dir: opts.cacheDir, runner: opts.runner, kustomizePath: opts.kustomizePath, helmPath: opts.helmPath });
  }

  /** Drops cached renders of the apps (of `known`) that may read these files; nothing known drops everything. */
  invalidate(files: string[], known: readonly App[]): void {
    for (const app of known) {
      if (!this.renders.has(renderKey(app))) continue;
      // A tool-rendered app reads the files of its kustomization tree (bases, components, patches) or chart; when
      // that set is not known yet, it may read anything.
      const reads = app.sourceType === 'directory' && !isToolRendered(app) ? (app.path ? [app.path] : []) : this.inputs.get(app.id);
      if (!reads || files.some((f) => reads.some((r) => isUnder(f, r)))) this.renders.delete(renderKey(app));
    }
    if (!known.length) this.renders.clear();
  }

  /** A fresh render: from the persistent cache when the app's inputs are unchanged, else by the tool. */
  private async renderFresh(app: App): Promise<RenderResult> {
    const deps = { runner: this.opts.runner, kustomizePath: this.opts.kustomizePath, helmPath: this.opts.helmPath, trusted: this.opts.trusted };
    if (!this.opts.trusted || !isToolRendered(app)) {
      this.inputs.delete(app.id);
      return renderApp(app, deps);
    }
    const inputs = await this.cache.inputsOf(app).catch(() => undefined);
    if (inputs) this.inputs.set(app.id, inputs.roots);
    else this.inputs.delete(app.id);
    if (inputs?.key) {
      const hit = await this.cache.load(app, inputs.key);
      if (hit) {
        this.stats.cached++;
        return hit;
      }
    }
    const result = await renderApp(app, deps);
    this.stats.rendered++;
    if (inputs?.key) this.cache.save(app, inputs.key, result).catch(() => undefined);
    return result;
  }

  /** The render shared by every caller (never under one caller's signal: a cancelled refresh must not fail the next). */
  async render(app: App, overlays: ReadonlyMap<string, string> | undefined, signal?: AbortSignal): Promise<RenderResult> {
    // Unsaved text is used for plain manifest folders; kustomize and helm render the saved files.
    const dirty = overlays && app.path && app.sourceType === 'directory' ? [...overlays.keys()].filter((f) => isInside(f, app.path!)) : [];
    if (!dirty.length) {
      const key = renderKey(app);
      let p = this.renders.get(key);
      if (!p) {
        p = this.renderFresh(app);
        this.renders.set(key, p);
        p.catch(() => this.renders.delete(key));
      }
      const result = await p;
      throwIfAborted(signal);
      return result;
    }
    // Unsaved edits: plain files are re-parsed from the editor text; kustomize sees the saved files only.
    const base = await this.render(app, undefined, signal);
    const objects = base.objects.filter((o) => !o.source || !overlays!.has(o.source.file));
    const errors = [...base.errors];
    for (const file of dirty) {
      if (!base.objects.some((o) => o.source?.file === file)) continue;
      const parsed = parseManifests(overlays!.get(file)!, file);
      for (const p of parsed.errors) errors.push(new GitOpsError('parse', `${file}:${p.line ?? '?'}: ${p.message}`, { file, line: p.line }));
      for (const d of parsed.docs) {
        objects.push({ object: defaultNamespace(d.object, app.destinationNamespace), source: { file, documentIndex: d.documentIndex, startLine: d.startLine, endLine: d.endLine } });
      }
    }
    return { objects, skipped: base.skipped, errors };
  }
}
