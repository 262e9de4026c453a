// HTTP layer of the emulator: auth, fault injection, discovery/OpenAPI, routing to ResourceOps, LIST and WATCH.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, qualifiedResource } from './apiStatus';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './discovery';
import { type Faults, pickFault } from './faults';
import { ObjectStore, type Obj, type StoreEvent } from './objectStore';
import { OpenApiCache } from './openapi';
import { decodeProtobufObject } from './protobufBody';
import { toTable, wantsTable } from './tableView';
import { parseJson, PATCH_TYPES, type ResourceOps, type WriteContext } from './resourceOps';
import { apiVersionOf, resourceKey, type ResourceType } from './resourceTypes';
import { combine, type Matcher, parseFieldSelector, parseLabelSelector } from './selectors';

export interface Users {
  /** token → user name; `readOnly` users get 403 on every write. */
  [token: string]: { name: string; readOnly: boolean };
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  userAgent: string;
  contentType: string;
  status: number;
}

interface Route {
  t: ResourceType;
  ns?: string;
  name?: string;
  sub?: string;
}

const MAX_BODY = 64 * 1024 * 1024;
const WRITE_VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

export interface ApiServerOptions {
  ops: ResourceOps;
  openapi: OpenApiCache;
  users: Users;
  faults: Faults;
  serverAddress: () => string;
  bookmarkIntervalMs: number;
  random?: () => number;
  now?: () => Date;
}

export class ApiServer {
  readonly openapi: OpenApiCache;
  /** Last requests (bounded), so tests can assert what a client actually sent. */
  readonly requests: RequestRecord[] = [];
  private readonly watches = new Set<ServerResponse>();

  constructor(private readonly o: ApiServerOptions) {
    this.openapi = o.openapi;
  }

  get store(): ObjectStore {
    return this.o.ops.store;
  }

