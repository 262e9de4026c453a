// What Flux's kustomize-controller applies for a Kustomization: its kustomization (the folder's own or the
// generated one) with the spec fields written in (fluxKustomization), built with kustomize and no load
// restrictions (as Flux builds), then per object the post-build variable substitution (unless the object is labelled
// or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`), then `commonMetadata` labels and annotations.
import * as path from 'node:path';
import { GitOpsError, isGitOpsError, type App, type KubeObject } from '../model';
import { envsubst, EnvsubstError, VARIABLE_NAME } from './envsubst';
import { fluxKustomizationFile } from './fluxKustomization';
import { loadFluxVariables, withClusterFallback, workspaceLookup, type ObjectLookup } from './fluxVariables';
import { KustomizeTreeCache } from './kustomizeTree';
import { loadSourceIgnore } from './sourceIgnore';
import { renderKustomize, type KustomizeDeps } from './renderKustomize';
import { createShadowTree } from './shadowTree';
import type { RenderResult } from './types';
import { asObj } from '../k8s/json';


export const SUBSTITUTE_KEY = 'kustomize.toolkit.fluxcd.io/substitute';

export interface FluxRenderDeps extends KustomizeDeps {
  /** Reads substituteFrom ConfigMaps/Secrets from the cluster; without it they are read from the workspace. */
  lookupObject?: ObjectLookup;
  /** Reads what the workspace does not hold from the cluster (after the workspace; see withClusterFallback). */
  clusterLookup?: ObjectLookup;
}

function strMap(v: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(asObj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Flux's SetCommonMetadata: the Kustomization's labels/annotations set on every object (overriding). */
function withCommonMetadata(obj: KubeObject, labels: Record<string, string>, annotations: Record<string, string>): KubeObject {
  const meta = { ...obj.metadata };
  if (Object.keys(labels).length > 0) meta.labels = { ...(meta.labels ?? {}), ...labels };
  if (Object.keys(annotations).length > 0) meta.annotations = { ...(meta.annotations ?? {}), ...annotations };
  return { ...obj, metadata: meta };
}

export function isFluxKustomizationObject(o: KubeObject | undefined): boolean {
  return !!o && o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');
}

export async function renderFlux(app: App, deps: FluxRenderDeps): Promise<RenderResult> {
  const dir = app.path as string;
  const ks = app.definition as KubeObject;
  const spec = asObj(ks.spec);
  const shadow = await createShadowTree(dir);
  const inApp = (msg: string) => msg.split(shadow.dir).join(dir).split(`${shadow.root}/`).join('/');
  try {
    const match = app.repoRoot ? await loadSourceIgnore(app.repoRoot, dir, deps.signal, app.sourceIgnore) : undefined;
    const kfile = await fluxKustomizationFile(dir, spec, deps.signal, match && app.repoRoot ? { root: app.repoRoot, match } : undefined);
    await shadow.writeKustomization(kfile.text, path.basename(kfile.file));

    let transformDocument: KustomizeDeps['transformDocument'];
    let secretVariables: string[] | undefined;
    if (spec.postBuild !== undefined && spec.postBuild !== null) {
      const near = app.definedIn?.file ?? dir;
      const lookup = deps.lookupObject ?? withClusterFallback(workspaceLookup(app.repoRoot ?? path.dirname(near), near), deps.clusterLookup);
      const { vars, secretVariables: fromSecrets } = await loadFluxVariables(ks, lookup, deps.signal);
      for (const k of vars.keys()) {
        if (!VARIABLE_NAME.test(k)) throw new GitOpsError('render', `'${k}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'`, { file: dir });
      }
      secretVariables = [...fromSecrets];
      const always = asObj(spec.postBuild).substituteStrategy === 'Always';
      if (vars.size > 0 || always) {
        transformDocument = (text, object) => {
          if (object.metadata.labels?.[SUBSTITUTE_KEY] === 'disabled' || object.metadata.annotations?.[SUBSTITUTE_KEY] === 'disabled') return text;
          try {
            return envsubst(text, vars);
          } catch (e) {
            // Never echo the document (it may hold substituted Secret values): only what failed.
            if (e instanceof EnvsubstError) throw new Error(`var substitution failed: ${e.message}`);
            throw e;
          }
        };
      }
    }

    const result = await renderKustomize(shadow.dir, {
      ...deps,
      extraArgs: [...(deps.extraArgs ?? []), '--load-restrictor', 'LoadRestrictionsNone'],
      // The shadow tree is new on every render: its files must not fill the shared cache.
      treeCache: new KustomizeTreeCache(),
      transformDocument,
    }).catch((e: unknown) => {
      throw isGitOpsError(e) ? new GitOpsError(e.reason, inApp(e.message), { ...e.details, file: dir }) : e;
    });
    result.errors = result.errors.map((e) => new GitOpsError(e.reason, inApp(e.message), { ...e.details, file: dir }));
    const meta = asObj(spec.commonMetadata);
    const labels = strMap(meta.labels);
    const annotations = strMap(meta.annotations);
    result.objects = result.objects.map((o) => {
      const object = withCommonMetadata(o.object, labels, annotations);
      if (!o.source) return { object };
      let chain = (o.kustomizeChain ?? []).map(shadow.toReal);
      // A generated kustomization is not in the repository: nothing to edit there.
      if (kfile.generated) chain = chain.filter((f) => f !== kfile.file);
      return { object, source: { ...o.source, file: shadow.toReal(o.source.file) }, kustomizeChain: chain };
    });
    return { ...result, secretVariables };
  } finally {
    await shadow.dispose();
  }
}
