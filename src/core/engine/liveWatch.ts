// Keeps a DriftEngine's live state current from watch events: one watch per (type, namespace) the engine could
// list, so a user whose RBAC stops at some namespaces watches those namespaces instead of being refused cluster-wide.
import type { DriftEngine, WatchScope } from './driftEngine';
import type { Disposable, KubeClient, WatchEvent } from '../kube/types';

export interface LiveWatchHandlers {
  /** Something a snapshot shows changed: re-run compute with reuseLive (it only re-diffs). */
  onChange(): void;
  /** A watch failed; it reconnects unless `willRetry` is false (forbidden, not found). */
  onError?(scope: WatchScope, error: Error, willRetry: boolean): void;
  /** Every event, after the engine applied it (`SYNC` after the first list and after each relist on 410 Gone). */
  onEvent?(scope: WatchScope, event: WatchEvent, changed: boolean): void;
}

/** Starts the watches `engine.watchTypes(context)` asks for (compute first); dispose() stops them all. */
export function watchLiveState(engine: DriftEngine, context: string, client: KubeClient, handlers: LiveWatchHandlers, scopes: WatchScope[] = engine.watchTypes(context)): Disposable {
  const watches = scopes.map((scope) =>
    client.watch(
      { group: scope.group, version: scope.version, kind: scope.kind },
      {
        namespace: scope.namespace,
        onEvent: (ev) => {
          const changed = ev.type === 'SYNC' ? engine.resyncLive(context, scope, ev.items) : engine.applyLiveEvent(context, ev.type, ev.object);
          if (changed) handlers.onChange();
          handlers.onEvent?.(scope, ev, changed);
        },
        onError: (e, willRetry) => handlers.onError?.(scope, e, willRetry),
      },
    ),
  );
  return {
    dispose() {
      for (const w of watches) w.dispose();
    },
  };
}
