// Simulated kustomize-controller post-build substitution (written from Flux's documented behaviour, sharing no
// code with the engine): variables from `substituteFrom` ConfigMaps/Secrets read from the cluster in order
// (`optional` ones may be missing), then `substitute`; `${var}`, `${var:=default}`, `${var:-default}` replaced in
// each object's YAML (an unset variable without default becomes empty), `$${var}` kept as `${var}`; objects
// labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` are left alone.
import { parse, stringify } from 'yaml';
import type { KubeObject } from '../../../src/core/model';
import type { KubeRest } from './kube-rest';

const DISABLED = 'kustomize.toolkit.fluxcd.io/substitute';

export async function fluxVariables(rest: KubeRest, ks: KubeObject, signal?: AbortSignal): Promise<Map<string, string> | undefined> {
  const postBuild = (ks.spec as any)?.postBuild;
  if (!postBuild) return undefined;
  const ns = ks.metadata.namespace ?? 'flux-system';
  const vars = new Map<string, string>();
  for (const ref of (postBuild.substituteFrom ?? []) as { kind: string; name: string; optional?: boolean }[]) {
    const plural = ref.kind === 'Secret' ? 'secrets' : ref.kind === 'ConfigMap' ? 'configmaps' : undefined;
    if (!plural) continue;
    const obj = await rest.getOrUndefined(`/api/v1/namespaces/${ns}/${plural}/${ref.name}`, signal);
    if (!obj) {
      if (ref.optional) continue;
      throw new Error(`substitute from '${ref.kind}/${ref.name}' error: ${ref.kind} '${ns}/${ref.name}' not found`);
    }
    for (const [k, v] of Object.entries(((obj as any).data ?? {}) as Record<string, string>)) {
      vars.set(k, (ref.kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v).replace(/\n/g, ''));
    }
  }
  for (const [k, v] of Object.entries((postBuild.substitute ?? {}) as Record<string, string>)) vars.set(k, String(v).replace(/\n/g, ''));
  return vars;
}

function substituteText(text: string, vars: Map<string, string>): string {
  return text.replace(/\$?\$\{([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[=-])([^}]*))?\}/g, (whole, name: string, op: string | undefined, def: string | undefined) => {
    if (whole.startsWith('$$')) return whole.slice(1);
    const v = vars.get(name);
    if (op === undefined) return v ?? '';
    // `:=`/`:-` also apply to an empty value; `=`/`-` only to an unset one.
    const useDefault = op.startsWith(':') ? v === undefined || v === '' : v === undefined;
    return useDefault ? (def ?? '') : (v as string);
  });
}

export function substituteObjects(objects: KubeObject[], vars: Map<string, string> | undefined): KubeObject[] {
  if (!vars) return objects;
  return objects.map((o) => {
    if (o.metadata.labels?.[DISABLED] === 'disabled' || o.metadata.annotations?.[DISABLED] === 'disabled') return o;
    return parse(substituteText(stringify(o), vars)) as KubeObject;
  });
}
