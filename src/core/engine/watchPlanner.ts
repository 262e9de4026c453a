// Which watches keep a DriftEngine's live state current, and keeping exactly those running: every selected
// context plus the Argo CD destination clusters apps deploy to, each at the (type, namespace) scopes the last
// fetch could LIST. Watches restart only when that plan changes; a watch that stops for good (forbidden, not
// found) is recorded so the host can show that live updates of that type are off.
import type { Disposable, KubeClient } from '../kube/types';
import { isGitOpsError } from '../model';
import { silentLogger, type Logger } from '../ports';
import type { DriftEngine, WatchScope } from './driftEngine';
import { watchLiveState } from './liveWatch';

/** A watch that stopped for good (forbidden, not found): live updates for its type are off in that context. */
export interface WatchStop {
  /** "Secret in web", "Deployment". */
  type: string;
  /** Short reason for the description: "forbidden", "notFound". */
  reason: string;
  message: string;
}

export interface WatchPlan {
  context: string;
  scopes: WatchScope[];
}

/** The watches to run for `contexts` after a compute: those contexts and the destination clusters they deploy to. */
export function planWatches(engine: Pick<DriftEngine, 'destinationContexts' | 'watchTypes'>, contexts: string[]): WatchPlan[] {
  const all = [...new Set([...contexts, ...engine.destinationContexts()])];
  return all.map((context) => ({ context, scopes: engine.watchTypes(context) }));
}

function planKey(plan: WatchPlan[]): string {
  return JSON.stringify(plan.map((p) => [p.context, p.scopes.map((t) => `${t.group}/${t.kind}/${t.namespace ?? ''}`).sort()]));
}

export interface WatchPlannerOptions {
  clientFor(context: string): KubeClient;
  /** The held live state changed: re-diff (debounced by the caller). */
  onLiveChange(): void;
  /** The set of stopped watches changed. */
  onStopsChanged?(): void;
  log?: Logger;
}

export class WatchPlanner {
  private watches: Disposable[] = [];
  private key = '';
  private _stops = new Map<string, WatchStop[]>();
  /** Watches of the current plan that have not delivered their first full state yet. */
  private unsynced = new Set<string>();
  private readonly log: Logger;

  constructor(private readonly opts: WatchPlannerOptions) {
    this.log = opts.log ?? silentLogger;
  }

  /** Per context, the watches that stopped for good since they were last started. */
  get stops(): ReadonlyMap<string, readonly WatchStop[]> {
    return this._stops;
  }

  /** Starts the watches the engine's current state needs; returns false when the running ones already match. */
  ensure(engine: DriftEngine, contexts: string[]): boolean {
    const plan = planWatches(engine, contexts);
    const key = planKey(plan);
    if (key === this.key) return false;
    this.stop();
    this.key = key;
    for (const { context, scopes } of plan) {
      const keyOf = (t: WatchScope) => `${context}\u0000${t.group}/${t.kind}/${t.namespace ?? ''}`;
      for (const t of scopes) this.unsynced.add(keyOf(t));
      this.watches.push(
        watchLiveState(
          engine,
          context,
          this.opts.clientFor(context),
          {
            onChange: () => this.opts.onLiveChange(),
            onEvent: (type, ev) => {
              if (ev.type === 'SYNC') this.unsynced.delete(keyOf(type));
            },
            onError: (type, e, willRetry) => {
              const what = `${type.kind}${type.namespace ? ` in ${type.namespace}` : ''}`;
              this.log.warn(`watch ${what} on ${context}: ${e.message}${willRetry ? ' (reconnecting)' : ''}`);
              if (willRetry) return;
              this.unsynced.delete(keyOf(type));
              // Stopped for good (forbidden, not found): live updates of this type are off here.
              const stops = (this._stops.get(context) ?? []).filter((w) => w.type !== what);
              this._stops.set(context, [...stops, { type: what, reason: isGitOpsError(e) ? e.reason : 'stopped', message: e.message }]);
              this.opts.onStopsChanged?.();
            },
          },
          scopes,
        ),
      );
    }
    this.log.info(`watching ${plan.reduce((n, p) => n + p.scopes.length, 0)} resource types`);
    return true;
  }

  /** Every watch started has delivered its first full state (or stopped for good): live updates arrive from now on. */
  get synced(): boolean {
    return this.key !== '' && this.unsynced.size === 0;
  }

  stop(): void {
    for (const w of this.watches) w.dispose();
    this.watches = [];
    this.unsynced = new Set();
    this.key = '';
    if (this._stops.size) {
      this._stops = new Map();
      this.opts.onStopsChanged?.();
    }
  }
}
