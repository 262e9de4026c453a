// Library entry of the Kubernetes API emulator: startEmulator() → an HTTPS API server, a kubeconfig, stop().
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { KubeObject } from './types';
import { ApiServer } from './apiServer';
import { ApiError } from './apiStatus';
import type { Faults } from './faults';
import { type KubeconfigEntry, mergeKubeconfig, writeKubeconfig } from './kubeconfigFile';
import { ObjectStore, type Obj, type StoreSnapshot } from './objectStore';
import { OpenApiCache } from './openapi';
import { loadPatchEngine } from './patchEngine';
import { ResourceOps, type WriteContext } from './resourceOps';
import { resourceKey, type ResourceType, TypeRegistry, typesFromCrd } from './resourceTypes';
import { generateServingCerts } from './tlsCerts';

export interface EmulatorOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Folder of manifests (YAML/JSON, recursive) created at start; namespaces they use are created too. */
  seedDir?: string;
  /** Loaded at start when it exists, written on stop(). */
  stateFile?: string;
  faults?: Faults;
  tokens?: { admin?: string; readOnly?: string };
  /** Where to write the kubeconfig (default: a new temp folder). */
  kubeconfigPath?: string;
  /** Add this cluster to the kubeconfig at kubeconfigPath instead of replacing the file (two emulators = two clusters). */
  mergeKubeconfig?: boolean;
  /** Name of the cluster, user and context in the kubeconfig (default `emulator`). */
  name?: string;
  /** Default namespace of the kubeconfig context. */
  namespace?: string;
  /** Events kept for watch resumption (older resourceVersions get 410). */
  historyLimit?: number;
  bookmarkIntervalMs?: number;
  /** Randomness for fault injection, so tests can be deterministic. */
  random?: () => number;
}

export interface Emulator {
  kubeconfigPath: string;
  /** `https://127.0.0.1:<port>` */
  server: string;
  port: number;
  token: string;
  readOnlyToken: string;
  caCert: string;
  contextName: string;
  /** Direct access for tests: the object store, the type table, the write paths, the request log. */
  store: ObjectStore;
  types: TypeRegistry;
  ops: ResourceOps;
  api: ApiServer;
  /** Live fault settings: change fields (or call setFaults) while the server runs. */
  faults: Faults;
  setFaults(f: Faults): void;
  /** Creates or replaces objects (status included) directly (manager `emulator-seed` unless given), creating missing namespaces. */
  seed(objects: KubeObject[], manager?: string): KubeObject[];
  /** This cluster as a kubeconfig entry, to merge several emulators into one kubeconfig (mergeKubeconfig). */
  kubeconfigEntry(): KubeconfigEntry;
  /** Whether the full patch/apply/managedFields engine (test/emulator/patch) is loaded. */
  patchEngineComplete: boolean;
  stop(): Promise<void>;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const store = new ObjectStore(opts.historyLimit ?? 10000);
  const types = new TypeRegistry();
  const engine = loadPatchEngine();
  const openapi = new OpenApiCache();
  const loaded = opts.stateFile && existsSync(opts.stateFile) ? loadState(opts.stateFile, store, types) : false;
  const ops = new ResourceOps(store, types, engine, () => openapi.invalidate());
  if (!loaded) {
    const ctx = writeCtx('kube-apiserver');
    for (const ns of SYSTEM_NAMESPACES) ops.create(nsType(types), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, ctx);
  }

  const seed = (objects: KubeObject[], manager = 'emulator-seed'): KubeObject[] => seedObjects(ops, types, objects, manager);
  if (opts.seedDir) seed(readManifests(opts.seedDir));

  const token = opts.tokens?.admin ?? randomBytes(24).toString('hex');
  const readOnlyToken = opts.tokens?.readOnly ?? randomBytes(24).toString('hex');
  const faults: Faults = { ...opts.faults };
  const certs = await generateServingCerts();
  let serverUrl = '';
  const api = new ApiServer({
    ops,
    openapi,
    users: { [token]: { name: 'emulator-admin', readOnly: false }, [readOnlyToken]: { name: 'emulator-viewer', readOnly: true } },
    faults,
    serverAddress: () => serverUrl.replace('https://', ''),
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 5000,
    random: opts.random,
  });
  const server = createServer({ cert: certs.cert, key: certs.key }, api.handle);
  // Watches are long-lived: no server-side request timeout.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  serverUrl = `https://127.0.0.1:${port}`;
  const contextName = opts.name ?? 'emulator';
  const kubeconfigPath = opts.kubeconfigPath ?? join(mkdtempSync(join(tmpdir(), 'gitops-emulator-')), 'kubeconfig');
  const entry: KubeconfigEntry = { name: contextName, server: serverUrl, caCert: certs.caCert, token, namespace: opts.namespace ?? 'default' };
  if (opts.mergeKubeconfig) mergeKubeconfig(kubeconfigPath, [entry]);
  else writeKubeconfig(kubeconfigPath, [entry]);

