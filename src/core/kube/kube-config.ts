// Loads kubeconfig the way kubectl does (KUBECONFIG list, --kubeconfig, ~/.kube/config) and picks a context
// in memory only: the file's current-context is never written.
import * as path from 'node:path';
import * as os from 'node:os';
import * as fs from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { GitOpsError } from '../model';

export interface KubeConfigOptions {
  /** Explicit kubeconfig path(s) (`--kubeconfig`); a path-delimiter-separated list is accepted too. */
  kubeconfig?: string | string[];
  /** Context to use; default: the merged config's current-context. */
  context?: string;
  /** Environment to read KUBECONFIG / HOME from (tests). */
  env?: NodeJS.ProcessEnv;
}

function splitPaths(v: string | string[]): string[] {
  const list = Array.isArray(v) ? v : v.split(path.delimiter);
  return list.map((p) => p.trim()).filter(Boolean);
}

/** Files to read, in kubectl's precedence order. */
export function kubeconfigFiles(opts: KubeConfigOptions = {}): string[] {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig && splitPaths(opts.kubeconfig).length) return splitPaths(opts.kubeconfig);
  if (env.KUBECONFIG && splitPaths(env.KUBECONFIG).length) return splitPaths(env.KUBECONFIG);
  return [path.join(env.HOME ?? os.homedir(), '.kube', 'config')];
}

/**
 * Merges the files with kubectl's rule: the first file to set a cluster, user, context or current-context wins
 * (client-node's own merge lets later files win and throws on duplicate names).
 */
export function loadKubeConfig(opts: KubeConfigOptions = {}): KubeConfig {
  const files = kubeconfigFiles(opts).filter((f) => fs.existsSync(f));
  if (!files.length) {
    throw new GitOpsError('invalid', `No kubeconfig found (looked at ${kubeconfigFiles(opts).join(', ')})`);
  }
  const clusters = new Map<string, unknown>();
  const users = new Map<string, unknown>();
  const contexts = new Map<string, unknown>();
  let currentContext = '';
  for (const file of files) {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (e) {
      throw new GitOpsError('parse', `Cannot read kubeconfig ${file}: ${(e as Error).message}`, { file, cause: e });
    }
    for (const c of kc.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of kc.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (!currentContext && kc.getCurrentContext()) currentContext = kc.getCurrentContext();
  }
  const merged = new KubeConfig();
  const wanted = opts.context || currentContext;
  if (!wanted) throw new GitOpsError('invalid', 'The kubeconfig has no current-context; choose a context');
  if (!contexts.has(wanted)) {
    throw new GitOpsError('invalid', `Context "${wanted}" is not in the kubeconfig (known: ${[...contexts.keys()].join(', ') || 'none'})`);
  }
  merged.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext: wanted });
  if (!merged.getCurrentCluster()) throw new GitOpsError('invalid', `Context "${wanted}" names a cluster that is not in the kubeconfig`);
  return merged;
}

/** Context names of the merged kubeconfig (for pickers), with the file's current-context. */
export function listContexts(opts: KubeConfigOptions = {}): { contexts: string[]; current: string } {
  const kc = loadKubeConfig({ ...opts, context: undefined });
  return { contexts: kc.getContexts().map((c) => c.name), current: kc.getCurrentContext() };
}

/**
 * Maps an Argo CD Application destination (`server` URL or cluster `name`) to a kubeconfig context: the first
 * context whose cluster has that server URL, or whose context or cluster name is that name.
 */
export function destinationContextResolver(opts: KubeConfigOptions = {}): (dest: { server?: string; name?: string }) => string | undefined {
  let kc: KubeConfig;
  try {
    kc = loadKubeConfig({ ...opts, context: undefined });
  } catch {
    return () => undefined;
  }
  const norm = (u: string) => u.trim().replace(/\/+$/, '').toLowerCase();
  const clusters = new Map(kc.getClusters().map((c) => [c.name, c]));
  const contexts = kc.getContexts();
  return (dest) => {
    if (dest.server) {
      const hit = contexts.find((c) => { const cl = clusters.get(c.cluster); return !!cl && norm(cl.server) === norm(dest.server!); });
      if (hit) return hit.name;
    }
    if (dest.name) return contexts.find((c) => c.name === dest.name || c.cluster === dest.name)?.name;
    return undefined;
  };
}
