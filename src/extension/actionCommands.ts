// Commands that change things: capture into Git, Argo CD / Flux controls and the guided breakglass. A thin adapter
// over the workflow layer (src/core/flows): it resolves what the command acts on (the tree node or link it was
// invoked on, the resource in the active editor, or a picker), runs the flow with the editor's Prompter, shows the
// result and refreshes. Command arguments only name the target: every question is asked (issue 17.2).
import * as vscode from 'vscode';
import type { AppDrift } from '../core/engine/driftTypes';
import { controlRefOfApp, FLUX_KINDS, fluxRef } from '../core/control';
import { fluxObjectDrift } from '../core/control/fluxObjectDrift';
import {
  breakglassEndFlow,
  breakglassStartFlow,
  humanEditsToCapture,
  isCancelled,
  pauseFlow,
  reconcileFlow,
  refreshFlow,
  resumeFlow,
  syncFlow,
  terminateFlow,
  type FlowDeps,
  type FlowTarget,
  type PauseKind,
  type ResumeKind,
} from '../core/flows';
import type { ObjectRef } from '../core/model';
import { GitOpsError } from '../core/model';
import type { CommandId } from './commandIds';
import type { DriftSession } from './driftSession';
import { captureLive, captureOne } from './captureCommand';
import { vscodeFlowDeps } from './vscodePrompter';
import { editorImpactPreview } from './impactPreviewProvider';
import { captureFirstInEditor } from './captureFirst';
import { appFromArg, pickApp, pickResource, resourceFromArg, resourceInView } from './viewCommands';

export interface ActionDeps {
  session: DriftSession;
  log: vscode.LogOutputChannel;
  context: vscode.ExtensionContext;
}

type ActionId = Exclude<
  CommandId,
  | 'gitopsDrift.refresh'
  | 'gitopsDrift.selectContexts'
  | 'gitopsDrift.toggleDriftedOnly'
  | 'gitopsDrift.findResource'
  | 'gitopsDrift.filterNamespace'
  | 'gitopsDrift.openDiff'
  | 'gitopsDrift.openLive'
  | 'gitopsDrift.revealSource'
  | 'gitopsDrift.showOutput'
>;

interface Located {
  context: string;
  drift: AppDrift;
}

const FLUX_OTHER_KINDS = ['HelmRelease', 'GitRepository', 'OCIRepository', 'HelmRepository', 'Bucket'];

