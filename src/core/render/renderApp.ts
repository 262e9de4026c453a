// Desired state of one app: picks the renderer for its source type and applies namespace defaulting.
import * as path from 'node:path';
import { GitOpsError, isGitOpsError, type App } from '../model';
import { argoEnvsubst } from './argoEnvsubst';
import { withArgoSourceOverrides } from './argoSourceOverrides';
import { argoRevision } from './argoRevision';
import { throwIfAborted } from '../ports';
import { defaultNamespace } from './clusterScoped';
import { detectSourceType, findKustomizationFile } from './detectSourceType';
import { kustomizationSpecOf, treeCacheFor } from './kustomizeTree';
import { renderDirectory } from './renderDirectory';
import { needsOverlay, renderWithOverlay } from './renderOverlay';
import { renderHelm, type HelmOptions } from './renderHelm';
import { renderKustomize } from './renderKustomize';
import { argoBuildEnv, argoKustomizeOptions, isKustomizeBinary, renderArgoKustomize } from './renderArgoKustomize';
import { isFluxKustomizationObject, renderFlux } from './renderFlux';
import { renderFluxHelmRelease } from './renderFluxHelmRelease';
import { outOfRepoError } from './repoBounds';
import type { HelmCapabilities, RenderDeps, RenderResult } from './types';
import { asObj } from '../k8s/json';


function helmOptionsOf(app: App, capabilities?: HelmCapabilities, revision?: string): HelmOptions {
  const spec = (app.definition?.spec ?? {}) as Record<string, unknown>;
  const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])] as Record<string, unknown>[];
  const helm = (sources.find((s) => s && typeof s === 'object' && s.helm)?.helm ?? {}) as Record<string, unknown>;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  const env = app.kind === 'argo-application' ? argoBuildEnv(app, { revision }) : undefined;
  return {
    releaseName: typeof helm.releaseName === 'string' && helm.releaseName !== '' ? helm.releaseName : app.name,
    // helm.namespace (Argo >= 2.11) overrides the destination namespace for the template run.
    namespace: typeof helm.namespace === 'string' && helm.namespace !== '' ? helm.namespace : app.destinationNamespace,
    valueFiles: env ? strings(helm.valueFiles)?.map((f) => (app.refValueFiles?.includes(f) ? f : argoHelmPath(f, env, app.repoRoot))) : strings(helm.valueFiles),
    values: (helm.valuesObject as Record<string, unknown> | undefined) ?? (typeof helm.values === 'string' ? helm.values : undefined),
    parameters: Array.isArray(helm.parameters) ? (helm.parameters as HelmOptions['parameters']) : undefined,
    fileParameters: Array.isArray(helm.fileParameters) ? (helm.fileParameters as NonNullable<HelmOptions['fileParameters']>).map((p) => (env ? { ...p, path: argoHelmPath(String(p.path), env, app.repoRoot) } : p)) : undefined,
    ignoreMissingValueFiles: helm.ignoreMissingValueFiles === true,
    repoRoot: app.repoRoot,
    skipCrds: helm.skipCrds === true,
    skipTests: helm.skipTests === true,
    skipSchemaValidation: helm.skipSchemaValidation === true,
    // Unset: the destination cluster's, as repo-server passes them (when the engine could read them).
    kubeVersion: typeof helm.kubeVersion === 'string' && helm.kubeVersion !== '' ? helm.kubeVersion : capabilities?.kubeVersion,
    apiVersions: strings(helm.apiVersions)?.length ? strings(helm.apiVersions) : capabilities?.apiVersions,
    env,
  };
}

/**
 * An Argo CD value file or file parameter path as repo-server resolves it (reposerver/repository getResolvedValueFiles
 * and helmTemplate: env.Envsubst, then util/io/path ResolveValueFilePathOrUrl): the build environment expanded, and an
 * absolute path taken from the repository root, not the file system's.
 */
function argoHelmPath(p: string, env: Record<string, string>, repoRoot: string | undefined): string {
  const expanded = argoEnvsubst(p, env);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(expanded)) return expanded;
  return path.isAbsolute(expanded) && repoRoot ? path.join(repoRoot, expanded) : expanded;
}

/** Kustomize components the controller adds on top of the folder (Flux `spec.components`, Argo `source.kustomize.components`). */
function controllerComponents(app: App): string[] {
  const spec = (app.definition?.spec ?? {}) as Record<string, unknown>;
  const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])] as Record<string, unknown>[];
  const kz = (sources.find((s) => s && typeof s === 'object' && s.kustomize)?.kustomize ?? {}) as Record<string, unknown>;
  const list = app.kind === 'flux-kustomization' ? spec.components : kz.components;
  return Array.isArray(list) ? list.filter((c): c is string => typeof c === 'string') : [];
}

/** The app's own kustomization inflates Helm charts (read only; a file we cannot read counts as none). */
async function hasHelmCharts(dir: string, deps: RenderDeps): Promise<boolean> {
  const kfile = await findKustomizationFile(dir).catch(() => undefined);
  if (!kfile) return false;
  return treeCacheFor(deps.runner)
    .kustomizations.get(kfile, (text) => kustomizationSpecOf(kfile, text))
    .then((k) => k.helmCharts)
    .catch(() => false);
}

