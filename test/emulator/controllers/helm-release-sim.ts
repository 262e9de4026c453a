// Simulated helm-controller install/upgrade for a HelmRelease whose chart comes from a GitRepository (written from
// Flux's documented behaviour, sharing no code with the engine): `helm template` of the chart at the source's
// revision with the values (chart defaults < valuesFrom ConfigMaps/Secrets in order < spec.values), hooks left
// out, the origin labels `helm.toolkit.fluxcd.io/name|namespace` added, each object server-side applied as
// `helm-controller`. Drift detection is off by default in Flux: the release is only upgraded when the chart
// revision or the values change, so live edits stay (unless `driftDetection.mode: enabled`).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../../src/core/model';
import { type ControllerContext, localRepoFor } from './controller-context';
import { APPLY_PATCH } from './kube-rest';
import { comparable, driftPaths } from './object-compare';
import { parseManifests } from './render-manifests';
import { serverSideApply } from './server-side-apply';

export const HELM_MANAGER = 'helm-controller';
type Values = Record<string, unknown>;
const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(a: Values, b: Values): Values {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isMap(v) && isMap(out[k]) ? merge(out[k] as Values, v) : v;
  return out;
}

async function releaseValues(ctx: ControllerContext, hr: KubeObject, signal: AbortSignal): Promise<Values> {
  const spec = (hr.spec ?? {}) as any;
  let values: Values = {};
  for (const ref of (spec.valuesFrom ?? []) as { kind: string; name: string; valuesKey?: string; optional?: boolean }[]) {
    const plural = ref.kind === 'Secret' ? 'secrets' : 'configmaps';
    const obj = await ctx.rest.getOrUndefined(`/api/v1/namespaces/${hr.metadata.namespace}/${plural}/${ref.name}`, signal);
    const raw = (obj as any)?.data?.[ref.valuesKey ?? 'values.yaml'];
    if (raw === undefined) {
      if (ref.optional) continue;
      throw new Error(`could not resolve ${ref.kind} chart values reference '${hr.metadata.namespace}/${ref.name}'`);
    }
    values = merge(values, (parse(ref.kind === 'Secret' ? Buffer.from(raw, 'base64').toString('utf8') : raw) ?? {}) as Values);
  }
  return merge(values, isMap(spec.values) ? spec.values : {});
}

function helmTemplate(release: string, namespace: string, chartDir: string, valuesFile: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('helm', ['template', release, chartDir, '--namespace', namespace, '--values', valuesFile], { signal, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`helm template failed: ${stderr.trim() || err.message}`)) : resolve(stdout),
    ),
  );
}

export interface HelmInstall {
  /** Chart revision and values digest: the release is upgraded only when it changes. */
  digest: string;
  revision: string;
  applied: number;
}

/** Installs/upgrades when the digest differs from `lastDigest` (or drift correction is on); undefined: not a Git chart. */
export async function installFromGit(ctx: ControllerContext, hr: KubeObject, lastDigest: string | undefined, signal: AbortSignal): Promise<HelmInstall | undefined> {
  const spec = (hr.spec ?? {}) as any;
  const chart = spec.chart?.spec ?? {};
  if (chart.sourceRef?.kind !== 'GitRepository') return undefined;
  const hrNs = hr.metadata.namespace ?? 'flux-system';
  const src = await ctx.rest.getOrUndefined(`/apis/source.toolkit.fluxcd.io/v1/namespaces/${chart.sourceRef.namespace ?? hrNs}/gitrepositories/${chart.sourceRef.name}`, signal);
  const revision: string | undefined = (src?.status as any)?.artifact?.revision;
  if (!src || !revision) throw new Error('HelmChart source artifact not found');
  const values = await releaseValues(ctx, hr, signal);
  const digest = `sha256:${createHash('sha256').update(JSON.stringify([revision, chart.chart, values])).digest('hex')}`;
  const correctDrift = spec.driftDetection?.mode === 'enabled';
  if (digest === lastDigest && !correctDrift) return { digest, revision, applied: 0 };
  const releaseNs = spec.targetNamespace ?? hrNs;
  const release = spec.releaseName ?? (spec.targetNamespace ? `${spec.targetNamespace}-${hr.metadata.name}` : hr.metadata.name);
  const tree = await ctx.trees.tree(localRepoFor(ctx, (src.spec as any)?.url), revision.slice(revision.lastIndexOf(':') + 1), signal);
  const chartDir = path.resolve(tree, chart.chart ?? '.');
  if (!chartDir.startsWith(tree)) throw new Error(`chart path ${chart.chart} escapes the repository`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-helm-'));
  let objects: KubeObject[];
  try {
    fs.writeFileSync(path.join(tmp, 'values.json'), JSON.stringify(values));
    objects = parseManifests(await helmTemplate(release, releaseNs, chartDir, path.join(tmp, 'values.json'), signal), 'helm template');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (spec.install?.createNamespace && !(await ctx.rest.getOrUndefined(`/api/v1/namespaces/${releaseNs}`, signal))) {
    await ctx.rest.call('PATCH', `/api/v1/namespaces/${releaseNs}`, { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: releaseNs } }, contentType: APPLY_PATCH, query: { fieldManager: HELM_MANAGER, force: 'true' }, signal });
  }
  let applied = 0;
  for (const o of objects.filter((x) => !x.metadata.annotations?.['helm.sh/hook'])) {
    if ((await ctx.rest.isNamespaced(o.apiVersion, o.kind, signal)) !== false) o.metadata.namespace = o.metadata.namespace || releaseNs;
    o.metadata.labels = { ...(o.metadata.labels ?? {}), 'helm.toolkit.fluxcd.io/name': hr.metadata.name!, 'helm.toolkit.fluxcd.io/namespace': hrNs };
    const live = await ctx.rest.getOrUndefined(await ctx.rest.objectPath(o, signal), signal);
    if (!live || driftPaths(comparable(o), live, 'apply').length > 0) {
      await serverSideApply(ctx.rest, o, { fieldManager: HELM_MANAGER, signal });
      applied++;
    }
  }
  return { digest, revision, applied };
}
