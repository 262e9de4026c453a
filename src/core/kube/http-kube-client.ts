// KubeClient over the Kubernetes REST API. client-node supplies the auth (tokens, exec plugins, OIDC, client
// certificates, CA, proxies) through KubeConfig.applyToHTTPSOptions; requests are plain node:http(s) so every
// call can carry an AbortSignal, a timeout and any patch content type.
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { GitOpsError, type KubeObject, type ObjectRef } from '../model';
import type { Logger } from '../ports';
import { silentLogger } from '../ports';
import { errorFromNetwork, errorFromStatus, type RequestContext } from './errors';
import { findResourceType, parseGroupList, parseResourceList, rbacName, resourcePath } from './discovery';
import { mapWithConcurrency } from './concurrency';
import { loadKubeConfig, type KubeConfigOptions } from './kube-config';
import { CONTENT_TYPES, type Disposable, type KubeClient, type ListOptions, type ListResult, type PatchOptions, type ResourceType, type TypeRef, type WatchOptions } from './types';
import { runWatch } from './watch-loop';

export interface DiscoveryEntry {
  at: number;
  types: Promise<ResourceType[]>;
  /** API groups whose discovery failed in this entry (group → error): their kinds are unknown, not unserved. */
  failedGroups?: Map<string, string>;
  /** The failed group versions, asked again by the next discover (at most once per second). */
  failedPairs?: GroupVersion[];
  lastRetry?: number;
  retrying?: Promise<ResourceType[]>;
}

interface GroupVersion {
  group: string;
  version: string;
  preferred: boolean;
}

export interface HttpKubeClientOptions extends KubeConfigOptions {
  /** An already loaded config (wins over kubeconfig/context). */
  kubeConfig?: KubeConfig;
  /** Per-request timeout for non-watch calls. */
  requestTimeoutMs?: number;
  /** Shared discovery cache keyed by server URL, so several clients of one cluster discover once. */
  discoveryCache?: Map<string, DiscoveryEntry>;
  /** Discovery older than this is refreshed when a kind is not found (a CRD may just have been installed). */
  discoveryMaxAgeMs?: number;
  logger?: Logger;
  userAgent?: string;
  /** Source of the retry jitter (0 ≤ x < 1); injectable for tests. Default Math.random. */
  random?: () => number;
}

interface Response {
  status: number;
  body: unknown;
}

export function createKubeClient(opts: HttpKubeClientOptions = {}): KubeClient {
  const kc = opts.kubeConfig ?? loadKubeConfig(opts);
  return new HttpKubeClient(kc, opts);
}

class HttpKubeClient implements KubeClient {
  readonly contextName: string;
  readonly server: string;
  private readonly cache: Map<string, DiscoveryEntry>;
  private readonly timeoutMs: number;
  private readonly maxAgeMs: number;
  private readonly log: Logger;
  private readonly userAgent: string;
  private readonly random: () => number;
  /** Keep-alive agents by TLS identity, so requests reuse connections instead of a TLS handshake each. */
  private readonly agents = new Map<string, http.Agent>();

  constructor(
    private readonly kc: KubeConfig,
    opts: HttpKubeClientOptions,
  ) {
    this.contextName = kc.getCurrentContext();
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new GitOpsError('invalid', `Context "${this.contextName}" has no cluster`);
    this.server = cluster.server.replace(/\/+$/, '');
    this.cache = opts.discoveryCache ?? new Map();
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.maxAgeMs = opts.discoveryMaxAgeMs ?? 10_000;
    this.log = opts.logger ?? silentLogger;
    this.userAgent = opts.userAgent ?? 'gitops-drift';
    this.random = opts.random ?? Math.random;
  }

