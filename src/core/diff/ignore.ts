// Ignore rules applied to predicted and live after defaulting (N14–N16), and Flux's ssa annotation.
import type { KubeObject, ObjectRef } from '../model';
import { GitOpsError } from '../model';
import { ownedPathsOf, type FieldPath } from '../k8s/fieldsV1';
import { isObject } from '../k8s/json';
import { deepEquivalent, type EquivalenceContext } from './equivalence';
import { schemaPathOf } from './formatPath';
import { compileJqPath, deletePaths, evalJqPaths, type ConcretePath, type JqPathExpression } from './jqPath';
import type { IgnoreDifference } from './options';

function glob(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined || pattern === '*') return true;
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return re.test(value);
}

/** Argo matching: group/kind globs (omitted group = core), optional exact name and namespace; Flux targets add
 *  version and label / annotation selectors, matched against `obj` (the object as Git declares it). */
export function ruleMatches(rule: IgnoreDifference, ref: ObjectRef, obj?: KubeObject): boolean {
  if (!(glob(rule.group ?? '', ref.group) && glob(rule.kind, ref.kind) && (!rule.name || rule.name === ref.name) && (!rule.namespace || rule.namespace === ref.namespace))) return false;
  if (rule.version && obj && !(obj.apiVersion ?? '').endsWith(`/${rule.version}`) && obj.apiVersion !== rule.version) return false;
  if (rule.labelSelector && !selectorMatches(rule.labelSelector, obj?.metadata?.labels ?? {})) return false;
  if (rule.annotationSelector && !selectorMatches(rule.annotationSelector, obj?.metadata?.annotations ?? {})) return false;
  return true;
}

/** Kubernetes label selector syntax: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`, comma-separated. */
export function selectorMatches(selector: string, labels: Record<string, unknown>): boolean {
  const parts = selector.match(/(?:[^,(]+(?:\([^)]*\))?)+/g) ?? [];
  return parts.every((raw) => {
    const p = raw.trim();
    if (!p) return true;
    let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(p);
    if (m) {
      const values = m[3].split(',').map((v) => v.trim());
      const has = Object.hasOwn(labels, m[1]) && values.includes(String(labels[m[1]]));
      return m[2] === 'in' ? has : !has;
    }
    m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(p);
    if (m) return m[2] === '!=' ? String(labels[m[1]] ?? '\u0000') !== m[3] : Object.hasOwn(labels, m[1]) && String(labels[m[1]]) === m[3];
    if (p.startsWith('!')) return !Object.hasOwn(labels, p.slice(1).trim());
    return Object.hasOwn(labels, p);
  });
}

/** RFC 6901 pointer → path; `~1` is `/`, `~0` is `~`. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new GitOpsError('invalid', `Invalid JSON pointer "${pointer}": must start with "/"`);
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** N14: removes the pointed-to value; a missing path is silently fine (Argo behaviour). */
export function removeJsonPointer(obj: unknown, pointer: string): void {
  const parts = parseJsonPointer(pointer);
  if (parts.length === 0) return;
  let cur: unknown = obj;
  for (const p of parts.slice(0, -1)) cur = Array.isArray(cur) ? cur[Number(p)] : isObject(cur) ? cur[p] : undefined;
  const last = parts[parts.length - 1];
  if (Array.isArray(cur) && /^\d+$/.test(last) && Number(last) < cur.length) cur.splice(Number(last), 1);
  else if (isObject(cur)) delete cur[last];
}

const compiledJq = new Map<string, JqPathExpression | Error>();

/** N15: `del(<expr>)` for the supported jq subset (see jqPath.ts). Throws for an expression outside it. */
export function removeJqPath(obj: unknown, expr: string): void {
  let compiled = compiledJq.get(expr);
  if (!compiled) {
    try {
      compiled = compileJqPath(expr);
    } catch (e) {
      compiled = e as Error;
    }
    if (compiledJq.size > 1000) compiledJq.clear();
    compiledJq.set(expr, compiled);
  }
  if (compiled instanceof Error) throw compiled;
  deletePaths(obj, evalJqPaths(obj, compiled));
}

