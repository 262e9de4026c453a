// Walks a kustomization tree (resources, bases, components) to learn which file each base object comes from,
// so objects rendered by `kustomize build` can point back at the file and lines a human would edit.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GitOpsError, groupOf, type KubeObject, type SourceLocation } from '../model';
import { throwIfAborted } from '../ports';
import { fastParseDocuments } from '../yaml/fastParseDocuments';
import { parseManifests, parseYamlDocuments } from '../yaml/parseManifests';
import { findKustomizationFile } from './detectSourceType';
import { FileCache } from './fileCache';

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
  return kustomizationSpecOf(file, await fs.readFile(file, 'utf8'));
}

function kustomizationValue(file: string, text: string): unknown {
  const fast = fastParseDocuments(text);
  if (fast) return fast[0]?.value;
  const doc = parseYamlDocuments(text).docs[0];
  if (doc && doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new GitOpsError('parse', `${file}:${e.linePos?.[0].line ?? 1}: ${e.message.split('\n')[0]}`, { file, line: e.linePos?.[0].line });
  }
  try {
    return doc?.toJS();
  } catch (e) {
    // e.g. an alias bomb ("Excessive alias count"): name the file instead of failing without one.
    const line = doc ? parseYamlDocuments(text).lineCounter.linePos(doc.range[0]).line : 1;
    throw new GitOpsError('parse', `${file}:${line}: ${(e as Error).message.split('\n')[0]}`, { file, line });
  }
}