export async function renderApp(app: App, deps: RenderDeps): Promise<RenderResult> {
  const empty = (err: GitOpsError): RenderResult => ({ objects: [], skipped: [], errors: [err] });
  throwIfAborted(deps.signal);
  if (app.sources && app.sources.length > 0) {
    // Multi-source Application: every rendered source, together (as repo-server renders them).
    const parts = await Promise.all(app.sources.map((s) => renderApp(s, deps)));
    return { objects: parts.flatMap((p) => p.objects), skipped: parts.flatMap((p) => p.skipped), errors: parts.flatMap((p) => p.errors) };
  }
  if (app.kind === 'flux-helmrelease') return renderHelmReleaseApp(app, deps);
  if (app.kind === 'argo-application') {
    // `.argocd-source[-<app>].yaml` in the app folder override the Application's tool options (as in repo-server).
    try {
      app = await withArgoSourceOverrides(app);
    } catch (e) {
      if (isGitOpsError(e)) return empty(e);
      throw e;
    }
  }
  if (!app.path) return empty(new GitOpsError('notFound', `${app.name}: ${app.problem ?? 'its folder is not in the workspace'}`));
  const detected = app.sourceType === 'unknown' ? await detectSourceType(app.path) : app.sourceType;
  const overlay = needsOverlay({ ...app, sourceType: detected });
  const type = overlay ? 'kustomize' : detected;
  if ((type === 'kustomize' || type === 'helm') && !deps.trusted) {
    // Nothing is run here, so `--enable-helm` (added for helmCharts) is never passed untrusted; say what was skipped.
    const charts = type === 'kustomize' && (await hasHelmCharts(app.path, deps)) ? '; its helmCharts were not inflated because the workspace is not trusted' : '';
    return empty(new GitOpsError('untrusted', `${app.name}: ${type} is not run in an untrusted workspace${charts}; trust the workspace to render it`, { file: app.path }));
  }
  let result: RenderResult;
  if (app.kind === 'flux-kustomization' && isFluxKustomizationObject(app.definition)) {
    // Flux: the kustomization the controller writes and builds, then post-build substitution and commonMetadata.
    if (!deps.trusted) {
      if (detected === 'directory' && !overlay && !asObj(app.definition?.spec).postBuild) result = await renderDirectory(app.path, app.directory, deps.signal);
      else return empty(new GitOpsError('untrusted', `${app.name}: kustomize is not run in an untrusted workspace; trust the workspace to render it`, { file: app.path }));
    } else {
      try {
        const outside = await outOfRepoError({ app, type: 'kustomize', components: controllerComponents(app), signal: deps.signal });
        if (outside) return empty(outside);
        result = await renderFlux(app, deps);
      } catch (e) {
        if (isGitOpsError(e) && e.reason !== 'cancelled') return empty(e);
        throw e;
      }
    }
    result.objects = result.objects.map((o) => ({ ...o, object: defaultNamespace(o.object, app.destinationNamespace) }));
    return result;
  }
  try {
    const revision = await argoRevision(app, deps);
    const helm = type === 'helm' ? helmOptionsOf(app, deps.capabilities, revision) : undefined;
    const outside = await outOfRepoError({ app, type, valueFiles: [...(helm?.valueFiles ?? []).filter((f) => !app.refValueFiles?.includes(f)), ...(helm?.fileParameters ?? []).map((p) => p.path)], components: overlay ? controllerComponents(app) : [], signal: deps.signal });
    if (outside) return empty(outside);
    if (overlay && app.kind === 'argo-application' && isKustomizeBinary(deps.kustomizePath) && argoKustomizeOptions(app)) {
      // As repo-server does: `kustomize edit` in (a shadow of) the app folder, then build. Without a kustomize
      // binary (only `kubectl kustomize`, which has no `edit`), the overlay approximation below is used.
      result = await renderArgoKustomize({ ...app, sourceType: detected }, deps, revision).catch((e: unknown) => {
        if (isGitOpsError(e) && e.reason === 'unsupported') return renderWithOverlay({ ...app, sourceType: detected }, deps);
        throw e;
      });
    } else if (overlay) result = await renderWithOverlay({ ...app, sourceType: detected }, deps);
    else if (type === 'kustomize') result = await renderKustomize(app.path, deps);
    else if (type === 'helm') result = await renderHelm(app.path, helm ?? helmOptionsOf(app, deps.capabilities, revision), deps);
    else if (type === 'directory') result = await renderDirectory(app.path, app.directory, deps.signal);
    else return empty(new GitOpsError('notFound', `${app.name}: ${app.path} is not a folder`, { file: app.path }));
  } catch (e) {
    if (isGitOpsError(e) && e.reason !== 'cancelled') return empty(e);
    throw e;
  }
  result.objects = result.objects.map((o) => ({ ...o, object: defaultNamespace(o.object, app.destinationNamespace) }));
  return result;
}

/** A Flux HelmRelease with its chart in the workspace (a remote chart's desired state is the stored release: engine). */
async function renderHelmReleaseApp(app: App, deps: RenderDeps): Promise<RenderResult> {
  const empty = (err: GitOpsError): RenderResult => ({ objects: [], skipped: [], errors: [err] });
  if (!app.helmRelease?.local || !app.path) return empty(new GitOpsError('unsupported', `${app.name}: ${app.problem ?? 'its chart is not in the workspace'}`));
  if (!deps.trusted) return empty(new GitOpsError('untrusted', `${app.name}: helm is not run in an untrusted workspace; trust the workspace to render it`, { file: app.path }));
  const outside = await outOfRepoError({ app, type: 'helm', valueFiles: app.helmRelease.valuesFiles, signal: deps.signal });
  if (outside) return empty(outside);
  const result = await renderFluxHelmRelease(app, deps);
  result.objects = result.objects.map((o) => ({ ...o, object: defaultNamespace(o.object, app.destinationNamespace) }));
  return result;
}