/** Resolves a managedFields path in an object to concrete JSON path segments (undefined when absent). */
export function resolveFieldPath(obj: unknown, path: FieldPath): ConcretePath | undefined {
  const out: ConcretePath = [];
  let cur = obj;
  for (const el of path) {
    if ('field' in el) {
      if (!isObject(cur) || !(el.field in cur)) return undefined;
      out.push(el.field);
      cur = cur[el.field];
    } else {
      if (!Array.isArray(cur)) return undefined;
      let i = -1;
      if ('index' in el) i = el.index < cur.length ? el.index : -1;
      else if ('value' in el) i = cur.findIndex((x) => JSON.stringify(x) === JSON.stringify(el.value));
      else
        i = cur.findIndex(
          (x) => isObject(x) && Object.entries(el.key).every(([k, v]) => x[k] === v || (x[k] === undefined && k === 'protocol' && v === 'TCP')),
        );
      if (i < 0) return undefined;
      out.push(i);
      cur = cur[i];
    }
  }
  return out;
}

/** The value a managedFields-style path names in `obj`, or undefined. */
export function valueAtFieldPath(obj: unknown, path: FieldPath): unknown {
  const p = resolveFieldPath(obj, path);
  return p ? valueAt(obj, p) : undefined;
}

function valueAt(obj: unknown, p: ConcretePath): unknown {
  let cur = obj;
  for (const s of p) cur = Array.isArray(cur) && typeof s === 'number' ? cur[s] : isObject(cur) ? cur[s as string] : undefined;
  return cur;
}

/**
 * N16: fields owned by a trusted manager (HPA replicas, injected caBundle) where predicted and live
 * differ are removed from both. Leaf paths are removed before their ancestors.
 */
export function removeTrustedManagerFields(predicted: KubeObject, live: KubeObject, rawLive: KubeObject, managers: string[], ctx: EquivalenceContext): void {
  if (managers.length === 0) return;
  const paths = ownedPathsOf(rawLive, (e) => managers.includes(e.manager ?? '')).sort((a, b) => b.length - a.length);
  for (const fp of paths) {
    const lp = resolveFieldPath(live, fp);
    const pp = resolveFieldPath(predicted, fp);
    if (!lp && !pp) continue;
    const lv = lp && valueAt(live, lp);
    const pv = pp && valueAt(predicted, pp);
    if (deepEquivalent(schemaPathOf(fp), pv, lv, ctx)) continue;
    if (pp) deletePaths(predicted, [pp]);
    if (lp) deletePaths(live, [lp]);
  }
}

/**
 * Applies every matching rule's pointers and jq expressions to `obj` in place. A pointer or expression that
 * cannot be used is skipped here (validateIgnoreRules reports it on the app): it must not turn the resource Unknown.
 */
export function applyIgnoreRules(obj: KubeObject, rules: IgnoreDifference[], ref: ObjectRef, declared?: KubeObject): void {
  for (const rule of rules) {
    if (!ruleMatches(rule, ref, declared ?? obj)) continue;
    for (const p of rule.jsonPointers ?? []) {
      try {
        removeJsonPointer(obj, p);
      } catch {
        // reported by validateIgnoreRules
      }
    }
    for (const e of rule.jqPathExpressions ?? []) {
      try {
        removeJqPath(obj, e);
      } catch {
        // reported by validateIgnoreRules
      }
    }
  }
}

export function trustedManagersFor(rules: IgnoreDifference[], ref: ObjectRef, declared?: KubeObject): string[] {
  return rules.filter((r) => ruleMatches(r, ref, declared)).flatMap((r) => r.managedFieldsManagers ?? []);
}

export const FLUX_SSA = 'kustomize.toolkit.fluxcd.io/ssa';

export const FLUX_RECONCILE = 'kustomize.toolkit.fluxcd.io/reconcile';

/**
 * Flux `ssa: Ignore` (never applied) / `IfNotPresent` (only created) / `reconcile: disabled`: the object is not
 * reconciled. (`ssa: Merge` is reconciled but keeps other managers' fields: see fluxMerges.)
 */
export function fluxSsaPolicy(...objs: Array<KubeObject | undefined>): 'Ignore' | 'IfNotPresent' | 'reconcile: disabled' | undefined {
  for (const o of objs) {
    const a = o?.metadata?.annotations;
    const v = a?.[FLUX_SSA];
    if (v === 'Ignore' || v === 'IfNotPresent') return v;
    if (a?.[FLUX_RECONCILE] === 'disabled') return 'reconcile: disabled';
  }
  return undefined;
}

/** Flux `ssa: Merge`: the controller applies without removing fields other managers (kubectl …) set. */
export function fluxMerges(...objs: Array<KubeObject | undefined>): boolean {
  return objs.some((o) => o?.metadata?.annotations?.[FLUX_SSA] === 'Merge');
}
