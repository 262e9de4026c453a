// Schemas read from a connected cluster: the built-in kinds from its own /openapi/v3 (the documents of the
// group-versions the apiserver serves itself, derived into the compact form of the shipped snapshot, fetched once
// per server version and set of documents, cached on disk) and custom resources from its CustomResourceDefinitions
// (listed on each refresh). A failed or forbidden read falls back (to the snapshot, to the workspace's CRD
// manifests) and is logged, never an error of the app; a failure is never written to the cache.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { KubeObject } from '../model';
import { isObject } from '../k8s/json';
import { silentLogger, type Logger } from '../ports';
import type { KubeClient } from '../kube/types';
import { CompactSchemaSource } from './compactSource';
import { crdSchemaSource } from './crdSchema';
import { compactFromOpenApi, type OpenApiDocument } from './fromOpenApi';
import type { CompactSchema, SchemaSource } from './schemaTypes';

const FORMAT = 'openapi-v3-cache-v1';
/** Whole read of a cluster's OpenAPI (version, index, every document) or of its CRD list. */
const DEADLINE_MS = 15_000;
/** A failed OpenAPI read is tried again after this long (in memory only). */
const RETRY_MS = 5 * 60_000;
const CRD_TYPE = { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' };

export interface ClusterSchemasOptions {
  /** Folder for the derived schemas (extension storage, CLI cache dir); none: fetched once per process. */
  cacheDir?: string;
  log?: Logger;
  now?: () => number;
  deadlineMs?: number;
}

/** What a cluster says about schemas; either part is absent when it could not be read. */
export interface ClusterSchemaSources {
  crds?: CompactSchemaSource;
  openApi?: CompactSchemaSource;
}

/**
 * Whether an /openapi/v3 index path names a group-version served by the apiserver itself (core, groups without a
 * dot, `*.k8s.io`): CRDs' group-versions come from the CRD list instead, whose schemas change without a new version.
 */
export function isBuiltinGroupVersionPath(p: string): boolean {
  if (p === 'api/v1') return true;
  const m = /^apis\/([^/]+)\/[^/]+$/.exec(p);
  return !!m && (!m[1].includes('.') || m[1].endsWith('.k8s.io')) && !m[1].endsWith('.x-k8s.io');
}

type GetPath = (p: string, signal?: AbortSignal) => Promise<unknown>;

/** The server's gitVersion and the built-in group-versions its /openapi/v3 index lists (path → URL with its hash). */
export interface OpenApiIndex {
  version: string;
  paths: Array<[string, string]>;
}

export async function readOpenApiIndex(get: GetPath, signal?: AbortSignal): Promise<OpenApiIndex> {
  const version = (await get('/version', signal)) as { gitVersion?: unknown };
  if (typeof version?.gitVersion !== 'string') throw new Error('/version has no gitVersion');
  const index = (await get('/openapi/v3', signal)) as { paths?: Record<string, { serverRelativeURL?: string }> };
  const paths = Object.entries(index?.paths ?? {})
    .filter(([p]) => isBuiltinGroupVersionPath(p))
    .map(([p, v]): [string, string] => [p, v?.serverRelativeURL ?? `/openapi/v3/${p}`])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!paths.length) throw new Error('/openapi/v3 lists no built-in group-versions');
  return { version: version.gitVersion, paths };
}

/** The compact schema (the snapshot's form) of the documents the index lists. */
export async function openApiSchemaOf(get: GetPath, index: OpenApiIndex, signal?: AbortSignal): Promise<CompactSchema> {
  const docs: OpenApiDocument[] = [];
  // A few at a time: the core document alone is megabytes.
  for (let i = 0; i < index.paths.length; i += 4) {
    docs.push(...(await Promise.all(index.paths.slice(i, i + 4).map(([, url]) => get(url, signal) as Promise<OpenApiDocument>))));
  }
  const schema = compactFromOpenApi(docs.map(describedOnly), `kubernetes ${index.version} OpenAPI v3 from the cluster (${index.paths.length} group-versions)`);
  if (!Object.keys(schema.kinds).length) throw new Error('/openapi/v3 describes the fields of no built-in kind');
  return schema;
}

/**
 * The document without the kinds it does not describe: a root that preserves unknown fields says nothing about the
 * kind's fields (no real apiserver serves a built-in kind so; API emulators do), and the snapshot then answers.
 */
function describedOnly(doc: OpenApiDocument): OpenApiDocument {
  const schemas = doc.components?.schemas ?? {};
  const kept = Object.entries(schemas).filter(([, s]) => !(isObject(s) && s['x-kubernetes-preserve-unknown-fields'] === true && Array.isArray(s['x-kubernetes-group-version-kind'])));
  return { components: { schemas: Object.fromEntries(kept) } };
}

