// A loopback HTTPS proxy in front of a Kubernetes API server (the emulator or the real kube-apiserver) that injects
// faults per request: latency, error statuses (5xx, 429 with Retry-After, 401/403, 410), a connection reset in the
// middle of a LIST body, a watch that is dropped or answered 410 Expired, and requests that never get an answer.
// It terminates TLS with its own throwaway CA and forwards to the upstream server with the upstream's CA, so the
// client's credentials (bearer tokens on both backends) pass through unchanged. `kubeconfig()` writes a copy of the
// upstream kubeconfig pointing at the proxy; `badCaKubeconfig()` one whose CA does not match; `unreachableKubeconfig()`
// one pointing at a closed port.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { generateServingCerts } from '../emulator/tlsCerts';

export type FaultAction =
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; code: number; retryAfterS?: number; reason?: string; message?: string }
  /** Forwards, then closes the connection after half of the body (a LIST cut off mid-stream). */
  | { kind: 'reset' }
  /** Never answers (the client's own deadline has to end it). */
  | { kind: 'hang' }
  /** A watch: forwards the stream and closes it after `afterEvents` events (default: as soon as one arrives). */
  | { kind: 'dropWatch'; afterEvents?: number }
  /** A watch: answers at once with a 410 Expired ERROR event, as after etcd compaction. */
  | { kind: 'watchExpired' };

export interface FaultRule {
  method?: string;
  /** Matched against the path (no query). */
  path?: RegExp;
  /** Only watch requests (`watch=true`) / only non-watch requests. */
  watch?: boolean;
  action: FaultAction;
  /** Applies this many times, then stops matching (default: always). */
  times?: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: string;
  watch: boolean;
  at: number;
  /** The fault applied, if any. */
  fault?: FaultAction['kind'];
}

export interface FaultProxy {
  url: string;
  requests: SeenRequest[];
  /** Replaces the rules (first match wins). */
  setRules(rules: FaultRule[]): void;
  /** A kubeconfig like the upstream one whose clusters point at the proxy. */
  kubeconfig(): string;
  /** The same, with a CA that did not sign the proxy's certificate. */
  badCaKubeconfig(): string;
  /** The same, pointing at a loopback port nobody listens on. */
  unreachableKubeconfig(): Promise<string>;
  close(): Promise<void>;
}

function statusBody(code: number, reason: string | undefined, message: string | undefined): string {
  const reasons: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 410: 'Expired', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: reason ?? reasons[code] ?? 'InternalError', message: message ?? `injected ${code}`, code });
}

