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

export interface RenderStoreOptions {
  runner: ProcessRunner;
  /** False in an untrusted workspace: kustomize/helm never run. */
  trusted: boolean;
  kustomizePath?: string;
  helmPath?: string;
}

export function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class RenderStore {
  private readonly renders = new Map<string, Promise<RenderResult>>();

  constructor(private readonly opts: RenderStoreOptions) {}

  /** Drops cached renders of the apps (of `known`) that may read these files; nothing known drops everything. */
  invalidate(files: string[], known: readonly App[]): void {
    // Kustomize and helm apps may read files outside their folder (bases, value files): re-render them all.
    for (const app of known) {
      if (app.sourceType !== 'directory' || (app.path && files.some((f) => isInside(f, app.path!)))) this.renders.delete(app.id);
    }
    if (!known.length) this.renders.clear();
  }

  /** The render shared by every caller (never under one caller's signal: a cancelled refresh must not fail the next). */
  async render(app: App, overlays: ReadonlyMap<string, string> | undefined, signal?: AbortSignal): Promise<RenderResult> {
    // Unsaved text is used for plain manifest folders; kustomize and helm render the saved files.
    const dirty = overlays && app.path && app.sourceType === 'directory' ? [...overlays.keys()].filter((f) => isInside(f, app.path!)) : [];
    if (!dirty.length) {
      let p = this.renders.get(app.id);
      if (!p) {
        p = renderApp(app, { runner: this.opts.runner, kustomizePath: this.opts.kustomizePath, helmPath: this.opts.helmPath, trusted: this.opts.trusted });
        this.renders.set(app.id, p);
        p.catch(() => this.renders.delete(app.id));
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