function withDeadline(signal: AbortSignal | undefined, ms: number): AbortSignal {
  return signal ? AbortSignal.any([signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms);
}

export class ClusterSchemas {
  private readonly openApiByServer = new Map<string, { at: number; ok: boolean; source: Promise<CompactSchemaSource | undefined> }>();
  private readonly byKey = new Map<string, CompactSchemaSource>();
  private readonly crdsByServer = new Map<string, { key: string; source: CompactSchemaSource }>();
  /** Servers whose CRD list failed and was logged (said once, asked again each refresh). */
  private readonly crdListFailed = new Set<string>();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly opts: ClusterSchemasOptions = {}) {
    this.log = opts.log ?? silentLogger;
    this.now = opts.now ?? Date.now;
  }

  /** The sources the diff reads, most authoritative first: live CRDs, the workspace's CRD manifests, the cluster's OpenAPI. */
  static ordered(cluster: ClusterSchemaSources, workspaceCrds?: SchemaSource): SchemaSource[] | undefined {
    const list = [cluster.crds, workspaceCrds, cluster.openApi].filter((s): s is SchemaSource => !!s);
    return list.length ? list : undefined;
  }

  /** Both reads for one cluster; `refresh` lists the CRDs again (else the last list answers). Never rejects. */
  async read(client: KubeClient, refresh: boolean, signal?: AbortSignal): Promise<ClusterSchemaSources> {
    const [openApi, crds] = await Promise.all([this.openApi(client, signal), this.crds(client, refresh, signal)]);
    return { ...(crds ? { crds } : {}), ...(openApi ? { openApi } : {}) };
  }

  /** The cluster's built-in schema; undefined (the snapshot answers) when it cannot be read. */
  openApi(client: KubeClient, signal?: AbortSignal): Promise<CompactSchemaSource | undefined> {
    const getPath = client.getPath?.bind(client);
    if (!getPath) return Promise.resolve(undefined);
    const hit = this.openApiByServer.get(client.server);
    if (hit && (hit.ok || this.now() - hit.at < RETRY_MS)) return hit.source;
    const entry = { at: this.now(), ok: false, source: Promise.resolve<CompactSchemaSource | undefined>(undefined) };
    entry.source = this.load(getPath, withDeadline(signal, this.opts.deadlineMs ?? DEADLINE_MS)).then(
      (s) => ((entry.ok = true), s),
      (e) => {
        // A cancelled refresh is no failure of the cluster: the next one asks again.
        if (signal?.aborted) this.openApiByServer.delete(client.server);
        else this.log.warn(`${client.contextName}: reading the cluster's OpenAPI failed, the built-in schemas of Kubernetes v1.37 are used: ${(e as Error).message}`);
        return undefined;
      },
    );
    this.openApiByServer.set(client.server, entry);
    return entry.source;
  }

  /**
   * The schema of the server's version: from memory, else from the disk, else fetched and written there. The key
   * is the version and the index's document hashes, so two servers of one version that serve different documents
   * (feature gates, an emulator) do not share an entry.
   */
  private async load(get: GetPath, signal: AbortSignal): Promise<CompactSchemaSource> {
    const index = await readOpenApiIndex(get, signal);
    const key = createHash('sha256').update(JSON.stringify([index.version, index.paths])).digest('hex').slice(0, 32);
    const known = this.byKey.get(key);
    if (known) return known;
    const file = this.opts.cacheDir ? path.join(this.opts.cacheDir, FORMAT, `${key}.json`) : undefined;
    let schema: CompactSchema | undefined;
    if (file) {
      try {
        const entry = JSON.parse(await fs.readFile(file, 'utf8')) as { key?: string; schema?: CompactSchema };
        if (entry.key === key && entry.schema?.kinds && entry.schema.types) schema = entry.schema;
      } catch {}
    }
    if (!schema) {
      schema = await openApiSchemaOf(get, index, signal);
      this.log.info(`read the OpenAPI v3 schemas of ${index.version} from the cluster (${Object.keys(schema.kinds).length} kinds)`);
      if (file) {
        try {
          await fs.mkdir(path.dirname(file), { recursive: true });
          const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
          await fs.writeFile(tmp, JSON.stringify({ version: index.version, key, schema }));
          await fs.rename(tmp, file);
        } catch (e) {
          this.log.warn(`cannot write the schema cache ${file}: ${(e as Error).message}`);
        }
      }
    }
    const source = new CompactSchemaSource(schema);
    this.byKey.set(key, source);
    return source;
  }

  /** The cluster's CRDs as a schema source (the same instance while no CRD changed); undefined when unreadable. */
  async crds(client: KubeClient, refresh: boolean, signal?: AbortSignal): Promise<CompactSchemaSource | undefined> {
    const last = this.crdsByServer.get(client.server);
    if (last && !refresh) return last.source;
    let items: KubeObject[];
    try {
      items = (await client.list(CRD_TYPE, { signal: withDeadline(signal, this.opts.deadlineMs ?? DEADLINE_MS) })).items;
    } catch (e) {
      if (!signal?.aborted && !this.crdListFailed.has(client.server)) this.log.warn(`${client.contextName}: listing CustomResourceDefinitions failed, custom resources use the workspace's CRD manifests: ${(e as Error).message}`);
      if (!signal?.aborted) this.crdListFailed.add(client.server);
      this.crdsByServer.delete(client.server);
      return undefined;
    }
    this.crdListFailed.delete(client.server);
    const key = items
      .map((c) => `${c.metadata?.uid ?? c.metadata?.name}/${c.metadata?.resourceVersion ?? ''}`)
      .sort()
      .join(',');
    if (last?.key === key) return last.source;
    const source = crdSchemaSource(items);
    this.crdsByServer.set(client.server, { key, source });
    return source;
  }
}
