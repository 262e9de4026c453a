// `gitops-drift diff --app NAME` run outside the app's repository: one message naming the live app's source and
// the folder searched, instead of the problems of unrelated workspace definitions that share the name.
import type { AppDrift } from '../core/engine/driftTypes';
import type { KubeObject } from '../core/model';
import { sameRepo } from '../core/discovery/repoInfo';

export interface LiveSource {
  repoURL: string;
  path?: string;
  chart?: string;
}

/** The Argo CD source of a live Application (`spec.source`, else the first of `spec.sources` with a path or chart). */
export function liveSourceOf(obj: KubeObject | undefined): LiveSource | undefined {
  if (obj?.kind !== 'Application') return undefined;
  const spec = (obj.spec ?? {}) as { source?: Record<string, unknown>; sources?: unknown };
  const all = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])].filter((s): s is Record<string, unknown> => !!s && typeof s === 'object');
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const s = all.find((x) => str(x.repoURL) && (str(x.path) || str(x.chart))) ?? all.find((x) => str(x.repoURL));
  if (!s) return undefined;
  return { repoURL: str(s.repoURL)!, path: str(s.path), chart: str(s.chart) };
}

export function sourceNotInWorkspaceMessage(src: LiveSource, dir: string): string {
  const what = src.path ?? (src.chart ? `chart ${src.chart}` : '');
  return `the app's source ${src.repoURL}${what ? ` ${what}` : ''} is not in the workspace ${dir}: run from a checkout of that repository, or point at it with --repo DIR`;
}

/**
 * The apps matching `--app` in one context rendered nothing and the live Application's source is a repository
 * other than the workspace's (`workspaceRemotes`): the one message to show instead of their errors.
 */
export function appOutsideWorkspace(matched: AppDrift[], dir: string, workspaceRemotes: string[]): string | undefined {
  if (!matched.length || matched.some((a) => a.resources.length > 0)) return undefined;
  const src = liveSourceOf(matched.find((a) => a.liveApp)?.liveApp);
  if (!src || workspaceRemotes.some((u) => sameRepo(u, src.repoURL))) return undefined;
  return sourceNotInWorkspaceMessage(src, dir);
}