  /** One HTTP exchange; `stream` hands back the raw response for watches. */
  private async open(method: string, path: string, query: Record<string, string | undefined>, ctx: RequestContext, o: { body?: string; contentType?: string; signal?: AbortSignal; timeoutMs?: number; longLived?: boolean }): Promise<http.IncomingMessage> {
    if (o.signal?.aborted) throw new GitOpsError('cancelled', `Cancelled: ${ctx.verb} ${ctx.resource}`);
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const reqOpts: https.RequestOptions = { headers: { Accept: 'application/json', 'User-Agent': this.userAgent } };
    try {
      await this.kc.applyToHTTPSOptions(reqOpts);
    } catch (e) {
      throw new GitOpsError('unauthorized', `Cannot get credentials for context "${this.contextName}": ${(e as Error).message}`, { cause: e });
    }
    // A watch holds its connection for minutes: it must not take one of the pooled keep-alive sockets, or enough
    // watches (one per type and namespace under namespace-scoped RBAC) would leave every other request queued forever.
    if (!o.longLived) reqOpts.agent = this.reusableAgent(reqOpts.agent);
    const headers = { ...(reqOpts.headers as Record<string, string>) };
    if (o.body !== undefined) {
      headers['Content-Type'] = o.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(o.body));
    }
    const mod = url.protocol === 'http:' ? http : https;
    this.log.trace(`${method} ${url.pathname}${url.search}`);
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = mod.request(url, { ...reqOpts, method, headers, signal: o.signal });
      let timer: NodeJS.Timeout | undefined;
      if (o.timeoutMs) {
        timer = setTimeout(() => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })), o.timeoutMs);
      }
      req.on('response', (res) => {
        if (timer) clearTimeout(timer);
        resolve(res);
      });
      req.on('error', (e) => {
        if (timer) clearTimeout(timer);
        reject(errorFromNetwork(e, ctx, this.server, o.signal));
      });
      req.end(o.body);
    });
  }

  /**
   * client-node builds a fresh agent (without keep-alive) per request. For plain http/https agents, reuse one with
   * keep-alive per identical TLS options (exec plugins may rotate client certificates, hence the key); proxy agents
   * are used as given.
   */
  private reusableAgent(agent: http.Agent | boolean | undefined): http.Agent | boolean | undefined {
    if (!agent || typeof agent === 'boolean' || (agent.constructor !== https.Agent && agent.constructor !== http.Agent)) return agent;
    const o = (agent as http.Agent & { options?: Record<string, unknown> }).options ?? {};
    const part = (v: unknown) => (v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('base64') : String(v));
    const key = [agent.constructor === https.Agent ? 'https' : 'http', ...['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'].map((k) => part(o[k]))].join('|');
    let cached = this.agents.get(key);
    if (!cached) {
      const opts = { ...o, keepAlive: true, maxSockets: 16 };
      cached = agent.constructor === https.Agent ? new https.Agent(opts) : new http.Agent(opts);
      this.agents.set(key, cached);
    }
    return cached;
  }

  /**
   * One request, retried like client-go does when the server asks to come back later: a 429 (not processed, so any
   * method) or a 5xx answer to a GET that carries Retry-After (e.g. "storage is (re)initializing" while a CRD is
   * being set up, or priority-and-fairness throttling), up to MAX_RETRIES times, waiting what the server says
   * (capped) plus a bounded jitter, so clients told the same Retry-After do not all come back at once. Everything
   * else, and the last answer, goes to the caller as an error.
   */
  private async call(method: string, path: string, query: Record<string, string | undefined>, ctx: RequestContext, o: { body?: string; contentType?: string; signal?: AbortSignal } = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const { status, body, retryAfterS } = await this.callOnce(method, path, query, ctx, o);
      if (status >= 200 && status < 300) return { status, body };
      const retriable = retryAfterS !== undefined && (status === 429 || (status >= 500 && method === 'GET'));
      if (!retriable || attempt >= MAX_RETRIES) throw errorFromStatus(status, body, ctx);
      await abortableDelay(retryDelayMs(Math.min(retryAfterS, MAX_RETRY_AFTER_S) * 1000, this.random), o.signal).catch((e) => {
        throw errorFromNetwork(e, ctx, this.server, o.signal);
      });
    }
  }

  private async callOnce(method: string, path: string, query: Record<string, string | undefined>, ctx: RequestContext, o: { body?: string; contentType?: string; signal?: AbortSignal }): Promise<Response & { retryAfterS?: number }> {
    const res = await this.open(method, path, query, ctx, { ...o, timeoutMs: this.timeoutMs });
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => res.destroy(Object.assign(new Error('response timed out'), { code: 'ETIMEDOUT' })), this.timeoutMs);
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(errorFromNetwork(e, ctx, this.server, o.signal));
      });
    });
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {}
    const status = res.statusCode ?? 0;
    const header = res.headers['retry-after'];
    const seconds = typeof header === 'string' && /^\d+$/.test(header.trim()) ? Number(header) : undefined;
    return { status, body, retryAfterS: seconds };
  }

  async discover(signal?: AbortSignal): Promise<ResourceType[]> {
    let entry = this.cache.get(this.server);
    if (!entry) {
      // Shared by every caller, so it does not run under one caller's signal: a cancelled refresh must not
      // fail the next one. Each caller stops waiting when its own signal aborts.
      const failedGroups = new Map<string, string>();
      const failedPairs: GroupVersion[] = [];
      const created: DiscoveryEntry = { at: Date.now(), types: this.fetchDiscovery(undefined, failedGroups, failedPairs), failedGroups, failedPairs };
      created.lastRetry = Date.now();
      entry = created;
      this.cache.set(this.server, created);
      // A failed discovery must not be cached, or one network blip would stick.
      created.types.catch(() => {
        if (this.cache.get(this.server) === created) this.cache.delete(this.server);
      });
    } else if (entry.failedPairs?.length && !entry.retrying && Date.now() - (entry.lastRetry ?? 0) >= FAILED_GROUP_RETRY_INTERVAL_MS) {
      // A group whose discovery failed is no answer to keep: ask those group versions again, not all of discovery.
      const e = entry;
      const pairs = e.failedPairs!.splice(0);
      e.lastRetry = Date.now();
      const previous = e.types;
      e.retrying = (async () => {
        const base = await previous;
        const failed = new Map<string, string>();
        const stillFailing: GroupVersion[] = [];
        const lists = await Promise.all(pairs.map((pv) => this.fetchGroup(pv, undefined, failed, stillFailing)));
        e.failedGroups = failed;
        e.failedPairs = stillFailing;
        return base.concat(...lists);
      })();
      e.types = e.retrying.finally(() => (e.retrying = undefined));
      e.types.catch(() => {
        if (this.cache.get(this.server) === e) this.cache.delete(this.server);
      });
    }
    if (!signal) return entry.types;
    if (signal.aborted) throw new GitOpsError('cancelled', 'Discovery cancelled');
    return new Promise<ResourceType[]>((resolve, reject) => {
      const onAbort = () => reject(new GitOpsError('cancelled', 'Discovery cancelled'));
      signal.addEventListener('abort', onAbort, { once: true });
      entry!.types.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** `failed` receives the groups whose discovery still failed after retries, `failedPairs` their versions. */
  private async fetchDiscovery(signal?: AbortSignal, failed = new Map<string, string>(), failedPairs: GroupVersion[] = []): Promise<ResourceType[]> {
    const ctx = { verb: 'get', resource: 'discovery' };
    const core = await this.call('GET', '/api/v1', {}, ctx, { signal });
    const out = parseResourceList('', 'v1', true, core.body);
    const groups = parseGroupList((await this.call('GET', '/apis', {}, ctx, { signal })).body);
    const pairs = groups.flatMap((g) => g.versions.map((v) => ({ group: g.group, version: v, preferred: v === g.preferred })));
    const lists = await mapWithConcurrency(pairs, 6, (p) => this.fetchGroup(p, signal, failed, failedPairs), signal);
    return out.concat(...lists);
  }

  /** One group version's resources; a transient failure is asked again a few times (Retry-After answers already are). */
  private async fetchGroup(p: GroupVersion, signal: AbortSignal | undefined, failed: Map<string, string>, failedPairs: GroupVersion[]): Promise<ResourceType[]> {
    const ctx = { verb: 'get', resource: 'discovery' };
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await this.call('GET', `/apis/${p.group}/${p.version}`, {}, ctx, { signal });
        return parseResourceList(p.group, p.version, p.preferred, r.body);
      } catch (e) {
        const reason = (e as GitOpsError).reason;
        if (reason === 'cancelled') throw e;
        const permanent = PERMANENT.has(reason);
        if (attempt < GROUP_DISCOVERY_RETRIES.length && !permanent) {
          await abortableDelay(retryDelayMs(GROUP_DISCOVERY_RETRIES[attempt], this.random), signal).catch((err) => {
            throw errorFromNetwork(err, ctx, this.server, signal);
          });
          continue;
        }
        // An aggregated API that is down (e.g. metrics) must not break discovery of everything else; a transient
        // failure is remembered, so its kinds are not called "not served" and later lookups ask again.
        this.log.warn(`discovery of ${p.group}/${p.version} failed: ${(e as Error).message}`);
        if (!permanent) {
          failed.set(p.group, (e as Error).message);
          failedPairs.push(p);
        }
        return [];
      }
    }
  }

  async resolve(type: TypeRef, signal?: AbortSignal): Promise<ResourceType> {
    try {
      return findResourceType(await this.discover(signal), type);
    } catch (e) {
      const entry = this.cache.get(this.server);
      if ((e as GitOpsError).reason !== 'notFound' || !entry) throw e;
      // The group's discovery failed (after retries): the kind is unknown, not unserved; discover asks again later.
      const failure = entry.failedGroups?.get(type.group);
      if (failure !== undefined) {
        throw new GitOpsError('unreachable', `Discovery of API group ${type.group} failed (${failure}); cannot tell whether ${type.kind} is served. It is asked again on the next refresh`, {
          verb: 'get',
          resource: 'discovery',
          cause: e,
        });
      }
      if (Date.now() - entry.at < this.maxAgeMs) throw e;
      this.cache.delete(this.server);
      return findResourceType(await this.discover(signal), type);
    }
  }

  async list(type: TypeRef, opts: ListOptions = {}): Promise<ListResult> {
    const rt = await this.resolve(type, opts.signal);
    const ctx = { verb: 'list', resource: rbacName(rt), namespace: opts.namespace };
    const items: KubeObject[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    // Pages keep each answer small on big clusters; the continue token is followed to the end.
    do {
      const r = await this.call('GET', resourcePath(rt, opts.namespace), { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: '500', continue: cont }, ctx, { signal: opts.signal });
      const body = r.body as { items?: KubeObject[]; metadata?: { continue?: string; resourceVersion?: string } };
      const apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version;
      // List items come without apiVersion/kind; fill them so they look like GET results.
      for (const it of body.items ?? []) items.push({ ...it, apiVersion: it.apiVersion ?? apiVersion, kind: it.kind ?? rt.kind });
      cont = body.metadata?.continue || undefined;
      resourceVersion = body.metadata?.resourceVersion ?? resourceVersion;
    } while (cont);
    return { items, resourceVersion };
  }

  async getPath(p: string, signal?: AbortSignal): Promise<unknown> {
    const url = new URL(p, 'http://path.invalid');
    const query = Object.fromEntries(url.searchParams.entries());
    return (await this.call('GET', url.pathname, query, { verb: 'get', resource: url.pathname }, { signal })).body;
  }

  async get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject> {
    const rt = await this.resolve(ref, signal);
    const ctx = { verb: 'get', resource: rbacName(rt), name: ref.name, namespace: rt.namespaced ? ref.namespace : undefined };
    return (await this.call('GET', resourcePath(rt, ref.namespace, ref.name), {}, ctx, { signal })).body as KubeObject;
  }

  async patch(ref: ObjectRef, body: unknown, opts: PatchOptions): Promise<KubeObject> {
    const rt = await this.resolve(ref, opts.signal);
    const ctx = { verb: 'patch', resource: rbacName(rt), name: ref.name, namespace: rt.namespaced ? ref.namespace : undefined };
    const payload = withResourceVersion(body, opts);
    const query = { fieldManager: opts.fieldManager, force: opts.type === 'apply' && opts.force ? 'true' : undefined, dryRun: opts.dryRun ? 'All' : undefined };
    const r = await this.call('PATCH', resourcePath(rt, ref.namespace, ref.name), query, ctx, { body: JSON.stringify(payload), contentType: CONTENT_TYPES[opts.type], signal: opts.signal });
    return r.body as KubeObject;
  }

  async create(type: TypeRef, body: unknown, opts: { namespace?: string; fieldManager?: string; signal?: AbortSignal } = {}): Promise<KubeObject> {
    const rt = await this.resolve(type, opts.signal);
    const ctx = { verb: 'create', resource: rbacName(rt), namespace: rt.namespaced ? opts.namespace : undefined };
    const r = await this.call('POST', resourcePath(rt, rt.namespaced ? opts.namespace : undefined), { fieldManager: opts.fieldManager }, ctx, { body: JSON.stringify(body), contentType: 'application/json', signal: opts.signal });
    return r.body as KubeObject;
  }

  watch(type: TypeRef, opts: WatchOptions): Disposable {
    return runWatch({
      list: (signal) => this.list(type, { namespace: opts.namespace, labelSelector: opts.labelSelector, signal }),
      stream: async (resourceVersion, signal) => {
        const rt = await this.resolve(type, signal);
        const ctx = { verb: 'watch', resource: rbacName(rt), namespace: opts.namespace };
        const query = { watch: '1', resourceVersion, allowWatchBookmarks: 'true', labelSelector: opts.labelSelector, timeoutSeconds: '300' };
        const res = await this.open('GET', resourcePath(rt, opts.namespace), query, ctx, { signal, timeoutMs: this.timeoutMs, longLived: true });
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          const text = await new Promise<string>((resolve) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
            res.on('error', () => resolve(''));
          });
          let b: unknown = text;
          try {
            b = JSON.parse(text);
          } catch {}
          throw errorFromStatus(status, b, ctx);
        }
        return res;
      },
      opts,
    });
  }
}

