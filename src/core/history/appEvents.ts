// The Events of an app object (its namespace's core/v1 Events whose involvedObject is the app), for the timeline.
import type { KubeClient } from '../kube/types';
import type { KubeObject } from '../model';

/** Lists the namespace's Events and keeps the app's (matched by uid, else kind and name): selectors differ by server. */
export async function appEvents(client: KubeClient, app: KubeObject, signal?: AbortSignal): Promise<KubeObject[]> {
  const ns = app.metadata.namespace;
  const list = await client.list({ group: '', version: 'v1', kind: 'Event' }, { namespace: ns, signal });
  const uid = app.metadata.uid;
  return list.items.filter((e) => {
    const io = (e as { involvedObject?: { uid?: string; kind?: string; name?: string } }).involvedObject;
    if (!io) return false;
    if (uid && io.uid) return io.uid === uid;
    return io.kind === app.kind && io.name === app.metadata.name;
  });
}
