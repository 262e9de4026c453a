// A minimal HTTPS client for emulator tests and the benchmark: raw requests, no client library in between.
import { request } from 'node:https';
import type { Emulator } from './emulator';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface RawRequest {
  method?: string;
  body?: unknown;
  contentType?: string;
  token?: string | null;
  userAgent?: string;
  signal?: AbortSignal;
}

export function raw(emu: Pick<Emulator, 'server' | 'caCert' | 'token'>, path: string, r: RawRequest = {}): Promise<RawResponse> {
  const body = r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': r.userAgent ?? 'emulator-test/v0.0.0' };
  const token = r.token === undefined ? emu.token : r.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = r.contentType ?? 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(`${emu.server}${path}`, { method: r.method ?? 'GET', headers, ca: emu.caCert, signal: r.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a watch and collects its events until `until` says stop, the server closes, or `timeoutMs` passes. */
export function watchEvents(
  emu: Pick<Emulator, 'server' | 'caCert' | 'token'>,
  path: string,
  until: (events: any[]) => boolean,
  timeoutMs = 5000,
): Promise<{ events: any[]; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    let buf = '';
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ events, closedByServer });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const req = request(`${emu.server}${path}`, { headers: { Authorization: `Bearer ${emu.token}` }, ca: emu.caCert }, (res) => {
      res.on('data', (c: Buffer) => {
        buf += c.toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) events.push(JSON.parse(line));
          if (until(events)) return finish(false);
        }
      });
      res.on('end', () => finish(true));
    });
    req.on('error', (e) => (done ? undefined : reject(e)));
    req.end();
  });
}
