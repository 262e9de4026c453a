// Charts of a Flux HelmRelease from a HelmRepository / OCIRepository, found in the local helm cache (issue 14
// item 2): helm keeps each repository's index (`<name>-index.yaml`, `helm repo update`) and the chart archives it
// downloaded (`<chart>-<version>.tgz`) in its repository cache. The version is resolved as helm-controller does
// (the highest one the HelmRelease's `version` range allows, in the cached index), and the archive is used only
// when its sha256 is the index's digest for that version. OCI charts have no index: an archive named after the
// chart and a version the range allows. Nothing is downloaded; without the archive the caller says where the
// chart would come from. The cache folders are helm's own (helmpath): HELM_REPOSITORY_CACHE, HELM_CACHE_HOME,
// XDG_CACHE_HOME, then the platform default; the repository list likewise from HELM_REPOSITORY_CONFIG,
// HELM_CONFIG_HOME, XDG_CONFIG_HOME.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { highestMatching, parseConstraint } from './semverRange';

export interface HelmCachePaths {
  /** Folder of the repository indexes and downloaded chart archives. */
  repositoryCache: string;
  /** `repositories.yaml`: the names `helm repo add` gave each repository URL. */
  repositoryConfig: string;
}

/** helm's helmpath for the cache and config folders. */
export function helmCachePaths(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): HelmCachePaths {
  const base = (helmVar: string, xdgVar: string, fallback: string) => env[helmVar] || path.join(env[xdgVar] || fallback, 'helm');
  const cacheDefault = platform === 'darwin' ? path.join(home, 'Library', 'Caches') : platform === 'win32' ? (env.TEMP ?? os.tmpdir()) : path.join(home, '.cache');
  const configDefault = platform === 'darwin' ? path.join(home, 'Library', 'Preferences') : platform === 'win32' ? (env.APPDATA ?? home) : path.join(home, '.config');
  return {
    repositoryCache: env.HELM_REPOSITORY_CACHE || path.join(base('HELM_CACHE_HOME', 'XDG_CACHE_HOME', cacheDefault), 'repository'),
    repositoryConfig: env.HELM_REPOSITORY_CONFIG || path.join(base('HELM_CONFIG_HOME', 'XDG_CONFIG_HOME', configDefault), 'repositories.yaml'),
  };
}

export interface ChartRequest {
  /** `HelmRepository` (default or `type: oci`) or `OCIRepository`. */
  sourceKind: string;
  /** The repository URL (`https://…` or `oci://…`); undefined when the source object is not known here. */
  url?: string;
  chart: string;
  /** The HelmRelease's version range (default `*`). */
  version?: string;
}

export type CachedChart = { archive: string; version: string; from: string } | { missing: string };

interface IndexEntry {
  version?: string;
  digest?: string;
  urls?: string[];
}

const trimSlash = (u: string) => u.replace(/\/+$/, '');
const indexMemo = new Map<string, { stamp: string; entries: IndexEntry[] | undefined }>();

function readSync(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The chart's entries of an index, read by slicing its section out of the file (indexes of big repositories are
 * tens of megabytes; helm writes them with two-space indented, sorted keys). Memoized by file stat.
 */
function indexEntries(file: string, chart: string): IndexEntry[] | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return undefined;
  }
  const key = `${file}\u0000${chart}`;
  const stamp = `${st.mtimeMs}:${st.size}`;
  const hit = indexMemo.get(key);
  if (hit?.stamp === stamp) return hit.entries;
  const text = readSync(file) ?? '';
  let entries: IndexEntry[] | undefined;
  const lines = text.split('\n');
  const quoted = (s: string) => [s, `"${s}"`, `'${s}'`];
  const start = lines.findIndex((l) => quoted(chart).some((q) => l === `  ${q}:`));
  if (start >= 0) {
    let end = start + 1;
    while (end < lines.length && (lines[end] === '' || /^( {3,}|  - |  -$)/.test(lines[end]))) end++;
    try {
      const v = parse(lines.slice(start, end).map((l) => l.slice(2)).join('\n')) as Record<string, unknown>;
      const list = Object.values(v ?? {})[0];
      entries = Array.isArray(list) ? (list as IndexEntry[]) : undefined;
    } catch {
      entries = undefined;
    }
  }
  indexMemo.set(key, { stamp, entries });
  return entries;
}

