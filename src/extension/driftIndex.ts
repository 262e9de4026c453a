// Lookup of the latest drift snapshot by source file and by resource, shared by decorations, hover, CodeLens
// and commands. Rebuilt once per snapshot.
import type { AppDrift, DriftSnapshot } from '../core/engine/driftTypes';
import type { ObjectRef, ResourceDiff } from '../core/model';
import { refKey } from '../core/model';

export interface IndexedResource {
  context: string;
  drift: AppDrift;
  diff: ResourceDiff;
}

/** What command links and tree nodes pass around: JSON-safe, survives a new snapshot. */
export interface ResourceLocator {
  context: string;
  appId: string;
  ref: ObjectRef;
}

export function locatorOf(r: IndexedResource): ResourceLocator {
  return { context: r.context, appId: r.drift.app.id, ref: r.diff.ref };
}

export class DriftIndex {
  private byFile = new Map<string, IndexedResource[]>();
  private byKey = new Map<string, IndexedResource>();
  private apps = new Map<string, { context: string; drift: AppDrift }>();

  constructor(readonly snapshot?: DriftSnapshot) {
    for (const c of snapshot?.clusters ?? []) {
      for (const drift of c.apps) {
        this.apps.set(`${c.context}\u0000${drift.app.id}`, { context: c.context, drift });
        for (const diff of drift.resources) {
          const entry = { context: c.context, drift, diff };
          this.byKey.set(`${c.context}\u0000${drift.app.id}\u0000${refKey(diff.ref)}`, entry);
          if (!this.byKey.has(`${c.context}\u0000*\u0000${refKey(diff.ref)}`)) this.byKey.set(`${c.context}\u0000*\u0000${refKey(diff.ref)}`, entry);
          if (diff.source) {
            const list = this.byFile.get(diff.source.file) ?? [];
            list.push(entry);
            this.byFile.set(diff.source.file, list);
          }
        }
      }
    }
  }

  forFile(file: string): IndexedResource[] {
    return this.byFile.get(file) ?? [];
  }

  /** `appId: '*'` finds the resource in whichever app has it; a named app must still have it (no guessing). */
  resource(loc: ResourceLocator): IndexedResource | undefined {
    return this.byKey.get(`${loc.context}\u0000${loc.appId}\u0000${refKey(loc.ref)}`);
  }

  app(context: string, appId: string): { context: string; drift: AppDrift } | undefined {
    return this.apps.get(`${context}\u0000${appId}`);
  }

  allApps(): { context: string; drift: AppDrift }[] {
    return [...this.apps.values()];
  }

  allResources(): IndexedResource[] {
    return [...this.byKey.entries()].filter(([k]) => !k.includes('\u0000*\u0000')).map(([, v]) => v);
  }

  driftedCount(): number {
    return this.allResources().filter((r) => r.diff.status !== 'Synced').length;
  }
}
