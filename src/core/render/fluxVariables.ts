// Flux post-build variables (fluxcd/pkg/kustomize LoadVariables + SubstituteVariables): `substituteFrom` ConfigMaps
// and Secrets in the Kustomization's namespace, in order (a later one overrides), then `substitute` over them;
// newlines are removed from every value; an `optional` reference that does not exist is skipped, any other missing
// one fails the build. Objects are read from the cluster when a lookup is given, else from the workspace's
// manifests (offline). Secret values are only ever used for substitution: never put into a message.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GitOpsError, isGitOpsError, type KubeObject } from '../model';
import { throwIfAborted } from '../ports';
import { parseManifests } from '../yaml/parseManifests';
import { asObj } from '../k8s/json';


/** Reads a ConfigMap or Secret; undefined when it does not exist; throws when it cannot be read. */
export type ObjectLookup = (kind: 'ConfigMap' | 'Secret', namespace: string, name: string, signal?: AbortSignal) => Promise<KubeObject | undefined>;

export interface FluxVariables {
  vars: Map<string, string>;
  /** Names of variables whose value came from a Secret (their values are never displayed). */
  secretVariables: Set<string>;
  /** Where each substituteFrom object was read (`cluster` or a workspace file). */
  from: { kind: string; name: string; where: string }[];
}

const MAX_FILES = 5000;
const SKIP_DIRS = new Set(['.git', 'node_modules']);



/**
 * Offline lookup: ConfigMaps and Secrets declared in the manifests below `root` (the repository). With several of the same name
 * (one per cluster folder), the one nearest to `near` (the Kustomization's own file) wins.
 */
export function workspaceLookup(root: string, near: string): ObjectLookup {
  let index: Promise<{ object: KubeObject; file: string }[]> | undefined;
  const load = async (signal?: AbortSignal) => {
    const out: { object: KubeObject; file: string }[] = [];
    let files = 0;
    const walk = async (dir: string): Promise<void> => {
      throwIfAborted(signal);
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (files > MAX_FILES) return;
        const p = path.join(dir, e.name);
        if (e.isDirectory() && !SKIP_DIRS.has(e.name)) await walk(p);
        else if (e.isFile() && /\.ya?ml$/i.test(e.name)) {
          files++;
          const text = await fs.readFile(p, 'utf8').catch(() => '');
          if (!/\bkind:\s*["']?(ConfigMap|Secret)\b/.test(text)) continue;
          for (const d of parseManifests(text, p).docs) if ((d.object.kind === 'ConfigMap' || d.object.kind === 'Secret') && d.object.apiVersion === 'v1') out.push({ object: d.object, file: p });
        }
      }
    };
    await walk(root);
    return out;
  };
  const closeness = (file: string) => {
    const a = path.dirname(file).split(path.sep);
    const b = path.resolve(near).split(path.sep);
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return i;
  };
  return async (kind, namespace, name, signal) => {
    index ??= load(signal);
    const all = (await index).filter((x) => x.object.kind === kind && x.object.metadata.name === name);
    const inNs = all.filter((x) => x.object.metadata.namespace === namespace);
    const candidates = inNs.length > 0 ? inNs : all.filter((x) => !x.object.metadata.namespace);
    const best = candidates.sort((x, y) => closeness(y.file) - closeness(x.file))[0];
    return best ? { ...best.object, metadata: { ...best.object.metadata, annotations: { ...best.object.metadata.annotations, 'gitops-drift.dev/read-from': best.file } } } : undefined;
  };
}

/**
 * The workspace's manifests first (what Git declares), else the cluster (`cluster`, when given): a ConfigMap or
 * Secret the repository does not hold (typical for Secrets), or holds only SOPS-encrypted (its Git text is not
 * the value), is read live. A failed or forbidden live read throws (an error on the app, never a guess).
 */
export function withClusterFallback(workspace: ObjectLookup, cluster?: ObjectLookup): ObjectLookup {
  return async (kind, namespace, name, signal) => {
    const found = await workspace(kind, namespace, name, signal);
    if (found && !('sops' in found)) return found;
    if (!cluster) {
      if (found) throw new GitOpsError('unsupported', `${kind} ${namespace}/${name} is SOPS-encrypted in the workspace and the cluster is not read here`);
      return undefined;
    }
    return cluster(kind, namespace, name, signal);
  };
}

function secretData(obj: KubeObject): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(asObj(obj.data))) if (typeof v === 'string') out.set(k, Buffer.from(v, 'base64').toString('utf8'));
  // A manifest in Git may use stringData (the API server folds it into data).
  for (const [k, v] of Object.entries(asObj(obj.stringData))) if (typeof v === 'string') out.set(k, v);
  return out;
}

/** The variables a Kustomization's post-build substitution uses. */
export async function loadFluxVariables(ks: KubeObject, lookup: ObjectLookup, signal?: AbortSignal): Promise<FluxVariables> {
  const namespace = ks.metadata.namespace ?? 'flux-system';
  const postBuild = asObj(asObj(ks.spec).postBuild);
  const vars = new Map<string, string>();
  const secretVariables = new Set<string>();
  const from: FluxVariables['from'] = [];
  for (const ref of (Array.isArray(postBuild.substituteFrom) ? postBuild.substituteFrom : []).map(asObj)) {
    const kind = ref.kind === 'Secret' ? 'Secret' : ref.kind === 'ConfigMap' ? 'ConfigMap' : undefined;
    const name = typeof ref.name === 'string' ? ref.name : '';
    if (!kind) continue; // Flux ignores other kinds
    let obj: KubeObject | undefined;
    try {
      obj = await lookup(kind, namespace, name, signal);
    } catch (e) {
      if (isGitOpsError(e) && e.reason === 'cancelled') throw e;
      throw new GitOpsError(isGitOpsError(e) ? e.reason : 'render', `substitute from '${kind}/${name}' error: ${(e as Error).message}`);
    }
    if (!obj) {
      if (ref.optional === true) continue;
      throw new GitOpsError('notFound', `substitute from '${kind}/${name}' error: ${kind} ${namespace}/${name} not found`);
    }
    from.push({ kind, name, where: obj.metadata.annotations?.['gitops-drift.dev/read-from'] ?? 'cluster' });
    const data = kind === 'Secret' ? secretData(obj) : new Map(Object.entries(asObj(obj.data)).filter((e): e is [string, string] => typeof e[1] === 'string'));
    for (const [k, v] of data) {
      vars.set(k, v.replace(/\n/g, ''));
      if (kind === 'Secret') secretVariables.add(k);
      else secretVariables.delete(k);
    }
  }
  for (const [k, v] of Object.entries(asObj(postBuild.substitute))) {
    if (typeof v !== 'string') continue;
    vars.set(k, v.replace(/\n/g, ''));
    secretVariables.delete(k);
  }
  return { vars, secretVariables, from };
}