export async function startFaultProxy(upstreamKubeconfig: string): Promise<FaultProxy> {
  const upstreamDoc = parse(fs.readFileSync(upstreamKubeconfig, 'utf8'));
  const current = upstreamDoc['current-context'];
  const ctx = upstreamDoc.contexts.find((c: { name: string }) => c.name === current).context;
  const cluster = upstreamDoc.clusters.find((c: { name: string }) => c.name === ctx.cluster).cluster;
  const upstream = new URL(cluster.server);
  const upstreamCa = cluster['certificate-authority-data'] ? Buffer.from(cluster['certificate-authority-data'], 'base64') : fs.readFileSync(path.resolve(path.dirname(upstreamKubeconfig), cluster['certificate-authority']));
  const agent = new https.Agent({ ca: upstreamCa, keepAlive: true });

  const certs = await generateServingCerts();
  const wrongCa = (await generateServingCerts()).caCert;
  let rules: FaultRule[] = [];
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const upstreamRequests = new Set<http.ClientRequest>();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fault-proxy-'));

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, onResponse?: (up: http.IncomingMessage) => void): void => {
    const headers = { ...req.headers, host: upstream.host };
    const up = https.request({ protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (upRes) => {
      upstreamRequests.delete(up);
      if (onResponse) return onResponse(upRes);
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    upstreamRequests.add(up);
    up.on('error', (e) => {
      upstreamRequests.delete(up);
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'application/json' });
        res.end(statusBody(502, 'BadGateway', `proxy: ${e.message}`));
      } else res.destroy();
    });
    res.on('close', () => up.destroy());
    req.pipe(up);
  };

  const server = https.createServer({ cert: certs.cert, key: certs.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://proxy');
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const seen: SeenRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.search, watch, at: Date.now() };
    requests.push(seen);
    const rule = rules.find((r) => (r.times === undefined || r.times > 0) && (!r.method || r.method === seen.method) && (!r.path || r.path.test(seen.path)) && (r.watch === undefined || r.watch === watch));
    if (!rule) return forward(req, res);
    if (rule.times !== undefined) rule.times--;
    const a = rule.action;
    seen.fault = a.kind;
    switch (a.kind) {
      case 'latency':
        return void setTimeout(() => forward(req, res), a.ms);
      case 'status': {
        req.resume();
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (a.retryAfterS !== undefined) headers['Retry-After'] = String(a.retryAfterS);
        res.writeHead(a.code, headers);
        return void res.end(statusBody(a.code, a.reason, a.message));
      }
      case 'hang':
        return void req.resume();
      case 'reset':
        return forward(req, res, (upRes) => {
          const chunks: Buffer[] = [];
          upRes.on('data', (c: Buffer) => chunks.push(c));
          upRes.on('end', () => {
            const body = Buffer.concat(chunks);
            const headers = { ...upRes.headers, 'content-length': String(body.length) };
            delete headers['transfer-encoding'];
            res.writeHead(upRes.statusCode ?? 200, headers);
            res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => res.socket?.destroy());
          });
        });
      case 'dropWatch': {
        let events = 0;
        const limit = a.afterEvents ?? 1;
        return forward(req, res, (upRes) => {
          res.writeHead(upRes.statusCode ?? 200, upRes.headers);
          let pending = '';
          upRes.on('data', (c: Buffer) => {
            res.write(c);
            pending += c.toString('utf8');
            const lines = pending.split('\n');
            pending = lines.pop() ?? '';
            events += lines.filter((l) => l.trim()).length;
            if (events >= limit) {
              upRes.destroy();
              res.end();
            }
          });
          upRes.on('end', () => res.end());
        });
      }
      case 'watchExpired':
        req.resume();
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return void res.end(JSON.stringify({ type: 'ERROR', object: JSON.parse(statusBody(410, 'Expired', 'too old resource version: 1 (2)')) }) + '\n');
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const writeKubeconfig = (name: string, server: string, ca: string): string => {
    const doc = parse(fs.readFileSync(upstreamKubeconfig, 'utf8'));
    for (const c of doc.clusters) {
      c.cluster.server = server;
      c.cluster['certificate-authority-data'] = Buffer.from(ca).toString('base64');
      delete c.cluster['certificate-authority'];
      delete c.cluster['insecure-skip-tls-verify'];
    }
    // Token files and other relative paths stay valid from the new location.
    for (const u of doc.users ?? []) {
      for (const k of ['tokenFile', 'client-certificate', 'client-key']) if (u.user?.[k]) u.user[k] = path.resolve(path.dirname(upstreamKubeconfig), u.user[k]);
    }
    const file = path.join(dir, name);
    fs.writeFileSync(file, stringify(doc));
    return file;
  };

  return {
    url,
    requests,
    setRules: (r) => {
      rules = r.map((x) => ({ ...x }));
    },
    kubeconfig: () => writeKubeconfig('proxy.kubeconfig', url, certs.caCert),
    badCaKubeconfig: () => writeKubeconfig('bad-ca.kubeconfig', url, wrongCa),
    unreachableKubeconfig: async () => {
      // A port that was free a moment ago and is closed now: connections are refused.
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      return writeKubeconfig('unreachable.kubeconfig', `https://127.0.0.1:${port}`, certs.caCert);
    },
    close: async () => {
      for (const u of upstreamRequests) u.destroy();
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