/** The spec of a kustomization file's text; `file` names it in errors. */
export function kustomizationSpecOf(file: string, text: string): KustomizationSpec {
  const k = (kustomizationValue(file, text) ?? {}) as Record<string, unknown>;
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

/** Where each object of a resource file starts, before any kustomization transforms it. */
interface FileObject {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
  source: SourceLocation;
}

/** Parsed kustomizations and resource files, kept until the files change; share one across renders. */
export class KustomizeTreeCache {
  readonly kustomizations = new FileCache<KustomizationSpec>(5000);
  readonly resources = new FileCache<readonly FileObject[]>(20000);
}

const treeCaches = new WeakMap<object, KustomizeTreeCache>();

/** One cache per owner (the engine's process runner), so it lives as long as the engine and is not global. */
export function treeCacheFor(owner: object): KustomizeTreeCache {
  let c = treeCaches.get(owner);
  if (!c) treeCaches.set(owner, (c = new KustomizeTreeCache()));
  return c;
}

function fileObjects(file: string, text: string): readonly FileObject[] {
  return parseManifests(text, file).docs.map((d) => ({
    group: groupOf(d.object.apiVersion),
    kind: d.object.kind,
    name: d.object.metadata.name ?? '',
    namespace: d.object.metadata.namespace,
    source: { file, documentIndex: d.documentIndex, startLine: d.startLine, endLine: d.endLine },
  }));
}

/** Kustomizations plus resource files one origins walk visits at most; a larger tree is not mapped. */
export const MAX_TREE_ENTRIES = 20000;

/**
 * Collects the origins of every object in the local resource files reachable from the kustomization in `dir`.
 * Pass a `cache` kept between calls to skip re-reading unchanged files (bases shared by many apps).
 */
export async function collectKustomizeOrigins(
  dir: string,
  signal?: AbortSignal,
  cache = new KustomizeTreeCache(),
  maxEntries = MAX_TREE_ENTRIES,
): Promise<KustomizeOrigin[]> {
  // Every kustomization and resource file visited counts; a tree that reaches the same folders by many paths
  // (e.g. `../b` and `../b/` at each of 30 levels) would otherwise take exponential time and memory.
  let visited = 0;
  const count = () => {
    if (++visited > maxEntries) {
      throw new GitOpsError('render', `kustomization tree under ${dir} has more than ${maxEntries} entries (the same folders reached by many paths?); source locations are not mapped`, { file: dir });
    }
  };
  const walk = async (kdir: string, chain: string[], levels: Level[], seen: Set<string>): Promise<KustomizeOrigin[]> => {
    throwIfAborted(signal);
    count();
    const kfile = await findKustomizationFile(kdir);
    if (!kfile) return [];
    // Cycles are found on real paths: a symlink to `.` (or to an ancestor) names the same kustomization by a new path.
    const real = await fs.realpath(kfile).catch(() => undefined);
    if (!real || seen.has(real)) return [];
    const spec = await cache.kustomizations.get(kfile, (text) => kustomizationSpecOf(kfile, text));
    const level: Level = { namePrefix: spec.namePrefix, nameSuffix: spec.nameSuffix, namespace: spec.namespace };
    const nextLevels = [...levels, level];
    const nextChain = [...chain, kfile];
    const nextSeen = new Set(seen).add(real);
    // Entries are read concurrently; the result keeps their order.
    const parts = await Promise.all(
      [...spec.resources, ...spec.components].map(async (entry): Promise<KustomizeOrigin[]> => {
        if (isRemoteResource(entry)) return [];
        const p = path.resolve(kdir, entry);
        const st = await statOrUndefined(p);
        if (st?.isDirectory()) return walk(p, nextChain, nextLevels, nextSeen);
        if (st?.isFile()) return originsOfFile(p, [...nextChain, p], nextLevels);
        return [];
      }),
    );
    return parts.flat();
  };
  const originsOfFile = async (file: string, chain: string[], levels: Level[]): Promise<KustomizeOrigin[]> => {
    count();
    const objects = await cache.resources.get(file, (text) => fileObjects(file, text));
    // The outermost kustomization that sets a namespace wins.
    const nsOverride = levels.find((l) => l.namespace)?.namespace;
    return objects.map((o) => ({ ...o, source: { ...o.source }, chain, expectedName: transformed(o.name, levels), expectedNamespace: nsOverride ?? o.namespace }));
  };
  return walk(dir, [], [], new Set());
}

/** Origins grouped by group/kind, then by transformed name, so matching many rendered objects stays linear. */
export class OriginIndex {
  private readonly byKind = new Map<string, { all: KustomizeOrigin[]; byExpected: Map<string, KustomizeOrigin[]>; byName: Map<string, KustomizeOrigin[]> }>();

  constructor(origins: readonly KustomizeOrigin[]) {
    for (const o of origins) {
      const k = `${o.group}/${o.kind}`;
      let e = this.byKind.get(k);
      if (!e) this.byKind.set(k, (e = { all: [], byExpected: new Map(), byName: new Map() }));
      e.all.push(o);
      push(e.byExpected, o.expectedName, o);
      push(e.byName, o.name, o);
    }
  }

  /** See matchOrigin. */
  match(obj: KubeObject): KustomizeOrigin | undefined {
    const e = this.byKind.get(`${groupOf(obj.apiVersion)}/${obj.kind}`);
    if (!e) return undefined;
    const name = obj.metadata.name ?? '';
    const ns = obj.metadata.namespace;
    const exact = e.byExpected.get(name);
    if (exact) return exact.find((o) => !ns || !o.expectedNamespace || o.expectedNamespace === ns) ?? exact[0];
    const original = e.byName.get(name);
    if (original) return original[0];
    let contained: KustomizeOrigin | undefined;
    for (const o of e.all) {
      if (o.name === '' || !name.includes(o.name)) continue;
      if (contained) return undefined;
      contained = o;
    }
    return contained;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/**
 * Best origin for a rendered object: same group/kind and the transformed name (and namespace when both are
 * known), else the same kind and original name, else a unique candidate whose original name the rendered name
 * contains (a prefix/suffix from a transformer we did not model). For many objects, build an OriginIndex once.
 */
export function matchOrigin(obj: KubeObject, origins: readonly KustomizeOrigin[] | OriginIndex): KustomizeOrigin | undefined {
  return (origins instanceof OriginIndex ? origins : new OriginIndex(origins)).match(obj);
}
