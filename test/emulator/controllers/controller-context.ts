// What every simulated controller shares: the API client, the repo map, exported trees, timing, logging.
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../../../src/core/model';
import { RevisionCache, TreeCache } from './git-source';
import type { KubeRest } from './kube-rest';
import { renderFolder } from './render-manifests';

export interface ControllerTiming {
  /** How often controllers look at the API for new work (operations, annotations, drift). */
  pollMs: number;
  /** Flux: how often a Kustomization / GitRepository is reconciled without being asked. */
  reconcileIntervalMs: number;
  /** Argo CD: how long live drift is left alone before self-heal re-applies. */
  selfHealDelayMs: number;
}

export const DEMO_TIMING: ControllerTiming = { pollMs: 1000, reconcileIntervalMs: 10_000, selfHealDelayMs: 5000 };
export const FAST_TIMING: ControllerTiming = { pollMs: 50, reconcileIntervalMs: 300, selfHealDelayMs: 300 };

export interface ControllerContext {
  rest: KubeRest;
  /** repoURL → local Git repository path. */
  repoMap: Record<string, string>;
  trees: TreeCache;
  revisions: RevisionCache;
  timing: ControllerTiming;
  log: (msg: string) => void;
  /** Namespace Argo CD runs in: apps elsewhere get `<ns>_<name>` instance names. */
  argoNamespace: string;
}

/** Maps a repoURL to a local repo; unmapped absolute paths and file:// URLs are used as they are. */
export function localRepoFor(ctx: ControllerContext, repoURL: string | undefined): string {
  if (!repoURL) throw new Error('no repoURL given');
  const norm = (u: string) => u.replace(/\/+$/, '').replace(/\.git$/, '');
  for (const [url, dir] of Object.entries(ctx.repoMap)) if (norm(url) === norm(repoURL)) return dir;
  const asPath = repoURL.startsWith('file://') ? new URL(repoURL).pathname : repoURL;
  if (path.isAbsolute(asPath) && fs.existsSync(asPath)) return asPath;
  throw new Error(`repository '${repoURL}' is not accessible: it is not in the simulated controllers' repo map`);
}

/** Renders are pure functions of (repo, commit, path, options), so they are cached until a hard refresh. */
export class RenderCache {
  private readonly renders = new Map<string, Promise<KubeObject[]>>();

  async render(ctx: ControllerContext, repoDir: string, sha: string, relPath: string, recurse: boolean, signal?: AbortSignal): Promise<KubeObject[]> {
    const key = [repoDir, sha, relPath, recurse].join('\0');
    let p = this.renders.get(key);
    if (!p) {
      p = ctx.trees.tree(repoDir, sha, signal).then((tree) => renderFolder(tree, relPath, { recurse, signal }));
      this.renders.set(key, p);
      p.catch(() => this.renders.delete(key));
    }
    return structuredClone(await p);
  }

  clear(): void {
    this.renders.clear();
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
