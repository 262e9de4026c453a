// Brings a cluster (with the simulated controllers running) into the demo's seeded scenarios, always
// the same way: bootstrap from the demo repo, wait for the controllers, then make the live edits.
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../../../src/core/model';
import { APPLY_PATCH, KubeRest, MERGE_PATCH, STRATEGIC_MERGE_PATCH } from '../controllers/kube-rest';
import { parseManifests } from '../controllers/render-manifests';
import { sleep } from '../controllers/object-compare';
import type { DemoRepo } from './create-demo-repo';

/** The Argo CD and Flux CRDs the demo world installs (verbatim upstream copies, see crds/SOURCES.md). */
export const DEMO_CRDS_DIR = path.resolve(__dirname, 'crds');
const CRD_FILES = [
  'argocd-application-crd.yaml',
  'argocd-applicationset-crd.yaml',
  'argocd-appproject-crd.yaml',
  'flux-source.toolkit.fluxcd.io_gitrepositories.yaml',
  'flux-kustomize.toolkit.fluxcd.io_kustomizations.yaml',
  'flux-helm.toolkit.fluxcd.io_helmreleases.yaml',
];
const BOOTSTRAP_MANAGER = 'kubectl'; // what `kubectl apply --server-side` of the bootstrap files records

export interface SeededScenarios {
  synced: string;
  breakglass: { app: string; namespace: string; deployment: string };
  suspendedKustomization: { name: string; namespace: string; deployment: string; deploymentNamespace: string };
  missingLive: { app: string; kind: string; namespace: string; name: string };
  pruneCandidate: { app: string; kind: string; namespace: string; name: string };
  appSetOwned: { appSet: string; app: string };
  /** Flux Kustomization with postBuild substitute + substituteFrom (a ConfigMap): Synced. */
  fluxSubstituted: { app: string; namespace: string; configMap: string };
  /** Flux HelmRelease of the repository's chart, one field of its objects edited live (drift detection is off). */
  helmRelease: { app: string; namespace: string; kind: string; name: string; path: string; desired: string; live: string };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && !signal?.aborted) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    await sleep(100, signal);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
}

/** Registers the Argo CD and Flux CRDs unless the server already serves them. */
export async function ensureGitOpsCrds(rest: KubeRest, crdDir = DEMO_CRDS_DIR, signal?: AbortSignal): Promise<void> {
  for (const file of CRD_FILES) {
    for (const crd of parseManifests(fs.readFileSync(path.join(crdDir, file), 'utf8'), file)) {
      const spec = crd.spec as any;
      const version = spec.versions.find((v: any) => v.storage)?.name ?? spec.versions[0].name;
      if (await rest.resource(`${spec.group}/${version}`, spec.names.kind, signal)) continue;
      await rest.call('PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, {
        body: crd,
        contentType: APPLY_PATCH,
        query: { fieldManager: BOOTSTRAP_MANAGER, force: 'true' },
        signal,
      });
      await waitFor(`CRD ${crd.metadata.name}`, () => rest.resource(`${spec.group}/${version}`, spec.names.kind, signal), 10_000, signal);
    }
  }
}

async function apply(rest: KubeRest, obj: KubeObject, signal?: AbortSignal): Promise<void> {
  await rest.call('PATCH', await rest.objectPath(obj, signal), { body: obj, contentType: APPLY_PATCH, query: { fieldManager: BOOTSTRAP_MANAGER, force: 'true' }, signal });
}

async function patch(rest: KubeRest, obj: KubeObject, body: unknown, contentType: string, fieldManager: string, signal?: AbortSignal): Promise<void> {
  await rest.call('PATCH', await rest.objectPath(obj, signal), { body, contentType, query: { fieldManager }, signal });
}

const app = (name: string): KubeObject => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'argocd' } });
const deployment = (name: string, namespace: string): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace } });

async function appStatus(rest: KubeRest, name: string, signal?: AbortSignal): Promise<any> {
  return (await rest.getOrUndefined(await rest.objectPath(app(name), signal), signal))?.status ?? {};
}

async function appIs(rest: KubeRest, name: string, sync: string, health: string | undefined, signal?: AbortSignal): Promise<boolean> {
  const s = await appStatus(rest, name, signal);
  return s.sync?.status === sync && (!health || s.health?.status === health);
}

/**
 * Seeds the scenarios. The controllers must be running against the same cluster with the demo repo
 * in their repo map. Takes a few controller periods.
 */