/** Adds the resourceVersion precondition in the form each patch type understands. */
export function withResourceVersion(body: unknown, opts: Pick<PatchOptions, 'type' | 'resourceVersion'>): unknown {
  if (!opts.resourceVersion) return body;
  if (opts.type === 'json') {
    // A replace (not a test op) makes the API server answer 409 Conflict, like the other patch types.
    return [...(body as unknown[]), { op: 'replace', path: '/metadata/resourceVersion', value: opts.resourceVersion }];
  }
  const b = (body ?? {}) as Record<string, unknown>;
  const metadata = { ...((b.metadata as Record<string, unknown>) ?? {}), resourceVersion: opts.resourceVersion };
  return { ...b, metadata };
}

/** Retries of an answer that carries Retry-After (client-go uses 10; a deadline per request still applies). */
const MAX_RETRIES = 5;
/** Waits before asking a failed API group's discovery again (a transient 503 or reset without Retry-After). */
const GROUP_DISCOVERY_RETRIES = [200, 600];
/** Least time between two re-asks of failed group versions (resolve runs before every request). */
const FAILED_GROUP_RETRY_INTERVAL_MS = 1000;
/** Answers that another try will not change. */
const PERMANENT = new Set(['unauthorized', 'forbidden', 'notFound', 'invalid']);
/** Longest wait honoured from one Retry-After. */
const MAX_RETRY_AFTER_S = 5;

/** Jitter added to a retry's wait: a fifth of it, at least 100 ms and at most 1 s. */
const JITTER_FRACTION = 0.2;
const MIN_JITTER_MS = 100;
const MAX_JITTER_MS = 1000;

/**
 * How long to wait before a retry: the wait the server asked for (never less) plus a bounded random extra, so many
 * clients throttled together spread out. `random` returns 0 ≤ x < 1.
 */
export function retryDelayMs(baseMs: number, random: () => number = Math.random): number {
  const spread = Math.min(MAX_JITTER_MS, Math.max(MIN_JITTER_MS, baseMs * JITTER_FRACTION));
  const r = Math.min(1, Math.max(0, random()));
  return baseMs + r * spread;
}

function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