/** Names of the cached indexes of a repository URL: from repositories.yaml, else indexes whose archives live under the URL. */
function indexFilesFor(url: string, paths: HelmCachePaths, chart: string): string[] {
  const want = trimSlash(url);
  const names: string[] = [];
  try {
    const cfg = parse(readSync(paths.repositoryConfig) ?? '') as { repositories?: { name?: unknown; url?: unknown }[] } | null;
    for (const r of cfg?.repositories ?? []) if (typeof r.name === 'string' && typeof r.url === 'string' && trimSlash(r.url) === want) names.push(r.name);
  } catch {
    // An unreadable repositories.yaml: the indexes are searched below.
  }
  const files = names.map((n) => path.join(paths.repositoryCache, `${n}-index.yaml`)).filter((f) => fs.existsSync(f));
  if (files.length) return files;
  let all: string[] = [];
  try {
    all = fs.readdirSync(paths.repositoryCache).filter((f) => f.endsWith('-index.yaml'));
  } catch {
    return [];
  }
  return all.map((f) => path.join(paths.repositoryCache, f)).filter((f) => (indexEntries(f, chart) ?? []).some((e) => (e.urls ?? []).some((u) => u.startsWith(`${want}/`))));
}

function sha256Of(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

function sourceText(req: ChartRequest): string {
  return `${req.url ?? `the ${req.sourceKind}`} chart ${req.chart} ${req.version || '*'}`;
}

/** The cached archive of the chart, or where it would come from and why it is not used. */
export function findCachedChart(req: ChartRequest, paths: HelmCachePaths = helmCachePaths()): CachedChart {
  const cache = paths.repositoryCache;
  const range = req.version || '*';
  if (!parseConstraint(range)) return { missing: `version ${range} of chart ${req.chart} is not a semantic version range` };
  const oci = req.sourceKind === 'OCIRepository' || req.url?.startsWith('oci://');
  if (!req.url) return { missing: `${req.sourceKind} of chart ${req.chart} is not in the workspace (its URL is unknown here)` };
  if (oci) {
    const prefix = `${req.chart}-`;
    let files: string[] = [];
    try {
      files = fs.readdirSync(cache).filter((f) => f.startsWith(prefix) && f.endsWith('.tgz'));
    } catch {
      // no cache folder
    }
    const version = highestMatching(range, files.map((f) => f.slice(prefix.length, -'.tgz'.length)));
    if (!version) return { missing: `${sourceText(req)} is not in helm's cache ${cache} (helm pull ${trimSlash(req.url)}${req.sourceKind === 'OCIRepository' ? '' : `/${req.chart}`} --version <version> -d ${cache})` };
    return { archive: path.join(cache, `${prefix}${version}.tgz`), version, from: `${req.url} (helm cache, by name and version)` };
  }
  const indexes = indexFilesFor(req.url, paths, req.chart);
  if (!indexes.length) return { missing: `${sourceText(req)}: no index of ${req.url} in helm's cache ${cache} (helm repo add <name> ${req.url} && helm repo update)` };
  for (const index of indexes) {
    const entries = indexEntries(index, req.chart) ?? [];
    const version = highestMatching(range, entries.map((e) => String(e.version ?? '')));
    if (!version) continue;
    const entry = entries.find((e) => String(e.version) === version)!;
    const names = [...new Set([...(entry.urls ?? []).map((u) => path.posix.basename(u.split('?')[0])), `${req.chart}-${version}.tgz`])].filter((n) => n && !n.includes('..'));
    for (const n of names) {
      const archive = path.join(cache, n);
      if (!fs.existsSync(archive)) continue;
      // The archive helm downloaded for this entry, not another chart of the same name and version.
      if (entry.digest && sha256Of(archive) !== entry.digest) continue;
      return { archive, version, from: `${path.basename(index)} (helm cache)` };
    }
    return { missing: `${sourceText(req)} resolves to ${version} in ${path.basename(index)}, but ${req.chart}-${version}.tgz is not in helm's cache ${cache} (helm pull ${req.chart} --repo ${req.url} --version ${version} -d ${cache})` };
  }
  return { missing: `${sourceText(req)}: no version of ${req.chart} in the cached index allows ${range}` };
}
