// A scripted HTTP API server for client tests: each test decides the answer per request.
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: SeenRequest, res: http.ServerResponse) => void;

export const DISCOVERY: Record<string, unknown> = {
  '/api/v1': {
    resources: [
      { name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['get', 'list', 'watch', 'patch'] },
      { name: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['get', 'list'] },
      { name: 'pods/log', kind: 'Pod', namespaced: true, verbs: ['get'] },
    ],
  },
  '/apis': { groups: [{ name: 'apps', versions: [{ version: 'v1' }], preferredVersion: { version: 'v1' } }] },
  '/apis/apps/v1': { resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['get', 'list', 'patch'] }] },
};

export async function startFakeApi(handler: Handler): Promise<{ url: string; requests: SeenRequest[]; kubeconfigPath: string; close(): Promise<void> }> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://x'), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      const disc = DISCOVERY[seen.url.pathname];
      if (req.method === 'GET' && disc) {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(disc));
        return;
      }
      handler(seen, res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-fake-'));
  const kubeconfigPath = path.join(dir, 'config');
  fs.writeFileSync(kubeconfigPath, kubeconfigYaml(url, 'fake', 'secret-token'));
  return {
    url,
    requests,
    kubeconfigPath,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function kubeconfigYaml(server: string, context: string, token: string, current = context): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${current}`,
    `clusters: [{name: ${context}, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
    `users: [{name: ${context}, user: {token: ${token}}}]`,
    `contexts: [{name: ${context}, context: {cluster: ${context}, user: ${context}, namespace: default}}]`,
    '',
  ].join('\n');
}

export function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}
