// Ignore rules users already have, read from where Argo CD and Flux keep them:
// - Argo CD `argocd-cm`: `resource.customizations.ignoreDifferences.<group>_<kind>` and `.all` (and the older
//   `resource.customizations` block), `resource.compareoptions` (ignoreAggregatedRoles, ignoreResourceStatusField);
// - the `argocd.argoproj.io/compare-options` annotation (IgnoreExtraneous, ServerSideDiff=true);
// - Flux Kustomization `spec.ignore` (kustomize-controller v1.5+ CRDs declare it) and HelmRelease
//   `spec.driftDetection.ignore` (paths = JSON pointers, target = group/version/kind/name/namespace/label and
//   annotation selectors).
// Rules with expressions that cannot be compiled are reported (validateIgnoreRules) rather than failing a diff.
import { parse } from 'yaml';
import type { KubeObject } from '../model';
import { isObject } from '../k8s/json';
import { compileJqPath } from './jqPath';
import { parseJsonPointer } from './ignore';
import type { IgnoreDifference } from './options';

export const COMPARE_OPTIONS = 'argocd.argoproj.io/compare-options';

export interface ArgoSettings {
  rules: IgnoreDifference[];
  ignoreAggregatedRoles?: boolean;
  /** `all` (Argo CD v3's default), `crd` or `none` / `off` / `false` (see diff/options statusIgnored). */
  ignoreResourceStatusField?: string;
  /** Keys that could not be read, with why. */
  errors: string[];
}

function ruleFrom(group: string, kind: string, raw: unknown): IgnoreDifference | undefined {
  if (!isObject(raw)) return undefined;
  const list = (k: string) => (Array.isArray(raw[k]) ? (raw[k] as unknown[]).filter((x): x is string => typeof x === 'string') : undefined);
  return { group, kind, jsonPointers: list('jsonPointers'), jqPathExpressions: list('jqPathExpressions'), managedFieldsManagers: list('managedFieldsManagers') };
}

/** `apps_Deployment` → [apps, Deployment]; `Service` (core) → ['', Service]; `all` → every kind. */
function groupKind(key: string): [string, string] {
  if (key === 'all') return ['*', '*'];
  const i = key.lastIndexOf('_');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}

/** The ignore rules and compare options of an `argocd-cm` ConfigMap. */
export function argoSettingsOf(cm: KubeObject | undefined): ArgoSettings {
  const out: ArgoSettings = { rules: [], errors: [] };
  const data = cm && isObject(cm.data) ? cm.data : {};
  const yaml = (key: string): unknown => {
    try {
      return parse(String(data[key]));
    } catch (e) {
      out.errors.push(`argocd-cm ${key}: ${(e as Error).message.split('\n')[0]}`);
      return undefined;
    }
  };
  const PREFIX = 'resource.customizations.ignoreDifferences.';
  for (const key of Object.keys(data).sort()) {
    if (key.startsWith(PREFIX)) {
      const [g, k] = groupKind(key.slice(PREFIX.length));
      const r = ruleFrom(g, k, yaml(key));
      if (r) out.rules.push(r);
    } else if (key === 'resource.customizations') {
      // Older form: one YAML map of `group/Kind` → { ignoreDifferences: <YAML string> }.
      const all = yaml(key);
      if (!isObject(all)) continue;
      for (const [gk, v] of Object.entries(all)) {
        if (!isObject(v) || v.ignoreDifferences === undefined) continue;
        const slash = gk.lastIndexOf('/');
        const inner = typeof v.ignoreDifferences === 'string' ? parse(v.ignoreDifferences) : v.ignoreDifferences;
        const r = ruleFrom(slash < 0 ? '' : gk.slice(0, slash), slash < 0 ? gk : gk.slice(slash + 1), inner);
        if (r) out.rules.push(r);
      }
    } else if (key === 'resource.compareoptions') {
      const o = yaml(key);
      if (isObject(o)) {
        if (typeof o.ignoreAggregatedRoles === 'boolean') out.ignoreAggregatedRoles = o.ignoreAggregatedRoles;
        const f = o.ignoreResourceStatusField;
        // YAML 1.1 readers (Argo CD's) turn an unquoted `off` into false; Argo CD accepts `off` and `false`.
        if (typeof f === 'string' || typeof f === 'boolean') out.ignoreResourceStatusField = String(f);
        if (out.ignoreResourceStatusField !== undefined && !['', 'all', 'crd', 'none', 'off', 'false'].includes(out.ignoreResourceStatusField)) {
          out.errors.push(`argocd-cm resource.compareoptions: unrecognized ignoreResourceStatusField '${out.ignoreResourceStatusField}'; status is ignored on every resource, as Argo CD does`);
        }
      }
    }
  }
  return out;
}

export interface CompareOptions {
  ignoreExtraneous: boolean;
  serverSideDiff?: boolean;
}

/** The `argocd.argoproj.io/compare-options` annotation (comma-separated, as Argo CD reads it). */
export function compareOptionsOf(obj: KubeObject | undefined): CompareOptions {
  const raw = obj?.metadata?.annotations?.[COMPARE_OPTIONS];
  const opts = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : [];
  const out: CompareOptions = { ignoreExtraneous: opts.includes('IgnoreExtraneous') };
  if (opts.includes('ServerSideDiff=true')) out.serverSideDiff = true;
  if (opts.includes('ServerSideDiff=false')) out.serverSideDiff = false;
  return out;
}