  /** Ends all open watch streams (server shutdown). */
  closeWatches(): void {
    for (const res of this.watches) res.end();
    this.watches.clear();
  }

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://emulator');
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      userAgent: String(req.headers['user-agent'] ?? ''),
      contentType: String(req.headers['content-type'] ?? ''),
      status: 0,
    };
    this.requests.push(record);
    if (this.requests.length > 2000) this.requests.splice(0, 1000);
    res.on('finish', () => (record.status = res.statusCode));
    this.serve(req, res, url).catch((e: unknown) => {
      const err = e instanceof ApiError ? e : new ApiError('InternalError', `Internal error occurred: ${(e as Error)?.stack ?? String(e)}`);
      if (res.headersSent) res.end();
      else sendJson(res, err.code, err.toStatus());
    });
  };

  private async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const faults = this.o.faults;
    if (faults.latencyMs) await new Promise((r) => setTimeout(r, faults.latencyMs));
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/version') return sendJson(res, 200, SERVER_VERSION);
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return sendText(res, 200, 'ok');

    const auth = String(req.headers.authorization ?? '');
    const user = auth.startsWith('Bearer ') ? this.o.users[auth.slice(7).trim()] : undefined;
    if (!user) throw new ApiError('Unauthorized', 'Unauthorized');

    const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
    const reg = this.o.ops.types;
    if (segs[0] === 'openapi') return this.serveOpenApi(res, segs);
    if (path === '/api') return sendJson(res, 200, apiVersions(this.o.serverAddress()));
    if (path === '/apis') return sendJson(res, 200, apiGroupList(reg));
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs.length >= 2) [group, version, rest] = ['', segs[1], segs.slice(2)];
    else if (segs[0] === 'apis' && segs.length === 2) {
      const g = apiGroup(reg, segs[1]);
      if (!g) throw notFoundPath();
      return sendJson(res, 200, g);
    } else if (segs[0] === 'apis' && segs.length >= 3) [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
    else throw notFoundPath();
    if (rest.length === 0) {
      const list = apiResourceList(reg, group, version);
      if (!list) throw notFoundPath();
      return sendJson(res, 200, list);
    }

    const route = this.route(group, version, rest);
    const fault = pickFault(faults, path, this.o.random);
    if (fault === 'hang') return; // never answered: the client has to time out
    if (fault === 'error') throw new ApiError(this.rand() < 0.5 ? 'InternalError' : 'ServiceUnavailable', 'injected fault: the server is currently unable to handle the request');

    const method = req.method ?? 'GET';
    if (route.t.review) {
      // Answered from the request's user, as the real server does; nothing is stored.
      if (method !== 'POST' || route.name !== undefined) throw methodNotAllowed(method);
      const groups = user.readOnly ? ['system:authenticated'] : ['system:masters', 'system:authenticated'];
      return sendJson(res, 201, { kind: route.t.kind, apiVersion: `${route.t.group}/${route.t.version}`, metadata: { creationTimestamp: null }, status: { userInfo: { username: user.name, groups } } });
    }
    if (user.readOnly && WRITE_VERBS[method]) throw forbidden(user.name, WRITE_VERBS[method], route);
    const q = url.searchParams;
    const buf = method === 'GET' ? Buffer.alloc(0) : await readBody(req);
    let body = buf.toString('utf8');
    const ct = String(req.headers['content-type'] ?? '');
    if (ct.startsWith('application/vnd.kubernetes.protobuf') && buf.length > 0) {
      // kubectl's typed helpers (create namespace/configmap/secret) send protobuf.
      const decoded = decodeProtobufObject(buf);
      if (!decoded) throw new ApiError('UnsupportedMediaType', 'the body of the request was in an unknown format - the emulator decodes protobuf only for v1 Namespace, ConfigMap and Secret; send application/json');
      body = JSON.stringify(decoded);
    }
    return this.dispatch(req, res, method, route, q, body);
  }

  private rand(): number {
    return (this.o.random ?? Math.random)();
  }

  private route(group: string, version: string, rest: string[]): Route {
    const reg = this.o.ops.types;
    let ns: string | undefined;
    let parts = rest;
    if (rest[0] === 'namespaces' && rest.length >= 3 && reg.get(group, version, rest[2])) {
      ns = rest[1];
      parts = rest.slice(2);
    }
    const t = reg.get(group, version, parts[0]);
    if (!t || parts.length > 3) throw notFoundPath();
    const [, name, sub] = parts;
    if (ns !== undefined && !t.namespaced) throw notFoundPath();
    if (ns === undefined && t.namespaced && name !== undefined) throw notFoundPath();
    if (sub !== undefined && !((sub === 'status' && t.statusSubresource) || (sub === 'scale' && t.scale))) throw notFoundPath();
    return { t, ns, name, sub };
  }

  private writeContext(req: IncomingMessage, q: URLSearchParams): WriteContext & { force: boolean } {
    const dryRun = q.getAll('dryRun');
    if (dryRun.some((d) => d !== 'All')) throw new ApiError('BadRequest', `Invalid dry run value: ${dryRun.join(',')}`);
    const fv = q.get('fieldValidation') ?? 'Warn';
    if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') throw new ApiError('BadRequest', `fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`);
    const ua = String(req.headers['user-agent'] ?? '');
    const param = q.get('fieldManager');
    if (param !== null && param.length > 128) throw new ApiError('Invalid', 'fieldManager: Too long: may not be more than 128 bytes');
    // Without fieldManager the real server names the manager after the User-Agent up to the first '/'.
    const manager = param ?? (ua ? ua.split('/')[0] : 'unknown');
    return { manager, fieldManagerParam: param !== null, dryRun: dryRun.length > 0, fieldValidation: fv, warnings: [], now: this.now(), force: q.get('force') === 'true' };
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, method: string, r: Route, q: URLSearchParams, body: string): Promise<void> {
    const ops = this.o.ops;
    const { t, ns, name, sub } = r;
    if (name === undefined) {
      if (method === 'GET') return q.get('watch') === 'true' || q.get('watch') === '1' ? this.watch(req, res, t, ns, q) : this.list(res, t, ns, q, wantsTable(req.headers.accept));
      if (method === 'POST') {
        const ctx = this.writeContext(req, q);
        const obj = ops.create(t, ns, parseJson(body), ctx);
        return sendJson(res, 201, obj, ctx.warnings);
      }
      if (method === 'DELETE') return this.deleteCollection(req, res, t, ns, q);
      throw methodNotAllowed(method);
    }
    if (method === 'GET') {
      const obj = ops.get(t, ns, name);
      if (sub === 'scale') return sendJson(res, 200, ops.scaleOf(t, obj));
      if (wantsTable(req.headers.accept)) return sendJson(res, 200, toTable(t, [obj], { resourceVersion: obj.metadata.resourceVersion }, q.get('includeObject'), this.now()));
      return sendJson(res, 200, asVersion(t, obj));
    }
    const ctx = this.writeContext(req, q);
    if (method === 'PUT') {
      if (sub === 'scale') return sendJson(res, 200, ops.writeScale(t, ns, name, () => parseJson(body), ctx), ctx.warnings);
      return sendJson(res, 200, ops.update(t, ns, name, parseJson(body), ctx, sub as 'status' | undefined), ctx.warnings);
    }
    if (method === 'PATCH') {
      const ct = String(req.headers['content-type'] ?? '').split(';')[0].trim();
      const type = PATCH_TYPES[ct];
      if (!type) throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}`);
      if (type === 'apply' && req.headers['content-type']?.includes('cbor')) throw new ApiError('UnsupportedMediaType', 'application/apply-patch+cbor is not supported by the emulator');
      if (type !== 'apply' && q.has('force')) throw new ApiError('Invalid', 'force: Forbidden: may not be specified for non-apply patch');
      if (sub === 'scale') {
        const patchBody = parseJson(body);
        const scaleType = type === 'apply' ? 'merge' : type;
        return sendJson(res, 200, ops.writeScale(t, ns, name, (cur) => ops.patchScale(scaleType, cur, patchBody), ctx), ctx.warnings);
      }
      const { obj, created } = ops.patch(t, ns, name, type, body, ctx, sub as 'status' | undefined);
      return sendJson(res, created ? 201 : 200, obj, ctx.warnings);
    }
    if (method === 'DELETE') {
      if (sub) throw methodNotAllowed(method);
      const opts = body ? (parseJson(body) as Obj) : {};
      const { obj, finalizing } = ops.remove(t, ns, name, ctx, opts?.preconditions);
      if (finalizing) return sendJson(res, 200, obj);
      return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: t.group, kind: t.plural, uid: obj.metadata.uid } });
    }
    throw methodNotAllowed(method);
  }

  // ---- LIST ------------------------------------------------------------------------------------------

  private matcher(t: ResourceType, q: URLSearchParams): Matcher | undefined {
    void t;
    return combine(parseLabelSelector(q.get('labelSelector')), parseFieldSelector(q.get('fieldSelector')));
  }

  private now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }

  private list(res: ServerResponse, t: ResourceType, ns: string | undefined, q: URLSearchParams, table = false): void {
    const match = this.matcher(t, q);
    const limit = Number(q.get('limit') ?? 0);
    const cont = q.get('continue');
    let after: string | undefined;
    let rv = this.store.resourceVersion;
    if (cont) {
      try {
        const c = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as { k: string; rv: number };
        after = c.k;
        rv = c.rv;
      } catch {
        throw new ApiError('BadRequest', 'continue key is not valid: illegal base64 data');
      }
    }
    const all = this.store.list(resourceKey(t), ns);
    const av = apiVersionOf(t);
    const parts: string[] = [];
    const objects: Obj[] = [];
    let lastKey: string | undefined;
    let remaining = 0;
    for (const item of all) {
      const key = ObjectStore.key(item.obj.metadata.namespace, item.obj.metadata.name);
      if (after !== undefined && key <= after) continue;
      if (match && !match(item.obj)) continue;
      if (limit > 0 && parts.length >= limit) {
        remaining++;
        continue;
      }
      if (table) objects.push(item.obj);
      else parts.push(listItemJson(t, item.obj.apiVersion === av ? item.json() : JSON.stringify(asVersion(t, item.obj))));
      lastKey = key;
    }
    const meta: Obj = { resourceVersion: String(rv) };
    if (remaining > 0 && lastKey !== undefined) {
      meta.continue = Buffer.from(JSON.stringify({ k: lastKey, rv })).toString('base64url');
      if (!match) meta.remainingItemCount = remaining;
    }
    if (table) return sendJson(res, 200, toTable(t, objects, meta, q.get('includeObject'), this.now()));
    const head = JSON.stringify({ kind: t.listKind, apiVersion: av, metadata: meta });
    // One pass: the items' cached JSON is spliced in rather than re-serialized.
    sendRaw(res, 200, `${head.slice(0, -1)},"items":[${parts.join(',')}]}`);
  }

  private deleteCollection(req: IncomingMessage, res: ServerResponse, t: ResourceType, ns: string | undefined, q: URLSearchParams): void {
    const match = this.matcher(t, q);
    const ctx = this.writeContext(req, q);
    const items: Obj[] = [];
    for (const { obj } of this.store.list(resourceKey(t), ns)) {
      if (match && !match(obj)) continue;
      items.push(this.o.ops.remove(t, obj.metadata.namespace, obj.metadata.name, ctx).obj);
    }
    sendJson(res, 200, { kind: t.listKind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(this.store.resourceVersion) }, items: items.map((i) => JSON.parse(listItemJson(t, JSON.stringify(i)))) });
  }

  // ---- WATCH -----------------------------------------------------------------------------------------

  private watch(req: IncomingMessage, res: ServerResponse, t: ResourceType, ns: string | undefined, q: URLSearchParams): void {
    const match = this.matcher(t, q);
    const rkey = resourceKey(t);
    const faults = this.o.faults;
    const rvParam = q.get('resourceVersion') ?? '';
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    this.watches.add(res);
    let sent = 0;
    let closed = false;
    const timers: NodeJS.Timeout[] = [];
    let unsubscribe = () => {};
    const close = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      for (const tm of timers) clearTimeout(tm);
      this.watches.delete(res);
      res.end();
    };
    const write = (type: string, object: Obj) => {
      if (closed) return;
      res.write(`{"type":"${type}","object":${JSON.stringify(object)}}\n`);
      if (type !== 'BOOKMARK' && type !== 'ERROR') sent++;
      if (faults.closeWatchAfterEvents && sent >= faults.closeWatchAfterEvents) close();
    };
    const expired = (message: string) => {
      write('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 });
      close();
    };
    const inScope = (o: Obj) => ns === undefined || o.metadata?.namespace === ns;
    const visible = (o: Obj | undefined) => o !== undefined && inScope(o) && (!match || match(o));
    const deliver = (e: StoreEvent) => {
      if (e.rkey !== rkey || closed) return;
      const now = visible(e.obj);
      const was = e.type !== 'ADDED' && visible(e.prev);
      // Selector transitions look like adds/deletes to a filtered watcher, as on the real server.
      if (e.type === 'DELETED') {
        if (was) write('DELETED', asVersion(t, e.obj));
      } else if (now && was) write('MODIFIED', asVersion(t, e.obj));
      else if (now) write('ADDED', asVersion(t, e.obj));
      else if (was) write('DELETED', asVersion(t, e.obj));
    };

    req.on('close', close);
    res.on('close', close);
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    if (timeout > 0) timers.push(setTimeout(close, timeout * 1000));

    if (rvParam && rvParam !== '0') {
      const from = Number(rvParam);
      if (!Number.isFinite(from)) throw new ApiError('BadRequest', `invalid resource version: ${rvParam}`);
      if (faults.goneOnWatchResume) return expired(`too old resource version: ${rvParam} (${this.store.resourceVersion})`);
      const events = this.store.eventsSince(rkey, from);
      if (events === 'gone') return expired(`too old resource version: ${rvParam} (${this.store.oldestResumableRv})`);
      for (const e of events) deliver(e);
    } else {
      for (const { obj } of this.store.list(rkey, ns)) if (!match || match(obj)) write('ADDED', asVersion(t, obj));
      if (q.get('sendInitialEvents') === 'true' && q.get('allowWatchBookmarks') === 'true') {
        write('BOOKMARK', { kind: t.kind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(this.store.resourceVersion), annotations: { 'k8s.io/initial-events-end': 'true' } } });
      }
    }
    if (closed) return;
    // Subscribing synchronously after the replay means no event can fall in between.
    // A broken watcher must never fail the write that notifies it.
    unsubscribe = this.store.subscribe((e) => {
      try {
        deliver(e);
      } catch {
        close();
      }
    });
    if (q.get('allowWatchBookmarks') === 'true') {
      const tick = () => {
        write('BOOKMARK', { kind: t.kind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(this.store.resourceVersion) } });
        if (!closed) timers.push(setTimeout(tick, this.o.bookmarkIntervalMs));
      };
      timers.push(setTimeout(tick, this.o.bookmarkIntervalMs));
    }
  }

  // ---- OpenAPI ---------------------------------------------------------------------------------------

  private serveOpenApi(res: ServerResponse, segs: string[]): void {
    const reg = this.o.ops.types;
    if (segs[1] !== 'v3') throw notFoundPath();
    if (segs.length === 2) return sendRaw(res, 200, this.openapi.index(reg));
    const gv = segs.slice(2);
    const [group, version] = gv[0] === 'api' ? ['', gv[1]] : [gv[1], gv[2]];
    const doc = version ? this.openapi.document(reg, group, version) : undefined;
    if (!doc) throw notFoundPath();
    sendRaw(res, 200, doc);
  }
}

/** The object as served at the requested version (CRDs serving several versions share one storage). */
function asVersion(t: ResourceType, obj: Obj): Obj {
  const av = apiVersionOf(t);
  return obj.apiVersion === av ? obj : { ...obj, apiVersion: av };
}

function notFoundPath(): ApiError {
  return new ApiError('NotFound', 'the server could not find the requested resource', {});
}

function methodNotAllowed(method: string): ApiError {
  return new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`, {});
}

