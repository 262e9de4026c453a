// One switch for the suites that run on both backends: KUBE_BACKEND=emulator (default: the project's API emulator)
// or KUBE_BACKEND=real (the real kube-apiserver v1.37 + etcd that `npm run tools` builds, test/cluster). Suites ask
// for a cluster here and use only what both backends have: a kubeconfig, its context, and seed().
import { KubeApiError, KubeRest, APPLY_PATCH } from '../emulator/controllers/kube-rest';
import { readManifests, startEmulator, type Emulator, type EmulatorOptions } from '../emulator/emulator';
import { startRealCluster, type RealCluster } from '../cluster/realCluster';
import type { KubeObject } from '../../src/core/model';

export type KubeBackend = 'emulator' | 'real';

/** The backend chosen by KUBE_BACKEND; anything else is an error rather than a silent default. */
export function kubeBackend(env: NodeJS.ProcessEnv = process.env): KubeBackend {
  const v = env.KUBE_BACKEND ?? 'emulator';
  if (v !== 'emulator' && v !== 'real') throw new Error(`KUBE_BACKEND must be "emulator" or "real", not ${JSON.stringify(v)}`);
  return v;
}

export interface TestCluster {
  backend: KubeBackend;
  kubeconfigPath: string;
  /** The admin context (current-context of the kubeconfig). */
  contextName: string;
  /** Limited contexts: real backend only (the emulator has one read-only token instead of RBAC). */
  contexts?: RealCluster['contexts'];
  /** The emulator itself, on the emulator backend only (fault injection, direct store access). */
  emulator?: Emulator;
  real?: RealCluster;
  /**
   * Creates or replaces objects with their status, creating missing namespaces, as field manager `manager`
   * (server-side apply with force; status through the status subresource where the kind has one). CRDs are
   * waited for until served. Answers the stored objects.
   */
  seed(objects: KubeObject[], manager?: string): Promise<KubeObject[]>;
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  /** Kubeconfig path to write (default: a temp one). */
  kubeconfigPath?: string;
  /** Cluster/context name on the emulator (the real cluster names its contexts admin, ns-user, viewer). */
  name?: string;
  /** Folder of CRDs to install at start. */
  crdDir?: string;
  /** Emulator-only tuning; ignored by the real server. */
  emulatorOptions?: EmulatorOptions;
  backend?: KubeBackend;
}

export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const backend = opts.backend ?? kubeBackend();
  if (backend === 'emulator') {
    const emu = await startEmulator({ ...opts.emulatorOptions, kubeconfigPath: opts.kubeconfigPath, name: opts.name });
    if (opts.crdDir) emu.seed(readManifests(opts.crdDir));
    return {
      backend,
      kubeconfigPath: emu.kubeconfigPath,
      contextName: emu.contextName,
      emulator: emu,
      seed: async (objects, manager) => emu.seed(objects, manager),
      stop: () => emu.stop(),
    };
  }
  const real = await startRealCluster({ kubeconfigPath: opts.kubeconfigPath, crdDir: opts.crdDir });
  const rest = await KubeRest.fromKubeconfig(real.kubeconfigPath);
  return {
    backend,
    kubeconfigPath: real.kubeconfigPath,
    contextName: real.contexts.admin,
    contexts: real.contexts,
    real,
    seed: (objects, manager = 'test-seed') => seedReal(rest, objects, manager),
    stop: () => real.stop(),
  };
}

/** Which resources of a group-version have a status subresource (from discovery). */
async function statusSubresources(rest: KubeRest, apiVersion: string): Promise<Set<string>> {
  const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const body = (await rest.getOrUndefined<{ resources?: { name: string }[] }>(path)) ?? {};
  return new Set((body.resources ?? []).filter((r) => r.name.endsWith('/status')).map((r) => r.name.slice(0, -'/status'.length)));
}

async function seedReal(rest: KubeRest, objects: KubeObject[], manager: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  const namespaces = new Set<string>();
  // Discovery once per group-version in this call (a CRD seeded here is in it by the time its objects come).
  const subresources = new Map<string, Promise<Set<string>>>();
  for (const obj of objects) {
    const info = await waitForResource(rest, obj);
    const ns = obj.metadata.namespace;
    if (info.namespaced && ns && !namespaces.has(ns)) {
      namespaces.add(ns);
      await rest.call('PATCH', `/api/v1/namespaces/${encodeURIComponent(ns)}`, { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, contentType: APPLY_PATCH, query: { fieldManager: manager, force: 'true' } });
    }
    const { status, ...rest0 } = obj as KubeObject & { status?: unknown };
    const { resourceVersion: _rv, uid: _uid, managedFields: _mf, creationTimestamp: _ct, generation: _g, ...metadata } = obj.metadata as Record<string, unknown>;
    const path = await rest.objectPath(obj);
    const plural = path.split('/').slice(-2, -1)[0];
    if (!subresources.has(obj.apiVersion)) subresources.set(obj.apiVersion, statusSubresources(rest, obj.apiVersion));
    const hasStatusSub = (await subresources.get(obj.apiVersion)!).has(plural);
    const body: Record<string, unknown> = { ...rest0, metadata, ...(status !== undefined && !hasStatusSub ? { status } : {}) };
    // Replace, as the emulator's seed does: PUT over the current object (fields not in `obj` go), else POST.
    const query = { fieldManager: manager };
    let stored: any;
    for (let attempt = 0; ; attempt++) {
      const current: any = await rest.getOrUndefined(path);
      try {
        stored = current
          ? await rest.call('PUT', path, { body: { ...body, metadata: { ...metadata, resourceVersion: current.metadata.resourceVersion } }, query })
          : await rest.call('POST', path.slice(0, path.lastIndexOf('/')), { body, query });
        if (status !== undefined && hasStatusSub) stored = await rest.call('PUT', `${path}/status`, { body: { ...stored, status }, query });
        break;
      } catch (e) {
        if (!(e instanceof KubeApiError && e.status === 409) || attempt >= 3) throw e;
      }
    }
    if (obj.kind === 'CustomResourceDefinition') await waitForCrd(rest, obj);
    out.push(stored);
  }
  return out;
}

async function waitForResource(rest: KubeRest, obj: KubeObject): Promise<{ namespaced: boolean }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const info = await rest.resource(obj.apiVersion, obj.kind);
    if (info) return info;
    if (Date.now() > deadline) throw new KubeApiError(404, 'DISCOVER', `${obj.apiVersion}/${obj.kind}`, { message: `the server does not serve ${obj.kind} in ${obj.apiVersion}` });
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Until the CRD is Established and its kind is in discovery. */
async function waitForCrd(rest: KubeRest, crd: KubeObject): Promise<void> {
  const spec = (crd as any).spec;
  const version = spec.versions.find((v: any) => v.storage)?.name ?? spec.versions[0].name;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const cur: any = await rest.getOrUndefined(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
    const established = cur?.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True');
    if (established && (await rest.resource(`${spec.group}/${version}`, spec.names.kind))) return;
    if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} was not established within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
