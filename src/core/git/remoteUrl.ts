// Turns a git remote into the web page that opens a pull/merge request for a pushed branch.

export type ForgeKind = 'github' | 'gitlab' | 'bitbucket';

export interface ParsedRemote {
  host: string;
  /** Repository path without `.git`, e.g. `owner/repo` or `group/sub/repo`. */
  path: string;
}

/** Accepts `https://host/o/r(.git)`, `ssh://git@host[:port]/o/r.git` and scp-style `git@host:o/r.git`. */
export function parseRemoteUrl(url: string): ParsedRemote | undefined {
  const trimmed = url.trim();
  let host: string;
  let p: string;
  const m = /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/(.+)$/.exec(trimmed);
  const scp = /^(?:[^@/]+@)?([^/:]+):(?!\/\/)(.+)$/.exec(trimmed);
  if (m) [, host, p] = m;
  else if (scp) [, host, p] = scp;
  else return undefined;
  p = p.replace(/\/+$/, '').replace(/\.git$/, '');
  // Bitbucket Server style `scm/<project>/<repo>` and GitLab `-/` suffixes do not name the repository.
  return p ? { host: host.toLowerCase(), path: p } : undefined;
}

export function forgeOf(host: string): ForgeKind | undefined {
  if (host.includes('github')) return 'github';
  if (host.includes('gitlab')) return 'gitlab';
  if (host.includes('bitbucket')) return 'bitbucket';
  return undefined;
}

/** Compare / new pull request page for `branch` against `base` (base omitted: the forge picks the default branch). */
export function compareUrl(remoteUrl: string, branch: string, base?: string): string | undefined {
  const r = parseRemoteUrl(remoteUrl);
  if (!r) return undefined;
  const forge = forgeOf(r.host);
  const web = `https://${r.host}/${r.path}`;
  const enc = (s: string): string => s.split('/').map(encodeURIComponent).join('/');
  switch (forge) {
    case 'github':
      return `${web}/compare/${base ? `${enc(base)}...` : ''}${enc(branch)}?expand=1`;
    case 'gitlab':
      return `${web}/-/merge_requests/new?${new URLSearchParams({ 'merge_request[source_branch]': branch, ...(base ? { 'merge_request[target_branch]': base } : {}) })}`;
    case 'bitbucket':
      return `${web}/pull-requests/new?${new URLSearchParams({ source: branch, ...(base ? { dest: base } : {}) })}`;
    default:
      return undefined;
  }
}
