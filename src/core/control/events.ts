// Audit trail in the cluster (issue 17.12): each control action leaves a core/v1 Event on the app it acted on,
// from component `gitops-drift`, naming who (cluster user, git identity second), why, the ticket and expiry, so
// `kubectl get events` / `kubectl describe` show it next to the controller's own events. Writing the event is best
// effort: a failure is logged and never fails the action that already happened.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../model';
import type { Clock } from '../ports';
import { systemClock } from '../ports';
import type { KubeClient } from '../kube/types';
import { CONTROL_FIELD_MANAGER } from './constants';
import { describeActor, type Actor } from './identity';

export const EVENT_COMPONENT = 'gitops-drift';

export type ControlEventReason = 'BreakglassStarted' | 'BreakglassEnded' | 'AutoSyncPaused' | 'AutoSyncResumed' | 'Suspended' | 'Resumed' | 'SyncRequested';

/** What an audited action passes on: who acts (events are written only when known) and where failures are told. */
export interface AuditOptions {
  actor?: Actor;
  log?(message: string): void;
  clock?: Clock;
}

/** The Event object (pure): named like client-go's recorder (`<object>.<hex time>`), plus a random suffix. */
export function buildControlEvent(app: KubeObject, reason: ControlEventReason, message: string, now: Date, action: string = reason): KubeObject {
  const ts = now.toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${app.metadata.name}.${(now.getTime() * 1_000_000).toString(16)}${randomBytes(2).toString('hex')}`, namespace: app.metadata.namespace ?? 'default' },
    involvedObject: {
      apiVersion: app.apiVersion,
      kind: app.kind,
      name: app.metadata.name,
      ...(app.metadata.namespace ? { namespace: app.metadata.namespace } : {}),
      ...(app.metadata.uid ? { uid: app.metadata.uid } : {}),
      ...(app.metadata.resourceVersion ? { resourceVersion: app.metadata.resourceVersion } : {}),
    },
    reason,
    message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
    type: 'Normal',
    action,
    source: { component: EVENT_COMPONENT },
    reportingComponent: EVENT_COMPONENT,
    reportingInstance: EVENT_COMPONENT,
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
  } as unknown as KubeObject;
}

/**
 * Writes the event when `audit.actor` is set (`message` gets ` by <actor>` appended); answers the stored event, or
 * undefined when none was written. Never throws: a failure goes to `audit.log`.
 */
export async function emitControlEvent(client: KubeClient, app: KubeObject, reason: ControlEventReason, message: string, audit: AuditOptions | undefined, signal?: AbortSignal): Promise<KubeObject | undefined> {
  if (!audit?.actor) return undefined;
  const event = buildControlEvent(app, reason, `${message} by ${describeActor(audit.actor)}`, (audit.clock ?? systemClock).now());
  try {
    const type = { group: '', version: 'v1', kind: 'Event' };
    const namespace = event.metadata.namespace as string;
    if (client.create) return await client.create(type, event, { namespace, fieldManager: CONTROL_FIELD_MANAGER, signal });
    // Without a create call, a server-side apply of a new name creates it.
    return await client.patch({ ...type, namespace, name: event.metadata.name as string }, event, { type: 'apply', fieldManager: CONTROL_FIELD_MANAGER, signal });
  } catch (e) {
    audit.log?.(`could not record event ${reason} on ${app.kind} ${app.metadata.namespace}/${app.metadata.name}: ${(e as Error).message ?? String(e)}`);
    return undefined;
  }
}
