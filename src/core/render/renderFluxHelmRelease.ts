// What helm-controller installs for a HelmRelease whose chart is in the workspace (or a chart archive in helm's
// local cache, unpacked for the render): `helm template` of the chart
// (its values.yaml replaced by the merged `chart.spec.valuesFiles` when given, as source-controller packages it)
// with the release name and namespace and the merged values (helmReleaseValues), hooks left out (they are not
// part of the release manifest), then helm-controller's post-renderers in order: each `postRenderers[].kustomize`
// (patches, images) built with kustomize, the origin labels `helm.toolkit.fluxcd.io/name|namespace`, and
// `commonMetadata`.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { GitOpsError, isGitOpsError, type App, type KubeObject } from '../model';
import { FLUX_HR_NAME_LABEL, FLUX_HR_NAMESPACE_LABEL } from '../kube/tracking';
import { helmReleaseValues, mergeValues } from './helmReleaseValues';
import { withClusterFallback, workspaceLookup, type ObjectLookup } from './fluxVariables';
import { renderHelm } from './renderHelm';
import { renderKustomize, type KustomizeDeps } from './renderKustomize';
import { KustomizeTreeCache } from './kustomizeTree';
import { extractChartArchive } from './chartArchive';
import { isWithin } from './repoBounds';
import type { RenderResult } from './types';
import { type JsonObject as Obj, asObj } from '../k8s/json';

const HOOK = 'helm.sh/hook';

export interface HelmReleaseRenderDeps extends KustomizeDeps {
  /** Reads valuesFrom ConfigMaps/Secrets; without it they are read from the workspace's manifests. */
  lookupObject?: ObjectLookup;
  /** Reads what the workspace does not hold from the cluster (after the workspace; see withClusterFallback). */
  clusterLookup?: ObjectLookup;
}

function strMap(v: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(asObj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The origin labels and commonMetadata helm-controller's last post-renderers set on every object. */
export function withHelmControllerMetadata(obj: KubeObject, hr: KubeObject): KubeObject {
  const meta = asObj(asObj(hr.spec).commonMetadata);
  const labels = { ...(obj.metadata.labels ?? {}), [FLUX_HR_NAME_LABEL]: hr.metadata.name ?? '', [FLUX_HR_NAMESPACE_LABEL]: hr.metadata.namespace ?? 'flux-system', ...strMap(meta.labels) };
  const annotations = { ...(obj.metadata.annotations ?? {}), ...strMap(meta.annotations) };
  return { ...obj, metadata: { ...obj.metadata, labels, ...(Object.keys(annotations).length ? { annotations } : {}) } };
}

/** source-controller's chart values for `valuesFiles`: the files merged in order (they replace the chart's values.yaml). */
async function mergedValuesFiles(files: string[], ignoreMissing: boolean): Promise<Obj> {
  let merged: Obj = {};
  for (const f of files) {
    let text: string;
    try {
      text = await fs.readFile(f, 'utf8');
    } catch {
      if (ignoreMissing) continue;
      throw new GitOpsError('notFound', `values file ${f} of the chart was not found`, { file: f });
    }
    const v = parse(text) as unknown;
    merged = mergeValues(merged, asObj(v));
  }
  return merged;
}

interface ChartFolder {
  dir: string;
  valuesFiles: string[];
  ignoreMissing: boolean;
}

/**
 * The chart folder and its values files: the workspace folder, or a chart archive from helm's cache unpacked in
 * `tmp` (its valuesFiles are inside the chart, as source-controller reads them from a packaged chart).
 */
async function chartFolder(app: App, tmp: string): Promise<ChartFolder> {
  const info = app.helmRelease!;
  const ignoreMissing = !!info.ignoreMissingValuesFiles;
  if (!info.archive) return { dir: app.path as string, valuesFiles: info.valuesFiles ?? [], ignoreMissing };
  const dir = await extractChartArchive(info.archive, path.join(tmp, 'archive'));
  const valuesFiles = (info.chartValuesFiles ?? []).map((f) => {
    const p = path.resolve(dir, f.replace(/^\/+/, ''));
    if (!isWithin(dir, p)) throw new GitOpsError('invalid', `values file ${f} is outside the chart ${info.archive}`, { file: info.archive });
    return p;
  });
  return { dir, valuesFiles, ignoreMissing };
}

/** The chart's default values as helm-controller gets them: the merged `valuesFiles` when given, else values.yaml. */
export async function chartDefaultValues(app: App): Promise<Obj> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-hr-values-'));
  try {
    const chart = await chartFolder(app, tmp);
    if (chart.valuesFiles.length) return await mergedValuesFiles(chart.valuesFiles, chart.ignoreMissing);
    const text = await fs.readFile(path.join(chart.dir, 'values.yaml'), 'utf8').catch(() => '');
    return asObj(parse(text) as unknown);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** Where a HelmRelease's valuesFrom ConfigMaps / Secrets are read: the workspace, else the cluster. */
export function helmReleaseLookup(app: App, deps: HelmReleaseRenderDeps): ObjectLookup {
  const near = app.definedIn?.file ?? (app.path as string);
  return deps.lookupObject ?? withClusterFallback(workspaceLookup(app.repoRoot ?? path.dirname(near), near), deps.clusterLookup);
}

async function chartWithValuesFiles(chartDir: string, files: string[], ignoreMissing: boolean, tmp: string): Promise<string> {
  const merged = await mergedValuesFiles(files, ignoreMissing);
  const copy = path.join(tmp, 'chart');
  await fs.cp(chartDir, copy, { recursive: true, dereference: false });
  await fs.writeFile(path.join(copy, 'values.yaml'), stringify(merged));
  return copy;
}

async function postRender(objects: KubeObject[], renderer: Obj, tmp: string, n: number, deps: KustomizeDeps): Promise<KubeObject[]> {
  const dir = path.join(tmp, `post-render-${n}`);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'all.yaml'), objects.map((o) => stringify(o)).join('---\n'));
  const kz: Obj = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['all.yaml'] };
  if (Array.isArray(renderer.patches) && renderer.patches.length) kz.patches = renderer.patches;
  if (Array.isArray(renderer.images) && renderer.images.length) kz.images = renderer.images;
  // Deprecated forms some HelmReleases still carry (v2beta1/v2beta2).
  const sm = (Array.isArray(renderer.patchesStrategicMerge) ? renderer.patchesStrategicMerge : []).map((p) => ({ patch: typeof p === 'string' ? p : stringify(p) }));
  const js = (Array.isArray(renderer.patchesJson6902) ? renderer.patchesJson6902 : []).map(asObj).map((p) => ({ target: p.target, patch: stringify(p.patch) }));
  if (sm.length || js.length) kz.patches = [...((kz.patches as unknown[]) ?? []), ...sm, ...js];
  await fs.writeFile(path.join(dir, 'kustomization.yaml'), stringify(kz));
  const r = await renderKustomize(dir, { ...deps, skipSources: true, treeCache: new KustomizeTreeCache() });
  if (r.errors.length) throw new GitOpsError('render', `post-renderer ${n + 1} (kustomize): ${r.errors.map((e) => e.message.split(dir).join('<post-render>')).join('; ')}`);
  return r.objects.map((o) => o.object);
}

