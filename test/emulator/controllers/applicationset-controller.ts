// Minimal ApplicationSet controller (list generator): creates the generated Applications with an
// ownerReference and merge-patches any edit of their spec, labels or annotations back to the template.
import type { KubeObject } from '../../../src/core/model';
import { type ControllerContext, errorMessage } from './controller-context';
import { MERGE_PATCH } from './kube-rest';
import { createMergePatch, isPlainObject } from './object-compare';

const API = 'argoproj.io/v1alpha1';
export const APPSET_REFRESH = 'argocd.argoproj.io/application-set-refresh';
/** Keys the real controller never overwrites (applicationset/utils/createOrUpdate.go). */
const PRESERVED_ANNOTATIONS = ['notified.notifications.argoproj.io', 'argocd.argoproj.io/refresh', 'argocd.argoproj.io/hydrate'];

/** Substitutes `{{key}}` / `{{ .key }}` (nested keys with dots) in every string of the template. */
export function renderTemplate(template: unknown, params: Record<string, unknown>): unknown {
  if (typeof template === 'string')
    return template.replace(/\{\{\s*\.?([\w.-]+)\s*\}\}/g, (m, key: string) => {
      const v = key.split('.').reduce<unknown>((o, k) => (isPlainObject(o) ? o[k] : undefined), params);
      return v === undefined ? m : String(v);
    });
  if (Array.isArray(template)) return template.map((t) => renderTemplate(t, params));
  if (isPlainObject(template)) return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderTemplate(v, params)]));
  return template;
}

function getPointer(obj: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((o, k) => (isPlainObject(o) ? o[k] : undefined), obj);
}

function setPointer(obj: Record<string, any>, pointer: string, value: unknown): void {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let o = obj;
  for (const p of parts.slice(0, -1)) o = isPlainObject(o[p]) ? o[p] : (o[p] = {});
  if (value === undefined) delete o[parts[parts.length - 1]];
  else o[parts[parts.length - 1]] = value;
}

export class ApplicationSetController {
  constructor(private readonly ctx: ControllerContext) {}

  async tick(signal: AbortSignal): Promise<void> {
    const sets = await this.ctx.rest.list(API, 'ApplicationSet', undefined, signal);
    for (const set of sets) {
      if (signal.aborted) return;
      try {
        await this.reconcileSet(set, signal);
      } catch (e) {
        if (!signal.aborted) this.ctx.log(`applicationset: ${set.metadata.name}: ${errorMessage(e)}`);
      }
    }
  }

  private async reconcileSet(set: KubeObject, signal: AbortSignal): Promise<void> {
    const spec = (set.spec ?? {}) as any;
    const elements: Record<string, unknown>[] = (spec.generators ?? []).flatMap((g: any) => g.list?.elements ?? []);
    const ns = set.metadata.namespace ?? this.ctx.argoNamespace;
    const generatedNames = new Set<string>();
    for (const params of elements) {
      const generated = renderTemplate(spec.template ?? {}, params) as any;
      const name: string = generated.metadata?.name;
      if (!name) throw new Error('template produces an Application without a name');
      generatedNames.add(name);
      const desired: KubeObject = {
        apiVersion: API,
        kind: 'Application',
        metadata: {
          name,
          namespace: ns,
          labels: generated.metadata?.labels,
          annotations: generated.metadata?.annotations,
          finalizers: generated.metadata?.finalizers,
          ownerReferences: [{ apiVersion: API, kind: 'ApplicationSet', name: set.metadata.name, uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: generated.spec,
      };
      await this.createOrUpdate(set, desired, signal);
    }
    // `argocd appset` refresh: handled by this pass, so the annotation is removed.
    if (set.metadata.annotations?.[APPSET_REFRESH] !== undefined)
      await this.ctx.rest.call('PATCH', await this.ctx.rest.objectPath(set, signal), { body: { metadata: { annotations: { [APPSET_REFRESH]: null } } }, contentType: MERGE_PATCH, signal });
    // Applications this set owns but no longer generates are deleted (policy sync, the default).
    if (['create-only', 'create-update'].includes(spec.syncPolicy?.applicationsSync)) return;
    for (const a of await this.ctx.rest.list(API, 'Application', ns, signal)) {
      const owned = (a.metadata.ownerReferences as any[] | undefined)?.some((o) => o.kind === 'ApplicationSet' && o.uid === set.metadata.uid);
      if (owned && !generatedNames.has(a.metadata.name!)) {
        await this.ctx.rest.call('DELETE', await this.ctx.rest.objectPath(a, signal), { signal });
        this.ctx.log(`applicationset: ${set.metadata.name}: deleted Application ${a.metadata.name} (no longer generated)`);
      }
    }
  }

  private async createOrUpdate(set: KubeObject, desired: KubeObject, signal: AbortSignal): Promise<void> {
    const rest = this.ctx.rest;
    const path = await rest.objectPath(desired, signal);
    const live = await rest.getOrUndefined(path, signal);
    if (!live) {
      await rest.call('POST', (await rest.collectionPath(API, 'Application', desired.metadata.namespace, signal))!, { body: JSON.parse(JSON.stringify(desired)), signal });
      this.ctx.log(`applicationset: ${set.metadata.name}: created Application ${desired.metadata.name}`);
      return;
    }
    const spec = (set.spec ?? {}) as any;
    const preserved = [...PRESERVED_ANNOTATIONS, ...(spec.preservedFields?.annotations ?? [])];
    const annotations: Record<string, string> = { ...(desired.metadata.annotations ?? {}) };
    for (const k of preserved) if (live.metadata.annotations?.[k] !== undefined) annotations[k] = live.metadata.annotations[k];
    const labels: Record<string, string> = { ...(desired.metadata.labels ?? {}) };
    for (const k of spec.preservedFields?.labels ?? []) if (live.metadata.labels?.[k] !== undefined) labels[k] = live.metadata.labels[k];
    const target: Record<string, any> = {
      metadata: { labels, annotations, ownerReferences: desired.metadata.ownerReferences, finalizers: desired.metadata.finalizers },
      spec: desired.spec,
    };
    // ignoreApplicationDifferences: keep the live value at those pointers.
    for (const rule of spec.ignoreApplicationDifferences ?? []) {
      if (rule.name && rule.name !== desired.metadata.name) continue;
      for (const p of rule.jsonPointers ?? []) setPointer(target, p, structuredClone(getPointer(live, p)));
    }
    const current = {
      metadata: { labels: live.metadata.labels ?? {}, annotations: live.metadata.annotations ?? {}, ownerReferences: live.metadata.ownerReferences, finalizers: live.metadata.finalizers },
      spec: live.spec,
    };
    const patch = createMergePatch(JSON.parse(JSON.stringify(current)), JSON.parse(JSON.stringify(target)));
    if (patch === undefined) return;
    await rest.call('PATCH', path, { body: patch, contentType: MERGE_PATCH, signal });
    this.ctx.log(`applicationset: ${set.metadata.name}: reverted an edit of Application ${desired.metadata.name}${process.env.SIM_DEBUG ? JSON.stringify(patch) : ""}`);
  }
}