export async function seedDemoWorld(kubeconfigPath: string, repo: DemoRepo, opts: { timeoutMs?: number; signal?: AbortSignal; controllersSettled?: (signal?: AbortSignal) => Promise<void> } = {}): Promise<SeededScenarios> {
  const signal = opts.signal;
  const timeout = opts.timeoutMs ?? 60_000;
  const rest = await KubeRest.fromKubeconfig(kubeconfigPath);
  await ensureGitOpsCrds(rest, DEMO_CRDS_DIR, signal);
  for (const ns of ['argocd', 'flux-system']) await apply(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, signal);
  await apply(rest, { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'default', namespace: 'argocd' }, spec: { sourceRepos: ['*'], destinations: [{ namespace: '*', server: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] } }, signal);

  // Bootstrap, as a user would with `kubectl apply --server-side -f argocd/ -f clusters/demo/`.
  const bootstrap = ['argocd', 'clusters/demo'].flatMap((d) =>
    fs.readdirSync(path.join(repo.repoDir, d)).sort().flatMap((f) => parseManifests(fs.readFileSync(path.join(repo.repoDir, d, f), 'utf8'), f)),
  );
  for (const o of bootstrap) await apply(rest, o, signal);
  // Staging is synced by hand, at the first commit (which still has the legacy ConfigMap).
  await patch(rest, app('podinfo-staging'), { operation: { initiatedBy: { username: 'demo-seed' }, sync: { revision: repo.initialCommit, syncOptions: ['CreateNamespace=true'] } } }, MERGE_PATCH, 'argocd-server', signal);

  await waitFor('guestbook Synced/Healthy', () => appIs(rest, 'guestbook', 'Synced', 'Healthy', signal), timeout, signal);
  await waitFor('podinfo-production Synced/Healthy', () => appIs(rest, 'podinfo-production', 'Synced', 'Healthy', signal), timeout, signal);
  await waitFor('billing (from the ApplicationSet) Synced', () => appIs(rest, 'billing', 'Synced', undefined, signal), timeout, signal);
  await waitFor('podinfo-staging sync to finish', async () => (await appStatus(rest, 'podinfo-staging', signal)).operationState?.phase === 'Succeeded', timeout, signal);
  await waitFor('Flux Kustomization infra Ready', async () => {
    const ks = await rest.getOrUndefined('/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/infra', signal);
    return (ks?.status as any)?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
  }, timeout, signal);

  for (const [what, p] of [
    ['Flux Kustomization web Ready', '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/web'],
    ['Flux HelmRelease shop Ready', '/apis/helm.toolkit.fluxcd.io/v2/namespaces/flux-system/helmreleases/shop'],
  ]) {
    await waitFor(what, async () => ((await rest.getOrUndefined(p, signal))?.status as any)?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'), timeout, signal);
  }
  // The shop's currency changed by hand; helm-controller leaves it (drift detection is off by default).
  await patch(rest, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-settings', namespace: 'shop' } }, { data: { currency: 'GBP' } }, MERGE_PATCH, 'kubectl-edit', signal);

  // Breakglass: auto-sync paused on production (keeping its settings), then a live `kubectl edit`.
  await patch(rest, app('podinfo-production'), { spec: { syncPolicy: { automated: { enabled: false } } } }, MERGE_PATCH, 'kubectl-patch', signal);
  await patch(
    rest,
    deployment('podinfo', 'podinfo-production'),
    { spec: { replicas: 5, template: { spec: { containers: [{ name: 'podinfo', env: [{ name: 'PODINFO_LOG_LEVEL', value: 'debug' }] }] } } } },
    STRATEGIC_MERGE_PATCH,
    'kubectl-edit',
    signal,
  );
  // Missing live: the staging Ingress is deleted by hand; staging has no auto-sync to bring it back.
  await rest.call('DELETE', '/apis/networking.k8s.io/v1/namespaces/podinfo-staging/ingresses/podinfo', { signal });
  // Flux: `flux suspend kustomization infra`, then a live edit that stays because nothing reconciles.
  await patch(rest, { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'infra', namespace: 'flux-system' } }, { spec: { suspend: true } }, MERGE_PATCH, 'flux', signal);
  // A reconcile that read infra before the suspend may still be applying: let it finish, or it reverts the edit below.
  await opts.controllersSettled?.(signal);
  await patch(
    rest,
    deployment('redis', 'infra'),
    { spec: { replicas: 2, template: { spec: { containers: [{ name: 'redis', env: [{ name: 'REDIS_MAXMEMORY', value: '256mb' }] }] } } } },
    STRATEGIC_MERGE_PATCH,
    'kubectl-edit',
    signal,
  );
  await waitFor('podinfo-production to show the live edit as OutOfSync', () => appIs(rest, 'podinfo-production', 'OutOfSync', undefined, signal), timeout, signal);
  await waitFor('podinfo-staging OutOfSync (missing Ingress, prune candidate)', async () => {
    const s = await appStatus(rest, 'podinfo-staging', signal);
    return s.sync?.status === 'OutOfSync' && s.resources?.some((r: any) => r.requiresPruning && r.name === 'podinfo-legacy-settings') && s.health?.status === 'Missing';
  }, timeout, signal);

  return {
    synced: 'guestbook',
    breakglass: { app: 'podinfo-production', namespace: 'podinfo-production', deployment: 'podinfo' },
    suspendedKustomization: { name: 'infra', namespace: 'flux-system', deployment: 'redis', deploymentNamespace: 'infra' },
    missingLive: { app: 'podinfo-staging', kind: 'Ingress', namespace: 'podinfo-staging', name: 'podinfo' },
    pruneCandidate: { app: 'podinfo-staging', kind: 'ConfigMap', namespace: 'podinfo-staging', name: 'podinfo-legacy-settings' },
    appSetOwned: { appSet: 'team-apps', app: 'billing' },
    fluxSubstituted: { app: 'web', namespace: 'web', configMap: 'web-config' },
    helmRelease: { app: 'shop', namespace: 'shop', kind: 'ConfigMap', name: 'shop-settings', path: 'data.currency', desired: 'EUR', live: 'GBP' },
  };
}