export async function renderFluxHelmRelease(app: App, deps: HelmReleaseRenderDeps): Promise<RenderResult> {
  const hr = app.definition as KubeObject;
  const info = app.helmRelease!;
  const spec = asObj(hr.spec);
  const chartDir = app.path as string;
  const { values } = await helmReleaseValues(hr, helmReleaseLookup(app, deps), deps.signal);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-hr-'));
  try {
    const chart = await chartFolder(app, tmp);
    const dir = chart.valuesFiles.length ? await chartWithValuesFiles(chart.dir, chart.valuesFiles, chart.ignoreMissing, tmp) : chart.dir;
    const result = await renderHelm(dir, { releaseName: info.releaseName, namespace: info.releaseNamespace, values, skipCrds: true }, deps);
    const inApp = (m: string) => m.split(dir).join(chartDir);
    result.errors = result.errors.map((e) => new GitOpsError(e.reason, inApp(e.message), { ...e.details, file: chartDir }));
    if (result.errors.length) return { objects: [], skipped: result.skipped, errors: result.errors };
    let objects = result.objects.map((o) => o.object).filter((o) => !o.metadata.annotations?.[HOOK]);
    const renderers = (Array.isArray(spec.postRenderers) ? spec.postRenderers : []).map(asObj);
    for (let i = 0; i < renderers.length; i++) {
      const k = asObj(renderers[i].kustomize);
      if (Object.keys(k).length) objects = await postRender(objects, k, tmp, i, deps);
    }
    return { objects: objects.map((o) => ({ object: withHelmControllerMetadata(o, hr) })), skipped: result.skipped, errors: [] };
  } catch (e) {
    if (isGitOpsError(e) && e.reason !== 'cancelled') return { objects: [], skipped: [], errors: [new GitOpsError(e.reason, `${app.name}: ${e.message}`, { ...e.details, file: e.details?.file ?? chartDir })] };
    throw e;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
