// Memory (issue 16 item 6): a held live object keeps only what the diff reads. The last-applied annotation (a
// second copy of the object as kubectl applied it, often the largest field) is read for one thing: the ownership
// set when managedFields has no Apply entry of the app's applier (diff/ownership.ts). Where managedFields answers,
// the annotation is dropped from the held copy; where it does not (client-side apply), it is kept. managedFields
// stay: attribution ("who changed") and ownership are recomputed whenever Git or live changes.
import type { KubeObject } from '../model';
import { detectApplier } from '../diff/ownership';
import { LAST_APPLIED } from '../diff/rules';

/** Whether ownershipOf(live, { manager }) falls back to the last-applied annotation. */
export function readsLastApplied(live: KubeObject, manager: string | undefined): boolean {
  const applier = detectApplier(live, manager);
  return !applier || !(live.metadata.managedFields ?? []).some((e) => !e.subresource && e.manager === applier && e.operation === 'Apply');
}

/**
 * `live` without the last-applied annotation when no diff of it with these managers (the appliers of the apps
 * holding it; undefined = detected from managedFields) reads it; else `live` itself. Never changes `live`.
 */
export function withoutUnreadLastApplied(live: KubeObject, managers: Iterable<string | undefined>): KubeObject {
  const annotations = live.metadata?.annotations;
  if (!annotations || typeof annotations[LAST_APPLIED] !== 'string') return live;
  for (const m of managers) if (readsLastApplied(live, m)) return live;
  const { [LAST_APPLIED]: _dropped, ...rest } = annotations;
  const metadata = { ...live.metadata };
  if (Object.keys(rest).length) metadata.annotations = rest;
  else delete metadata.annotations;
  return { ...live, metadata };
}
