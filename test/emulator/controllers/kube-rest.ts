// A small Kubernetes REST client for the simulated controllers. It talks plain HTTP(S) like the real
// controllers do, so they work against the emulator or any API server; auth comes from a kubeconfig.
import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../../src/core/model';

export interface KubeResponse {
  status: number;
  body: any;
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly verb: string,
    readonly path: string,
    readonly body: unknown,
  ) {
    const msg = (body as { message?: string } | undefined)?.message ?? JSON.stringify(body);
    super(`${verb} ${path} failed with ${status}: ${msg}`);
    this.name = 'KubeApiError';
  }
}

interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

const REQUEST_TIMEOUT_MS = 30_000;

export const APPLY_PATCH = 'application/apply-patch+yaml';
export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';

export class KubeRest {
  /** apiVersion → kind → resource; refreshed on a miss because CRDs may be registered after start. */
  private readonly discovery = new Map<string, Map<string, ResourceInfo>>();

  private constructor(
    private readonly server: URL,
    private readonly base: https.RequestOptions,
  ) {}

  static async fromKubeconfig(kubeconfigPath: string): Promise<KubeRest> {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig ${kubeconfigPath} has no current cluster`);
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    return new KubeRest(new URL(cluster.server), opts);
  }

  request(method: string, path: string, opts: RequestOptions = {}): Promise<KubeResponse> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = { ...(this.base.headers as Record<string, string>), Accept: 'application/json', 'User-Agent': 'gitops-sim-controller/v0' };
    if (payload !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { ...this.base, method, headers, signal: opts.signal, agent: undefined }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {}
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      });
      // A hung server (the emulator can inject that) must not stall a controller loop forever.
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${url.pathname} timed out after ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like request, but throws KubeApiError on any non-2xx answer. */
  async call(method: string, path: string, opts: RequestOptions = {}): Promise<any> {
    const res = await this.request(method, path, opts);
    if (res.status < 200 || res.status >= 300) throw new KubeApiError(res.status, method, path, res.body);
    return res.body;
  }

  /** GET that answers undefined for 404. */
  async getOrUndefined<T = KubeObject>(path: string, signal?: AbortSignal): Promise<T | undefined> {
    const res = await this.request('GET', path, { signal });
    if (res.status === 404) return undefined;
    if (res.status < 200 || res.status >= 300) throw new KubeApiError(res.status, 'GET', path, res.body);
    return res.body as T;
  }

  async list<T = KubeObject>(apiVersion: string, kind: string, namespace?: string, signal?: AbortSignal): Promise<T[]> {
    const path = await this.collectionPath(apiVersion, kind, namespace, signal);
    if (!path) return [];
    const body = await this.getOrUndefined<{ items?: T[] }>(path, signal);
    const items = body?.items ?? [];
    // Lists omit apiVersion/kind on items in some servers; restore them so callers can build paths.
    return items.map((i) => ({ apiVersion, kind, ...(i as object) }) as T);
  }

  async resource(apiVersion: string, kind: string, signal?: AbortSignal): Promise<ResourceInfo | undefined> {
    let kinds = this.discovery.get(apiVersion);
    if (!kinds?.has(kind)) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const body = await this.getOrUndefined<{ resources?: { name: string; kind: string; namespaced: boolean }[] }>(path, signal);
      kinds = new Map();
      for (const r of body?.resources ?? []) if (!r.name.includes('/')) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced });
      this.discovery.set(apiVersion, kinds);
    }
    return kinds.get(kind);
  }

  /** Collection path (all namespaces when namespace is undefined); undefined when the kind is not served. */
  async collectionPath(apiVersion: string, kind: string, namespace?: string, signal?: AbortSignal): Promise<string | undefined> {
    const info = await this.resource(apiVersion, kind, signal);
    if (!info) return undefined;
    const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return info.namespaced && namespace ? `${prefix}/namespaces/${namespace}/${info.plural}` : `${prefix}/${info.plural}`;
  }

  /** Object path; throws when the kind is unknown to the server. */
  async objectPath(obj: { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string } }, signal?: AbortSignal): Promise<string> {
    const info = await this.resource(obj.apiVersion, obj.kind, signal);
    if (!info) throw new KubeApiError(404, 'DISCOVER', `${obj.apiVersion}/${obj.kind}`, { message: `the server does not serve ${obj.kind} in ${obj.apiVersion}` });
    const prefix = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
    const ns = info.namespaced ? `/namespaces/${obj.metadata.namespace ?? 'default'}` : '';
    return `${prefix}${ns}/${info.plural}/${encodeURIComponent(obj.metadata.name ?? '')}`;
  }

  async isNamespaced(apiVersion: string, kind: string, signal?: AbortSignal): Promise<boolean | undefined> {
    return (await this.resource(apiVersion, kind, signal))?.namespaced;
  }
}
