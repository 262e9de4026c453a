// The real Flux world of the controller referee (issue 14 items 7-8): source-controller, kustomize-controller and
// helm-controller (built by `npm run tools`) against the real kube-apiserver of test/cluster, with
//  - a Git server on loopback: `git http-backend` (smart HTTP, as CGI) behind a small Node HTTP server, and
//  - a Helm repository on loopback: an index.yaml and chart archives, from the same server.
// Everything listens on 127.0.0.1 only; every child is spawned with an argument array and ended by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { requireTool } from '../cluster/tools';

/** A port free on 127.0.0.1 right now (for the controllers' flags). */
export async function freePort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface LoopbackServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Git smart-HTTP URL of a bare repository NAME.git under gitRoot. */
  gitUrl(name: string): string;
  /** Helm repository URL (index.yaml and archives of chartsDir). */
  chartsUrl: string;
  stop(): Promise<void>;
}

/** One CGI request to `git http-backend`: request body in, CGI headers parsed, the rest streamed back. */
function gitHttpBackend(req: http.IncomingMessage, res: http.ServerResponse, gitRoot: string, pathInfo: string, query: string): void {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_PROJECT_ROOT: gitRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: pathInfo,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: query,
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_USER: 'flux',
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
  };
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
  req.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const text = head.toString('latin1');
    const m = /\r?\n\r?\n/.exec(text);
    if (!m) return;
    headersDone = true;
    let status = 200;
    for (const line of text.slice(0, m.index).split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(Buffer.byteLength(text.slice(0, m.index + m[0].length), 'latin1')));
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('close', (code) => {
    if (!headersDone) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`git http-backend failed (${code}): ${stderr}`);
      return;
    }
    res.end();
  });
}

/** Serves `/git/<repo>.git/...` from bare repositories under gitRoot and `/charts/<file>` from chartsDir. */
export async function startLoopbackServer(gitRoot: string, chartsDir: string): Promise<LoopbackServer> {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (u.pathname.startsWith('/git/')) {
      gitHttpBackend(req, res, gitRoot, u.pathname.slice('/git'.length), u.search.replace(/^\?/, ''));
      return;
    }
    const m = /^\/charts\/([A-Za-z0-9._-]+)$/.exec(u.pathname);
    const file = m ? path.join(chartsDir, m[1]) : undefined;
    if (req.method !== 'GET' || !file || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.endsWith('.yaml') ? 'application/x-yaml' : 'application/gzip' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    gitUrl: (name) => `${url}/git/${name}.git`,
    chartsUrl: `${url}/charts`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface FluxControllers {
  /** Every JSON log line of the controllers so far (name of the controller, parsed line). */
  logs: { controller: string; line: Record<string, unknown> }[];
  /** Resolves with the first log line (from now on or already logged after `since`) that matches. */
  waitForLog(match: (controller: string, line: Record<string, unknown>) => boolean, timeoutMs?: number, since?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts the three controllers against the cluster of `kubeconfig` (its current context: admin). */
export async function startFluxControllers(opts: { kubeconfig: string; dir: string; forwardErrors?: boolean }): Promise<FluxControllers> {
  const storagePort = await freePort();
  const storage = path.join(opts.dir, 'source-controller-storage');
  fs.mkdirSync(storage, { recursive: true });
  const loopback = async () => `127.0.0.1:${await freePort()}`;
  const common = async () => ['--enable-leader-election=false', `--metrics-addr=${await loopback()}`, `--health-addr=${await loopback()}`, '--log-encoding=json', '--log-level=info', '--watch-all-namespaces=true', '--concurrent=4'];
  const specs: [string, string[]][] = [
    ['source-controller', [...(await common()), `--storage-path=${storage}`, `--storage-addr=127.0.0.1:${storagePort}`, `--storage-adv-addr=127.0.0.1:${storagePort}`]],
    ['kustomize-controller', [...(await common())]],
    ['helm-controller', [...(await common())]],
  ];
  const children: ChildProcess[] = [];
  const logs: FluxControllers['logs'] = [];
  const waiters = new Set<{ match: (c: string, l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }>();
  for (const [name, args] of specs) {
    const bin = requireTool(name as 'source-controller');
    const log = fs.createWriteStream(path.join(opts.dir, `${name}.log`));
    const child = spawn(bin, args, {
      env: { PATH: process.env.PATH, HOME: opts.dir, KUBECONFIG: opts.kubeconfig, TMPDIR: opts.dir, RUNTIME_NAMESPACE: 'flux-system' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    let buf = '';
    const onData = (d: Buffer) => {
      log.write(d);
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const text = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          line = { msg: text };
        }
        logs.push({ controller: name, line });
        if (opts.forwardErrors && line.level === 'error') process.stderr.write(`[${name}] ${text}\n`);
        for (const w of waiters) {
          if (w.match(name, line)) {
            waiters.delete(w);
            w.resolve(line);
          }
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code, signal) => {
      log.end();
      logs.push({ controller: name, line: { level: 'exit', msg: `${name} exited (${signal ?? code})` } });
    });
  }
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
  };
  process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));
  return {
    logs,
    stop,
    waitForLog: (match, timeoutMs = 60_000, since = logs.length) => {
      const seen = logs.slice(since).find((l) => match(l.controller, l.line));
      if (seen) return Promise.resolve(seen.line);
      return new Promise((resolve, reject) => {
        const w = { match, resolve: (l: Record<string, unknown>) => (clearTimeout(t), resolve(l)) };
        const t = setTimeout(() => {
          waiters.delete(w);
          reject(new Error('no matching controller log line in time'));
        }, timeoutMs);
        waiters.add(w);
      });
    },
  };
}