  let stopped = false;
  return {
    kubeconfigPath,
    server: serverUrl,
    port,
    token,
    readOnlyToken,
    caCert: certs.caCert,
    contextName,
    store,
    types,
    ops,
    api,
    faults,
    setFaults(f) {
      for (const k of Object.keys(faults) as (keyof Faults)[]) delete faults[k];
      Object.assign(faults, f);
    },
    seed,
    kubeconfigEntry: () => ({ ...entry }),
    patchEngineComplete: engine.complete,
    async stop() {
      if (stopped) return;
      stopped = true;
      api.closeWatches();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (opts.stateFile) saveState(opts.stateFile, store.snapshot());
    },
  };
}

function writeCtx(manager: string): WriteContext {
  return { manager, dryRun: false, fieldValidation: 'Ignore', warnings: [], now: new Date() };
}

function nsType(types: TypeRegistry): ResourceType {
  return types.get('', 'v1', 'namespaces')!;
}

function seedObjects(ops: ResourceOps, types: TypeRegistry, objects: KubeObject[], manager: string): KubeObject[] {
  // CRDs first, then namespaces, so everything else finds its type and namespace.
  const rank = (o: KubeObject) => (o.kind === 'CustomResourceDefinition' ? 0 : o.kind === 'Namespace' ? 1 : 2);
  const sorted = [...objects].sort((a, b) => rank(a) - rank(b));
  const out: KubeObject[] = [];
  for (const o of sorted) {
    const t = types.byKind(o.apiVersion, o.kind);
    if (!t) throw new ApiError('NotFound', `seed: no type served for ${o.apiVersion} ${o.kind} (${o.metadata?.name})`);
    const ns = t.namespaced ? (o.metadata?.namespace ?? 'default') : undefined;
    const ctx = writeCtx(manager);
    if (ns && !ops.store.get('/namespaces', undefined, ns)) ops.create(nsType(types), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, ctx);
    const live = ops.store.get(resourceKey(t), ns, o.metadata.name ?? '');
    const body = { ...o, metadata: { ...o.metadata, namespace: ns } } as Obj;
    let written: Obj;
    if (live) {
      body.metadata.resourceVersion = live.metadata.resourceVersion;
      written = ops.update(t, ns, o.metadata.name!, body, ctx);
    } else written = ops.create(t, ns, body, ctx);
    // Seeding sets the whole state: status too, through the status subresource when the kind has one.
    if (t.statusSubresource && o.status !== undefined) written = ops.update(t, ns, written.metadata.name, { ...written, status: o.status }, ctx, 'status');
    out.push(written as KubeObject);
  }
  return out;
}

/** Every object of every YAML/JSON file under `dir` (recursively, files in name order). */
export function readManifests(dir: string): KubeObject[] {
  const out: KubeObject[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/i.test(name)) {
        for (const doc of YAML.parseAllDocuments(readFileSync(p, 'utf8'))) {
          const v = doc.toJS() as unknown;
          const items = isList(v) ? v.items : [v];
          for (const item of items) if (item && typeof item === 'object' && (item as KubeObject).kind) out.push(item as KubeObject);
        }
      }
    }
  };
  walk(dir);
  return out;
}

function isList(v: unknown): v is { items: unknown[] } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { items?: unknown }).items) && String((v as { kind?: string }).kind ?? '').endsWith('List');
}

function loadState(file: string, store: ObjectStore, types: TypeRegistry): boolean {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as StoreSnapshot;
  store.load(snap);
  for (const { object } of snap.objects) if (object.kind === 'CustomResourceDefinition') for (const t of typesFromCrd(object)) types.add(t);
  return snap.objects.length > 0;
}

function saveState(file: string, snap: StoreSnapshot): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(snap));
  renameSync(tmp, file);
}

