// Pipeline stage 2, rendering: each app's desired objects, rendered once and kept until a file it reads changes.
// Unsaved editor text replaces plain manifest files on top of the cached render.
import * as path from 'node:path';
import type { App } from '../model';
import { GitOpsError } from '../model';
import { throwIfAborted, type ProcessRunner } from '../ports';
import { renderApp } from '../render/renderApp';
import type { HelmCapabilities, RenderResult } from '../render/types';
import { needsCapabilities, type DestinationCapabilities } from './clusterCapabilities';
import { parseManifests } from '../yaml/parseManifests';
import { defaultNamespace } from '../render/clusterScoped';
import { isToolRendered, isUnder, RenderCache } from '../render/renderCache';
import type { ObjectLookup } from '../render/fluxVariables';

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
 * What a render is kept under: the app id, plus for a HelmRelease its chart and spec (rendered with the cluster's
 * live spec and, for a cached chart, the version it runs: both change without any file changing).
 */
function renderKey(app: App): string {
  return app.kind === 'flux-helmrelease' ? `${app.id}\u0000${app.path ?? ''}\u0000${JSON.stringify(app.definition?.spec ?? null)}` : app.id;
}

/** A cluster whose ConfigMaps / Secrets an app's render may read (Flux substituteFrom, HelmRelease valuesFrom). */
export interface ClusterReads {
  context: string;
  lookup: ObjectLookup;
  /** The cluster's version and API versions (read once per refresh; undefined when they cannot be read). */
  capabilities?: () => Promise<HelmCapabilities | undefined>;
  /** Per app (its destination cluster's, with a note when they are not): preferred over `capabilities`. */
  capabilitiesFor?: (app: App) => Promise<DestinationCapabilities>;
}

/** Whether the app's render reads ConfigMaps / Secrets (from the workspace, else the cluster). */
export function readsObjects(app: App): boolean {
  const spec = (app.definition?.spec ?? {}) as { postBuild?: { substituteFrom?: unknown }; valuesFrom?: unknown };
  if (app.kind === 'flux-kustomization') return Array.isArray(spec.postBuild?.substituteFrom) && spec.postBuild.substituteFrom.length > 0;
  if (app.kind === 'flux-helmrelease') return Array.isArray(spec.valuesFrom) && spec.valuesFrom.length > 0;
  return false;
}

const CLUSTER_SEP = '\u0001';

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
      const base = renderKey(app);
      const keys = [...this.renders.keys()].filter((k) => k === base || k.startsWith(`${base}${CLUSTER_SEP}`));
      if (!keys.length) continue;
      // A tool-rendered app reads the files of its kustomization tree (bases, components, patches) or chart; when
      // that set is not known yet, it may read anything.
      const reads = app.sourceType === 'directory' && !isToolRendered(app) ? (app.path ? [app.path] : []) : this.inputs.get(app.id);
      if (!reads || files.some((f) => reads.some((r) => isUnder(f, r)))) for (const k of keys) this.renders.delete(k);
    }
    if (!known.length) this.renders.clear();
  }

  /** Drops the renders that read a cluster's ConfigMaps / Secrets (a full refresh reads them again). */
  dropClusterReads(context: string): void {
    for (const k of [...this.renders.keys()]) if (k.endsWith(`${CLUSTER_SEP}${context}`)) this.renders.delete(k);
  }

  /** A fresh render: from the persistent cache when the app's inputs are unchanged, else by the tool. */
  private async renderFresh(app: App, cluster?: ClusterReads): Promise<RenderResult> {
    const dest = cluster && needsCapabilities(app) ? await (cluster.capabilitiesFor ? cluster.capabilitiesFor(app) : cluster.capabilities?.().then((capabilities): DestinationCapabilities => ({ capabilities }))) : undefined;
    const capabilities = dest?.capabilities;
    const noted = (r: RenderResult): RenderResult => (dest?.note ? { ...r, notes: [...(r.notes ?? []), dest.note] } : r);
    const deps = { runner: this.opts.runner, kustomizePath: this.opts.kustomizePath, helmPath: this.opts.helmPath, trusted: this.opts.trusted, ...(cluster ? { clusterLookup: cluster.lookup } : {}), ...(capabilities ? { capabilities } : {}) };
    if (!this.opts.trusted || !isToolRendered(app)) {
      this.inputs.delete(app.id);
      return noted(await renderApp(app, deps));
    }
    const inputs = await this.cache.inputsOf(app).catch(() => undefined);
    if (inputs) this.inputs.set(app.id, inputs.roots);
    else this.inputs.delete(app.id);
    // The destination's capabilities are inputs too (another cluster version may render another chart).
    const key = inputs?.key && capabilities ? `${inputs.key}+${JSON.stringify(capabilities)}` : inputs?.key;
    if (key) {
      const hit = await this.cache.load(app, key);
      if (hit) {
        this.stats.cached++;
        return noted(hit);
      }
    }
    const result = await renderApp(app, deps);
    this.stats.rendered++;
    if (key) this.cache.save(app, key, result).catch(() => undefined);
    return noted(result);
  }

  /** The render shared by every caller (never under one caller's signal: a cancelled refresh must not fail the next). */
  async render(app: App, overlays: ReadonlyMap<string, string> | undefined, signal?: AbortSignal, clusterReads?: ClusterReads): Promise<RenderResult> {
    // Renders that may read the cluster's ConfigMaps / Secrets are kept per cluster.
    const cluster = clusterReads && (readsObjects(app) || needsCapabilities(app)) ? clusterReads : undefined;
    // Unsaved text is used for plain manifest folders; kustomize and helm render the saved files.
    const dirty = overlays && app.path && app.sourceType === 'directory' ? [...overlays.keys()].filter((f) => isInside(f, app.path!)) : [];
    if (!dirty.length) {
      const key = cluster ? `${renderKey(app)}${CLUSTER_SEP}${cluster.context}` : renderKey(app);
      let p = this.renders.get(key);
      if (!p) {
        p = this.renderFresh(app, cluster);
        this.renders.set(key, p);
        p.catch(() => this.renders.delete(key));
      }
      const result = await p;
      throwIfAborted(signal);
      return result;
    }
    // Unsaved edits: plain files are re-parsed from the editor text; kustomize sees the saved files only.
    const base = await this.render(app, undefined, signal, clusterReads);
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