function forbidden(user: string, verb: string, r: Route): ApiError {
  const resource = r.sub ? `${r.t.plural}/${r.sub}` : r.t.plural;
  const where = r.t.namespaced && r.ns !== undefined ? `in the namespace "${r.ns}"` : 'at the cluster scope';
  const subject = r.name ? `${qualifiedResource(r.t)} "${r.name}"` : qualifiedResource(r.t);
  return new ApiError('Forbidden', `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${r.t.group}" ${where}`, {
    ...(r.name ? { name: r.name } : {}),
    group: r.t.group,
    kind: r.t.plural,
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError('BadRequest', 'the request body is too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendRaw(res: ServerResponse, code: number, body: string, warnings: string[] = []): void {
  const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(body);
}

function sendJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  sendRaw(res, code, JSON.stringify(body), warnings);
}

function sendText(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(body);
}

/**
 * Items of a built-in kind's list carry no apiVersion/kind (the real server encodes typed lists whose items have an
 * empty TypeMeta); custom resources' items (unstructured) keep theirs.
 */
function listItemJson(t: ResourceType, json: string): string {
  if (t.crd) return json;
  const prefix = `{"apiVersion":${JSON.stringify(apiVersionOf(t))},"kind":${JSON.stringify(t.kind)},`;
  if (json.startsWith(prefix)) return `{${json.slice(prefix.length)}`;
  const { apiVersion: _av, kind: _k, ...rest } = JSON.parse(json) as Obj;
  return JSON.stringify(rest);
}