function fluxRules(list: unknown): IgnoreDifference[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((r) => {
    const t = isObject(r.target) ? r.target : {};
    const s = (k: string) => (typeof t[k] === 'string' && t[k] !== '' ? (t[k] as string) : undefined);
    return {
      // fluxcd/pkg/ssa jsondiff SelectorRegex: an empty group (version, kind) matches any, `kind: Deployment` alone included.
      group: s('group') ?? '*',
      kind: s('kind') ?? '*',
      ...(s('version') ? { version: s('version') } : {}),
      ...(s('name') ? { name: s('name') } : {}),
      ...(s('namespace') ? { namespace: s('namespace') } : {}),
      ...(s('labelSelector') ? { labelSelector: s('labelSelector') } : {}),
      ...(s('annotationSelector') ? { annotationSelector: s('annotationSelector') } : {}),
      jsonPointers: Array.isArray(r.paths) ? r.paths.filter((p): p is string => typeof p === 'string') : [],
    };
  });
}

/**
 * Ignore rules of a Flux Kustomization (`spec.ignore`, where its CRD version declares it) or HelmRelease
 * (`spec.driftDetection.ignore`, honoured by helm-controller whatever the drift detection mode).
 */
export function fluxIgnoreRulesOf(app: KubeObject | undefined): IgnoreDifference[] {
  const spec = app && isObject(app.spec) ? app.spec : undefined;
  if (!spec) return [];
  if (app!.kind === 'Kustomization') return fluxRules(spec.ignore);
  if (app!.kind === 'HelmRelease') return fluxRules(isObject(spec.driftDetection) ? spec.driftDetection.ignore : undefined);
  return [];
}

/** Why each rule cannot be used (bad JSON pointer, jq outside the supported subset), to report on the app. */
export function validateIgnoreRules(rules: readonly IgnoreDifference[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    const where = `ignoreDifferences ${r.group ? `${r.group}/` : ''}${r.kind}`;
    for (const p of r.jsonPointers ?? []) {
      try {
        parseJsonPointer(p);
      } catch (e) {
        out.push(`${where}: ${(e as Error).message}`);
      }
    }
    for (const e of r.jqPathExpressions ?? []) {
      try {
        compileJqPath(e);
      } catch (err) {
        out.push(`${where}: ${(err as Error).message}`);
      }
    }
  }
  return out;
}

export interface AppIgnoreRules {
  rules: IgnoreDifference[];
  /** Rules that cannot be used, to report on the app (the resources are still diffed, without them). */
  errors: string[];
  ignoreAggregatedRoles?: boolean;
  /** Argo CD apps: argocd-cm's `resource.compareoptions.ignoreResourceStatusField`. */
  ignoreResourceStatusField?: string;
}

/**
 * Every ignore rule that applies to an app's resources: the Argo CD Application's `spec.ignoreDifferences`, the
 * Flux Kustomization's `spec.ignore` / HelmRelease's `spec.driftDetection.ignore`, and the system-wide ones of
 * `argocd-cm` for Argo CD apps.
 */
export function appIgnoreRules(appObject: KubeObject | undefined, argoCm?: KubeObject): AppIgnoreRules {
  const group = appObject?.apiVersion?.split('/')[0];
  const rules: IgnoreDifference[] = [];
  const errors: string[] = [];
  let ignoreAggregatedRoles: boolean | undefined;
  let ignoreResourceStatusField: string | undefined;
  if (group === 'argoproj.io') {
    const own = isObject(appObject!.spec) && Array.isArray(appObject!.spec.ignoreDifferences) ? (appObject!.spec.ignoreDifferences as IgnoreDifference[]) : [];
    rules.push(...own);
    if (argoCm) {
      const s = argoSettingsOf(argoCm);
      rules.push(...s.rules);
      errors.push(...s.errors);
      ignoreAggregatedRoles = s.ignoreAggregatedRoles;
      ignoreResourceStatusField = s.ignoreResourceStatusField;
    }
  } else rules.push(...fluxIgnoreRulesOf(appObject));
  errors.push(...validateIgnoreRules(rules));
  return { rules, errors, ...(ignoreAggregatedRoles !== undefined ? { ignoreAggregatedRoles } : {}), ...(ignoreResourceStatusField !== undefined ? { ignoreResourceStatusField } : {}) };
}

/**
 * Argo CD's `argocd-cm` among objects (the live ones first, then the workspace's manifests): the ConfigMap of that
 * name carrying the `app.kubernetes.io/part-of: argocd` label, else any ConfigMap named `argocd-cm`.
 */
export function findArgoCm(...sources: Iterable<KubeObject>[]): KubeObject | undefined {
  for (const objects of sources) {
    let any: KubeObject | undefined;
    for (const o of objects) {
      if (o.kind !== 'ConfigMap' || o.metadata?.name !== 'argocd-cm' || (o.apiVersion ?? 'v1') !== 'v1') continue;
      if (o.metadata.labels?.['app.kubernetes.io/part-of'] === 'argocd') return o;
      any ??= o;
    }
    if (any) return any;
  }
  return undefined;
}
