// Walks a kustomization tree (resources, bases, components) to learn which file each base object comes from,
// so objects rendered by `kustomize build` can point back at the file and lines a human would edit.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GitOpsError, groupOf, type KubeObject, type SourceLocation } from '../model';
import { throwIfAborted } from '../ports';
import { parseManifests, parseYamlDocuments } from '../yaml/parseManifests';
import { findKustomizationFile } from './detectSourceType';

export interface KustomizeOrigin {
  group: string;
  kind: string;
  /** Name and namespace as written in the resource file. */
  name: string;
  namespace?: string;
  source: SourceLocation;
  /** Kustomization files from the root down, then the resource file. */
  chain: string[];
  /** Name and namespace the object should get after the prefix/suffix/namespace transforms above it. */
  expectedName: string;
  expectedNamespace?: string;
}

interface Level {
  namePrefix: string;
  nameSuffix: string;
  namespace?: string;
}

export interface KustomizationSpec {
  resources: string[];
  components: string[];
  namePrefix: string;
  nameSuffix: string;
  namespace?: string;
  /** The kustomization inflates Helm charts (`helmCharts`), which needs `--enable-helm` and a helm binary. */
  helmCharts: boolean;
  /** Local files named by `patches`, `patchesStrategicMerge` and `patchesJson6902` (not sources of objects). */
  patchFiles: string[];
}

const REMOTE = /^(https?:|ssh:|git@|git::|github\.com\/|gitlab\.com\/|bitbucket\.org\/|oci:)|\?ref=|\/\/[^/]/;

export function isRemoteResource(entry: string): boolean {
  return REMOTE.test(entry);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export async function readKustomization(file: string): Promise<KustomizationSpec> {
  const text = await fs.readFile(file, 'utf8');
  const { docs } = parseYamlDocuments(text);
  const doc = docs[0];
  if (doc && doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new GitOpsError('parse', `${file}:${e.linePos?.[0].line ?? 1}: ${e.message.split('\n')[0]}`, { file, line: e.linePos?.[0].line });
  }
  const k = (doc?.toJS() ?? {}) as Record<string, unknown>;
  return {
    // `bases` is the deprecated spelling of directory resources.
    resources: [...strings(k.resources), ...strings(k.bases)],
    components: strings(k.components),
    namePrefix: typeof k.namePrefix === 'string' ? k.namePrefix : '',
    nameSuffix: typeof k.nameSuffix === 'string' ? k.nameSuffix : '',
    namespace: typeof k.namespace === 'string' && k.namespace !== '' ? k.namespace : undefined,
    helmCharts: Array.isArray(k.helmCharts) && k.helmCharts.length > 0,
    patchFiles: [
      ...strings(k.patchesStrategicMerge).filter((p) => !p.includes('\n')),
      ...[k.patches, k.patchesJson6902]
        .flatMap((l) => (Array.isArray(l) ? l : []))
        .map((p) => (typeof p === 'object' && p !== null ? (p as { path?: unknown }).path : undefined))
        .filter((p): p is string => typeof p === 'string'),
    ],
  };
}

async function statOrUndefined(p: string) {
  try {
    return await fs.stat(p);
  } catch {
    return undefined;
  }
}

function transformed(name: string, levels: Level[]): string {
  // Inner kustomizations transform first, so outer prefixes end up leftmost and outer suffixes rightmost.
  const prefix = levels.map((l) => l.namePrefix).join('');
  const suffix = levels.map((l) => l.nameSuffix).reverse().join('');
  return prefix + name + suffix;
}

/** Collects the origins of every object in the local resource files reachable from the kustomization in `dir`. */
export async function collectKustomizeOrigins(dir: string, signal?: AbortSignal): Promise<KustomizeOrigin[]> {
  const origins: KustomizeOrigin[] = [];
  const walk = async (kdir: string, chain: string[], levels: Level[], seen: Set<string>): Promise<void> => {
    throwIfAborted(signal);
    const kfile = await findKustomizationFile(kdir);
    if (!kfile || seen.has(kfile)) return;
    const spec = await readKustomization(kfile);
    const level: Level = { namePrefix: spec.namePrefix, nameSuffix: spec.nameSuffix, namespace: spec.namespace };
    const nextLevels = [...levels, level];
    const nextChain = [...chain, kfile];
    const nextSeen = new Set(seen).add(kfile);
    for (const entry of [...spec.resources, ...spec.components]) {
      if (isRemoteResource(entry)) continue;
      const p = path.resolve(kdir, entry);
      const st = await statOrUndefined(p);
      if (st?.isDirectory()) await walk(p, nextChain, nextLevels, nextSeen);
      else if (st?.isFile()) await addFile(p, [...nextChain, p], nextLevels);
    }
  };
  const addFile = async (file: string, chain: string[], levels: Level[]): Promise<void> => {
    const parsed = parseManifests(await fs.readFile(file, 'utf8'), file);
    // The outermost kustomization that sets a namespace wins.
    const nsOverride = levels.find((l) => l.namespace)?.namespace;
    for (const d of parsed.docs) {
      const o: KubeObject = d.object;
      const name = o.metadata.name ?? '';
      origins.push({
        group: groupOf(o.apiVersion),
        kind: o.kind,
        name,
        namespace: o.metadata.namespace,
        source: { file, documentIndex: d.documentIndex, startLine: d.startLine, endLine: d.endLine },
        chain,
        expectedName: transformed(name, levels),
        expectedNamespace: nsOverride ?? o.metadata.namespace,
      });
    }
  };
  await walk(dir, [], [], new Set());
  return origins;
}

/**
 * Best origin for a rendered object: same group/kind and the transformed name (and namespace when both are
 * known), else the same kind and original name, else a unique candidate whose original name the rendered name
 * contains (a prefix/suffix from a transformer we did not model).
 */
export function matchOrigin(obj: KubeObject, origins: KustomizeOrigin[]): KustomizeOrigin | undefined {
  const group = groupOf(obj.apiVersion);
  const name = obj.metadata.name ?? '';
  const ns = obj.metadata.namespace;
  const sameKind = origins.filter((o) => o.kind === obj.kind && o.group === group);
  const exact = sameKind.filter((o) => o.expectedName === name);
  if (exact.length > 0) return exact.find((o) => !ns || !o.expectedNamespace || o.expectedNamespace === ns) ?? exact[0];
  const original = sameKind.filter((o) => o.name === name);
  if (original.length > 0) return original[0];
  const contained = sameKind.filter((o) => o.name !== '' && name.includes(o.name));
  return contained.length === 1 ? contained[0] : undefined;
}
