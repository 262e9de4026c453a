// The editor's impact-preview port for the control flows (issue 15): before Sync, Resume auto-sync, Resume (Flux),
// Reconcile and End Breakglass, what the controller will change, from the drift snapshot the user is looking at.
import type { ObjectRef } from '../core/model';
import { refKey } from '../core/model';
import { previewImpact, type ImpactAction, type ImpactPreview } from '../core/forecast/impactPreview';
import type { DriftIndex } from './driftIndex';

export interface PreviewRequestLike {
  action: ImpactAction;
  target: { context: string; ref: ObjectRef; destinationContext?: string };
  resources?: ObjectRef[];
}

/** Undefined when the snapshot does not have the app, or when the action changes nothing (no prompt then). */
export function editorImpactPreview(index: () => DriftIndex, humanManagers: () => readonly string[], refresh?: () => Promise<void>): (req: PreviewRequestLike) => Promise<ImpactPreview | undefined> {
  return async (req) => {
    // The live state as of now, not as of the last watch event: the preview is what the action will change.
    await refresh?.();
    const key = refKey(req.target.ref);
    const found = index()
      .allApps()
      .find((a) => a.context === req.target.context && a.drift.liveApp && refKey({ group: req.target.ref.group, kind: a.drift.liveApp.kind, namespace: a.drift.liveApp.metadata.namespace ?? '', name: a.drift.liveApp.metadata.name ?? '' }) === key);
    if (!found) return undefined;
    const p = previewImpact({ action: req.action, drift: found.drift, resources: req.resources, humanManagers: humanManagers() });
    return p.items.length ? p : undefined;
  };
}