export function createActionCommands(deps: ActionDeps): Record<ActionId, (arg?: unknown) => unknown> {
  const { session, log } = deps;
  // The impact preview (issue 15) before sync / resume / reconcile / breakglass end; "Capture These First" captures.
  const flowDeps = (): FlowDeps => ({ ...vscodeFlowDeps(log, session.settings.productionContextPattern), preview: editorImpactPreview(() => session.index, () => session.settings.humanFieldManagers, () => session.refresh({ quiet: true })), captureFirst: captureFirstInEditor(session) });

  const flowTarget = (context: string, drift: AppDrift, ref: ObjectRef = controlRefOfApp(drift.app)): FlowTarget => ({
    client: session.client(context),
    context,
    ref,
    name: drift.app.name,
    destinationContext: drift.liveContext,
    appObject: drift.liveApp ?? drift.app.definition,
  });

  /** A Flux object named directly (`{context, ref}` with a Flux kind), e.g. a HelmRelease or GitRepository. */
  async function fluxObjectTarget(context: string, ref: ObjectRef): Promise<FlowTarget> {
    const r = fluxRef(ref.kind, ref.namespace, ref.name);
    const obj = await session.client(context).get(r);
    return flowTarget(context, fluxObjectDrift(obj, ref.kind), r);
  }

  /** The palette's Flux picker: the Kustomizations in the tree plus HelmReleases and sources from the clusters. */
  async function pickFluxTarget(title: string): Promise<FlowTarget | undefined> {
    const items: { label: string; description: string; t: () => FlowTarget }[] = session.index
      .allApps()
      .filter((a) => a.drift.state.controller === 'flux')
      .map((a) => ({ label: a.drift.app.name, description: `Kustomization · ${a.drift.app.namespace ?? ''} · ${a.context}`, t: () => flowTarget(a.context, a.drift) }));
    await Promise.all(
      session.contexts().flatMap((context) =>
        FLUX_OTHER_KINDS.map(async (kind) => {
          try {
            const { items: objs } = await session.client(context).list({ group: FLUX_KINDS[kind].group, kind });
            for (const o of objs) items.push({ label: o.metadata.name ?? '', description: `${kind} · ${o.metadata.namespace ?? ''} · ${context}`, t: () => flowTarget(context, fluxObjectDrift(o, kind), fluxRef(kind, o.metadata.namespace ?? '', o.metadata.name ?? '')) });
          } catch {
            // a kind this cluster does not serve
          }
        }),
      ),
    );
    if (!items.length) {
      void vscode.window.showInformationMessage('No Flux objects in the selected clusters.');
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { title, matchOnDescription: true }))?.t();
  }

  /** The app a command acts on: the node or link it was invoked on, the app of the resource in view, or a pick. */
  async function locateApp(arg: unknown, filter: (d: AppDrift) => boolean, title: string): Promise<Located | undefined> {
    const given = arg && typeof arg === 'object';
    const resolved = appFromArg(session, arg);
    // A link or node that no longer matches an app (a newer snapshot replaced it) must not act on another app.
    if (given && !resolved) throw new GitOpsError('notFound', 'That app is not in the drift view any more; refresh and try again');
    if (resolved) return resolved;
    const inView = resourceInView(session);
    if (inView && filter(inView.drift)) return inView;
    return pickApp(session, filter, title);
  }

  async function target(arg: unknown, controller: 'argo' | 'flux', title: string): Promise<FlowTarget | undefined> {
    const direct = arg as Partial<{ context: string; ref: ObjectRef; appId: string }> | undefined;
    if (controller === 'flux' && direct?.context && direct.ref && !direct.appId && FLUX_KINDS[direct.ref.kind]) return fluxObjectTarget(direct.context, direct.ref);
    // A tree row or link naming an app that is gone must not turn into "which app?" (nor act on another one).
    if (controller === 'flux' && direct && ((direct as { type?: unknown }).type !== undefined || direct.appId) && !appFromArg(session, arg)) {
      throw new GitOpsError('notFound', 'That app is not in the drift view any more; refresh and try again');
    }
    if (controller === 'flux' && !appFromArg(session, arg)) {
      const inView = resourceInView(session);
      if (!(arg && typeof arg === 'object') && inView?.drift.state.controller === 'flux') return flowTarget(inView.context, inView.drift);
      return pickFluxTarget(title);
    }
    const a = await locateApp(arg, (d) => d.state.controller === controller, title);
    if (!a) return undefined;
    if (a.drift.state.controller !== controller) {
      throw new GitOpsError('unsupported', `${a.drift.app.name} is not ${controller === 'argo' ? 'an Argo CD Application' : 'a Flux Kustomization'} in ${a.context}`);
    }
    return flowTarget(a.context, a.drift);
  }

  /** Shows a flow's result (errors with "Open Output"), logs its details and refreshes the view. */
  async function finish<R extends { ok: boolean; summary: string; details?: string[]; compareUrl?: string }>(result: R | { cancelled: true; why?: string }, refresh = true): Promise<typeof result> {
    if (isCancelled(result)) {
      if (result.why) log.info(`cancelled: ${result.why}`);
      return result;
    }
    log.info(result.summary);
    for (const d of result.details ?? []) log.info(d);
    const compareUrl = result.compareUrl;
    if (result.ok && compareUrl) {
      void vscode.window.showInformationMessage(result.summary, 'Open Pull Request').then((p) => p && vscode.env.openExternal(vscode.Uri.parse(compareUrl)));
    } else if (result.ok) void vscode.window.showInformationMessage(result.summary);
    else void vscode.window.showErrorMessage(result.summary, 'Open Output').then((p) => p && log.show(true));
    if (refresh) await session.refresh({ quiet: true });
    return result;
  }

  async function sync(arg: unknown, resources?: ObjectRef[]) {
    const t = await target(arg, 'argo', 'Sync which app?');
    if (!t) return undefined;
    return finish(await syncFlow(flowDeps(), { target: t, resources }));
  }

  const pause = (kind: PauseKind, controller: 'argo' | 'flux', verb: string) => async (arg: unknown) => {
    const t = await target(arg, controller, `${verb} which app?`);
    return t ? finish(await pauseFlow(flowDeps(), { target: t, kind })) : undefined;
  };
  const resume = (kind: ResumeKind, controller: 'argo' | 'flux', verb: string) => async (arg: unknown) => {
    const t = await target(arg, controller, `${verb} which app?`);
    return t ? finish(await resumeFlow(flowDeps(), { target: t, kind })) : undefined;
  };
  const reconcile = (withSource: boolean) => async (arg: unknown) => {
    const t = await target(arg, 'flux', `${withSource ? 'Reconcile with source' : 'Reconcile'} which app?`);
    return t ? finish(await reconcileFlow(flowDeps(), { target: t, withSource })) : undefined;
  };

  async function breakglassStart(arg: unknown) {
    const a = await locateApp(arg, (d) => d.state.controller !== 'none', 'Start breakglass on which app?');
    if (!a) return undefined;
    if (a.drift.state.controller === 'none') throw new GitOpsError('unsupported', `${a.drift.app.name} is not managed by Argo CD or Flux: there is nothing to pause`);
    return finish(await breakglassStartFlow(flowDeps(), { target: flowTarget(a.context, a.drift), defaultExpiry: session.settings.breakglassDefaultExpiry }));
  }

  async function breakglassEnd(arg: unknown) {
    const a = await locateApp(arg, (d) => !!d.state.breakglass?.active, 'End breakglass on which app?');
    if (!a) return undefined;
    const result = await breakglassEndFlow(flowDeps(), {
      target: flowTarget(a.context, a.drift),
      ports: {
        async pending() {
          // Refresh first: the edits made during the breakglass must be in the diff we capture from.
          await session.refresh({ quiet: true });
          const fresh = session.index.app(a.context, a.drift.app.id)?.drift ?? a.drift;
          return humanEditsToCapture(fresh.resources, session.settings.humanFieldManagers);
        },
        async capture(diff, { first }) {
          const fresh = session.index.app(a.context, a.drift.app.id)?.drift ?? a.drift;
          const outcome = await captureOne(session, log, { context: a.context, drift: fresh, diff, stack: !first, quiet: true });
          return outcome && !isCancelled(outcome) && outcome.result ? { commit: outcome.result.commit, branch: outcome.result.branch, compareUrl: outcome.result.compareUrl } : undefined;
        },
      },
    });
    return finish(result);
  }

  return {
    'gitopsDrift.captureLive': (arg) => captureLive(session, log, arg),
    'gitopsDrift.sync': (arg) => sync(arg),
    'gitopsDrift.syncResource': async (arg) => {
      const r = resourceFromArg(session, arg) ?? (arg === undefined ? (resourceInView(session) ?? (await pickResource(session, { title: 'Sync which resource?' }))) : undefined);
      if (!r) return undefined;
      return sync({ context: r.context, appId: r.drift.app.id }, [r.diff.ref]);
    },
    'gitopsDrift.refreshApp': async (arg) => {
      const t = await target(arg, 'argo', 'Refresh which app?');
      return t ? finish(await refreshFlow(flowDeps(), { target: t }), true) : undefined;
    },
    'gitopsDrift.hardRefreshApp': async (arg) => {
      const t = await target(arg, 'argo', 'Hard refresh which app?');
      return t ? finish(await refreshFlow(flowDeps(), { target: t, hard: true }), true) : undefined;
    },
    'gitopsDrift.terminateOperation': async (arg) => {
      const t = await target(arg, 'argo', 'Terminate which app?');
      return t ? finish(await terminateFlow(flowDeps(), { target: t })) : undefined;
    },
    'gitopsDrift.pauseAutoSync': pause('auto-sync', 'argo', 'Pause auto-sync'),
    'gitopsDrift.resumeAutoSync': resume('auto-sync', 'argo', 'Resume auto-sync'),
    'gitopsDrift.skipReconcileOn': pause('skip-reconcile', 'argo', 'Skip reconcile'),
    'gitopsDrift.skipReconcileOff': resume('skip-reconcile', 'argo', 'Skip reconcile off'),
    'gitopsDrift.reconcile': reconcile(false),
    'gitopsDrift.reconcileWithSource': reconcile(true),
    'gitopsDrift.suspend': pause('flux-suspend', 'flux', 'Suspend'),
    'gitopsDrift.resume': resume('flux', 'flux', 'Resume'),
    'gitopsDrift.breakglassStart': (arg) => breakglassStart(arg),
    'gitopsDrift.breakglassEnd': (arg) => breakglassEnd(arg),
  };
}
