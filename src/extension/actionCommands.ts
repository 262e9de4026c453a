// Commands that change things: capture into Git, Argo CD / Flux controls and the guided breakglass.
// Every command works from the tree, from hover/CodeLens links and from the palette (with a picker). A second
// argument of options answers the prompts, for tests and keybindings.
import * as vscode from 'vscode';
import type { AppDrift } from '../core/engine/driftTypes';
import {
  controlRefOfApp,
  describeActor,
  detectUser,
  FLUX_KINDS,
  fluxRef,
  endBreakglass,
  pauseAutoSync,
  pauseWarnings,
  reconcileFlux,
  resolveActor,
  refreshApplication,
  resumeAutoSync,
  resumeFlux,
  setSkipReconcile,
  startBreakglass,
  suspendFlux,
  syncApplication,
  terminateOperation,
  waitForOperation,
  productionGuard,
  actionNeedsGuard,
  type ControlAction,
  describeProduction,
  parseTimeSpan,
  type Actor,
  type OperationOutcome,
  type PauseAction,
  type PauseWarning,
} from '../core/control';
import { fluxObjectDrift } from '../core/control/fluxObjectDrift';
import { preselectChanges } from '../core/capture/preselect';
import type { KubeObject, ObjectRef } from '../core/model';
import { GitOpsError } from '../core/model';
import { nodeProcessRunner } from '../core/ports';
import type { CommandId } from './commandIds';
import type { DriftSession } from './driftSession';
import { captureLive, type CaptureOptions } from './captureCommand';
import { toAbortSignal } from './errors';
import { appFromArg, pickApp, resourceFromArg } from './viewCommands';

export interface ActionDeps {
  session: DriftSession;
  log: vscode.LogOutputChannel;
  context: vscode.ExtensionContext;
}

/** Answers to prompts (tests, scripts). */
export interface ActionOptions extends CaptureOptions {
  /** The typed confirmation for production contexts (the app name). */
  confirm?: string;
  prune?: boolean;
  dryRun?: boolean;
  /** Pause anyway despite warnings, and (breakglass) also pause parents: 'parents' | 'anyway'. */
  onWarnings?: 'anyway' | 'parents' | 'cancel';
  reason?: string;
  ticket?: string;
  /** Breakglass expiry, e.g. 30m, 1h, 4h. */
  expires?: string;
  /** End breakglass: resume the app (default true) and capture live changes first (default true). */
  resume?: boolean;
  capture?: boolean;
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

interface Target {
  context: string;
  drift: AppDrift;
  ref: ObjectRef;
}

const FLUX_OTHER_KINDS = ['HelmRelease', 'GitRepository', 'OCIRepository', 'HelmRepository', 'Bucket'];



export function createActionCommands(deps: ActionDeps): Record<ActionId, (arg?: unknown, opts?: ActionOptions) => unknown> {
  const { session, log } = deps;
  const workspaceRoot = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

  /** A Flux object named directly (`{context, ref}` with a Flux kind), e.g. a HelmRelease or GitRepository. */
  async function fluxObjectTarget(context: string, ref: ObjectRef): Promise<Target> {
    const r = fluxRef(ref.kind, ref.namespace, ref.name);
    const obj = await session.client(context).get(r);
    return { context, ref: r, drift: fluxObjectDrift(obj, ref.kind) };
  }

  /** The palette's Flux picker: the Kustomizations in the tree plus HelmReleases and sources from the clusters. */
  async function pickFluxTarget(title: string): Promise<Target | undefined> {
    const items: { label: string; description: string; t: Target }[] = session.index
      .allApps()
      .filter((a) => a.drift.state.controller === 'flux')
      .map((a) => ({ label: a.drift.app.name, description: `Kustomization · ${a.drift.app.namespace ?? ''} · ${a.context}`, t: { context: a.context, drift: a.drift, ref: controlRefOfApp(a.drift.app) } }));
    await Promise.all(
      session.contexts().flatMap((context) =>
        FLUX_OTHER_KINDS.map(async (kind) => {
          try {
            const { items: objs } = await session.client(context).list({ group: FLUX_KINDS[kind].group, kind });
            for (const o of objs) items.push({ label: o.metadata.name ?? '', description: `${kind} · ${o.metadata.namespace ?? ''} · ${context}`, t: { context, ref: fluxRef(kind, o.metadata.namespace ?? '', o.metadata.name ?? ''), drift: fluxObjectDrift(o, kind) } });
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
    return (await vscode.window.showQuickPick(items, { title, matchOnDescription: true }))?.t;
  }

  async function target(arg: unknown, controller: 'argo' | 'flux', title: string): Promise<Target | undefined> {
    const direct = arg as Partial<{ context: string; ref: ObjectRef; appId: string }> | undefined;
    if (controller === 'flux' && direct?.context && direct.ref && !direct.appId && FLUX_KINDS[direct.ref.kind]) return fluxObjectTarget(direct.context, direct.ref);
    if (controller === 'flux' && !appFromArg(session, arg)) return pickFluxTarget(title);
    const given = arg && typeof arg === 'object';
    const resolved = appFromArg(session, arg);
    // A link or node that no longer matches an app (a newer snapshot replaced it) must not act on another app.
    if (given && !resolved) throw new GitOpsError('notFound', 'That app is not in the drift view any more; refresh and try again');
    const a = resolved ?? (await pickApp(session, (d) => d.state.controller === controller, title));
    if (!a) return undefined;
    if (a.drift.state.controller !== controller) {
      throw new GitOpsError('unsupported', `${a.drift.app.name} is not ${controller === 'argo' ? 'an Argo CD Application' : 'a Flux Kustomization'} in ${a.context}`);
    }
    return { context: a.context, drift: a.drift, ref: controlRefOfApp(a.drift.app) };
  }

  /** Production contexts: destructive actions need the app name typed. */
  async function guard(t: Target, action: string, opts: ActionOptions): Promise<boolean> {
    // The destination cluster counts too: an app listed in `mgmt` may deploy to `prod-eu`.
    const decision = productionGuard({ context: t.context, destinationContext: t.drift.liveContext, appObject: t.drift.liveApp ?? t.drift.app.definition }, session.settings.productionContextPattern);
    if (!decision.confirm) return true;
    const name = t.drift.app.name;
    const typed =
      opts.confirm ??
      (await vscode.window.showInputBox({
        title: `${action} on ${describeProduction(decision)}`,
        prompt: `Type the app name "${name}" to confirm`,
        placeHolder: name,
        ignoreFocusOut: true,
        validateInput: (v) => (v === name || v === '' ? undefined : `Type exactly ${name}`),
      }));
    if (typed !== name) {
      if (typed !== undefined) void vscode.window.showWarningMessage(`${action} cancelled: the confirmation did not match ${name}.`);
      return false;
    }
    return true;
  }

  /** Explains warnings (ApplicationSet, parent apps); returns the parents to pause too, or undefined to stop. */
  async function handleWarnings(t: Target, warnings: PauseWarning[], opts: ActionOptions): Promise<ObjectRef[] | undefined> {
    if (!warnings.length) return [];
    for (const w of warnings) log.warn(`${t.drift.app.name}: ${w.message}${w.route ? ` — ${w.route}` : ''}`);
    const parents = warnings.filter((w) => w.parent && w.code !== 'applicationset-owned').map((w) => w.parent!);
    let choice = opts.onWarnings;
    if (!choice) {
      const buttons = [...(parents.length ? ['Pause Parent Too'] : []), 'Pause Anyway'];
      const pick = await vscode.window.showWarningMessage(
        `Pausing ${t.drift.app.name} may be undone`,
        { modal: true, detail: warnings.map((w) => `• ${w.message}${w.route ? `\n  ${w.route}` : ''}`).join('\n\n') },
        ...buttons,
      );
      choice = pick === 'Pause Parent Too' ? 'parents' : pick === 'Pause Anyway' ? 'anyway' : 'cancel';
    }
    if (choice === 'cancel') return undefined;
    return choice === 'parents' ? parents : [];
  }

  /** Who acts on this context: the cluster user (SelfSubjectReview), git identity second; never fails. */
  const warn = (m: string) => log.warn(m);

  async function actorFor(context: string, signal?: AbortSignal): Promise<Actor> {
    const gitUser = await detectUser(nodeProcessRunner, { cwd: workspaceRoot() });
    return resolveActor(session.client(context), { gitUser, signal, log: (m) => log.warn(m) });
  }

  async function pauseParents(t: Target, parents: ObjectRef[], signal: AbortSignal): Promise<void> {
    const client = session.client(t.context);
    const actor = parents.length ? await actorFor(t.context, signal) : undefined;
    for (const p of parents) {
      if (p.kind === 'Application') await pauseAutoSync(client, p, { signal, actor, log: warn });
      else await suspendFlux(client, p, signal, { actor, log: warn });
      log.info(`paused parent ${p.kind} ${p.namespace}/${p.name}`);
    }
  }

  function reportOperation(t: Target, outcome: OperationOutcome): void {
    const head = `${t.drift.app.name}: sync ${outcome.phase}${outcome.message ? ` — ${outcome.message}` : ''}`;
    log.info(`${head} (revision ${outcome.revision ?? '?'}, sync ${outcome.syncStatus ?? '?'}, health ${outcome.health ?? '?'})`);
    for (const r of outcome.resources) log.info(`  ${r.kind} ${r.namespace}/${r.name}: ${r.status}${r.message ? ` — ${r.message}` : ''}`);
    if (outcome.succeeded) void vscode.window.showInformationMessage(`${head}${outcome.syncStatus ? ` · ${outcome.syncStatus}` : ''}`);
    else {
      const details = outcome.failedResources.map((r) => `${r.kind} ${r.name}: ${r.message ?? r.status}`).join('; ');
      void vscode.window.showErrorMessage(`${head}${details ? ` · ${details}` : ''}`, 'Open Output').then((p) => p && log.show(true));
    }
  }

  async function sync(arg: unknown, opts: ActionOptions, resources?: ObjectRef[]): Promise<OperationOutcome | undefined> {
    const t = await target(arg, 'argo', 'Sync which app?');
    if (!t) return undefined;
    let prune = opts.prune;
    let dryRun = opts.dryRun;
    if (prune === undefined && dryRun === undefined && !opts.yes) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'Sync', prune: false, dryRun: false },
          { label: 'Sync and Prune', description: 'also delete live resources no longer in Git', prune: true, dryRun: false },
          { label: 'Dry Run', prune: false, dryRun: true },
        ],
        { title: `Sync ${t.drift.app.name}${resources ? ` (${resources.length} resource)` : ''}` },
      );
      if (!pick) return undefined;
      prune = pick.prune;
      dryRun = pick.dryRun;
    }
    if (prune && !(await guard(t, 'Sync with prune', opts))) return undefined;
    const client = session.client(t.context);
    const actor = await actorFor(t.context);
    const username = describeActor(actor);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Syncing ${t.drift.app.name}`, cancellable: true }, async (progress, token) => {
      const signal = toAbortSignal(token);
      const before = await client.get(t.ref, signal);
      const previousStartedAt = (before.status as { operationState?: { startedAt?: string } } | undefined)?.operationState?.startedAt;
      await syncApplication(client, t.ref, { username, prune, dryRun, resources: resources?.map((r) => ({ group: r.group, kind: r.kind, namespace: r.namespace, name: r.name })) }, signal, { actor, log: warn });
      const outcome = await waitForOperation(client, t.ref, { signal, previousStartedAt, onProgress: (phase, message) => progress.report({ message: `${phase}${message ? ` — ${message}` : ''}` }) });
      reportOperation(t, outcome);
      void session.refresh({ quiet: true });
      return outcome;
    });
  }

  async function pauseLike(arg: unknown, opts: ActionOptions, controller: 'argo' | 'flux', action: PauseAction | undefined, run: (t: Target, signal: AbortSignal) => Promise<unknown>, verb: string) {
    const t = await target(arg, controller, `${verb} which app?`);
    if (!t) return undefined;
    const client = session.client(t.context);
    const live = await client.get(t.ref);
    const warnings = await pauseWarnings(client, live, { action });
    const parents = await handleWarnings(t, warnings, opts);
    if (!parents) return { cancelled: true, warnings };
    if (!(await guard(t, verb, opts))) return { cancelled: true, warnings };
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${verb} ${t.drift.app.name}`, cancellable: true }, async (_p, token) => {
      const signal = toAbortSignal(token);
      await pauseParents(t, parents, signal);
      return run(t, signal);
    });
    void vscode.window.showInformationMessage(`${verb}: ${t.drift.app.name} (${t.context})`);
    await session.refresh({ quiet: true });
    return result;
  }

  /** `guarded`: the action changes who drives the cluster (resume), so production contexts ask for the app name as pause does. */
  async function simple<T>(arg: unknown, controller: 'argo' | 'flux', verb: string, run: (t: Target, signal: AbortSignal) => Promise<T>, guarded?: { action: ControlAction; opts: ActionOptions }): Promise<T | undefined> {
    const t = await target(arg, controller, `${verb} which app?`);
    if (!t) return undefined;
    if (guarded && actionNeedsGuard(guarded.action) && !(await guard(t, verb, guarded.opts))) return undefined;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${verb} ${t.drift.app.name}`, cancellable: true }, (_p, token) => run(t, toAbortSignal(token)));
    await session.refresh({ quiet: true });
    return result;
  }

  async function breakglassStartCmd(arg: unknown, opts: ActionOptions) {
    const a = appFromArg(session, arg) ?? (await pickApp(session, (d) => d.state.controller !== 'none', 'Start breakglass on which app?'));
    if (!a) return undefined;
    if (a.drift.state.controller === 'none') throw new GitOpsError('unsupported', `${a.drift.app.name} is not managed by Argo CD or Flux: there is nothing to pause`);
    const t: Target = { context: a.context, drift: a.drift, ref: controlRefOfApp(a.drift.app) };
    const reason = opts.reason ?? (await vscode.window.showInputBox({ title: `Breakglass on ${t.drift.app.name} (1/3)`, prompt: 'Reason (required): what is broken and why a live fix is needed', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'A reason is required') }));
    if (!reason?.trim()) return undefined;
    const ticket = opts.ticket ?? (await vscode.window.showInputBox({ title: `Breakglass on ${t.drift.app.name} (2/3)`, prompt: 'Ticket or incident id (optional)', ignoreFocusOut: true }));
    if (ticket === undefined) return undefined;
    const expiry = opts.expires ?? (await vscode.window.showInputBox({ title: `Breakglass on ${t.drift.app.name} (3/3)`, prompt: 'Expires after (e.g. 30m, 1h, 4h)', value: session.settings.breakglassDefaultExpiry, ignoreFocusOut: true, validateInput: (v) => (parseTimeSpan(v) ? undefined : 'Use e.g. 90s, 30m, 1h or 4h') }));
    const ms = expiry ? parseTimeSpan(expiry) : undefined;
    if (!ms) return undefined;
    const client = session.client(t.context);
    const live = await client.get(t.ref);
    const parents = await handleWarnings(t, await pauseWarnings(client, live as KubeObject, { action: 'breakglass' }), opts);
    if (!parents) return undefined;
    if (!(await guard(t, 'Breakglass', opts))) return undefined;
    const { record } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Starting breakglass on ${t.drift.app.name}`, cancellable: true }, async (_p, token) => {
      const signal = toAbortSignal(token);
      await pauseParents(t, parents, signal);
      const actor = await actorFor(t.context, signal);
      return startBreakglass({ client, app: t.ref, reason: reason.trim(), ticket: ticket.trim() || undefined, expiresAt: new Date(Date.now() + ms), actor, log: warn, signal });
    });
    log.info(`breakglass started on ${t.ref.kind} ${t.ref.namespace}/${t.ref.name} by ${record.user}: ${record.reason} (expires ${record.expires})`);
    void vscode.window.showInformationMessage(`Breakglass on ${t.drift.app.name}: the controller is paused until you end it. Edit live (kubectl or Open Live Object), then run End Breakglass to capture and resume.`);
    await session.refresh({ quiet: true });
    return record;
  }

  async function breakglassEndCmd(arg: unknown, opts: ActionOptions) {
    const a = appFromArg(session, arg) ?? (await pickApp(session, (d) => !!d.state.breakglass?.active, 'End breakglass on which app?'));
    if (!a) return undefined;
    const t: Target = { context: a.context, drift: a.drift, ref: controlRefOfApp(a.drift.app) };
    // Refresh first: the edits made during the breakglass must be in the diff we capture from.
    await session.refresh({ quiet: true });
    const fresh = session.index.app(t.context, t.drift.app.id)?.drift ?? t.drift;
    const humans = session.settings.humanFieldManagers;
    const drifted = fresh.resources.filter((r) => r.status === 'Modified' && preselectChanges(r, humans).length > 0);
    let capture = opts.capture;
    if (capture === undefined) {
      if (drifted.length) {
        const pick = await vscode.window.showWarningMessage(
          `End breakglass on ${t.drift.app.name}`,
          { modal: true, detail: `${drifted.length} resource(s) were changed live: ${drifted.map((r) => `${r.ref.kind} ${r.ref.name}`).join(', ')}.\nCapture them into Git first? Without a capture the controller will revert them when it resumes.` },
          'Capture and Resume',
          'Resume Without Capture',
          'Capture, Keep Paused',
        );
        if (!pick) return undefined;
        capture = pick !== 'Resume Without Capture';
        if (pick === 'Capture, Keep Paused') opts = { ...opts, resume: false };
      } else capture = false;
    }
    let commit: string | undefined;
    let branch: string | undefined;
    if (capture) {
      const uncaptured: string[] = [];
      for (const r of drifted) {
        // Each capture branches off the previous one (HEAD), so the last branch carries every captured fix.
        const outcome = await captureLive(session, { context: t.context, appId: t.drift.app.id, ref: r.ref }, { fields: opts.fields ?? 'preselected', yes: opts.yes, push: opts.push, allowDirty: opts.allowDirty, branch: commit ? undefined : opts.branch });
        if (outcome?.result) {
          commit = outcome.result.commit;
          branch = outcome.result.branch;
        } else uncaptured.push(`${r.ref.kind} ${r.ref.name}`);
      }
      if (uncaptured.length && opts.resume !== false) {
        // Resuming now would let the controller revert fixes that are not in Git: keep the app paused.
        log.warn(`breakglass on ${t.drift.app.name}: not captured: ${uncaptured.join(', ')}; the app stays paused`);
        void vscode.window.showWarningMessage(`Not captured: ${uncaptured.join(', ')}. ${t.drift.app.name} stays paused so the controller does not revert them; resume it when they are in Git.`);
        opts = { ...opts, resume: false };
      }
    } else if (drifted.length && opts.resume !== false) {
      log.warn(`breakglass on ${t.drift.app.name} ended without capture: the controller will revert ${drifted.length} live change(s)`);
      void vscode.window.showWarningMessage(`No capture: when ${t.drift.app.name} resumes, the controller will revert the live edits.`);
    }
    const client = session.client(t.context);
    const actor = await actorFor(t.context);
    const result = await endBreakglass({ client, app: t.ref, resume: opts.resume ?? true, commit, branch, actor, log: warn });
    log.info(`breakglass ended on ${t.ref.namespace}/${t.ref.name}: resumed=${result.resumed}${commit ? `, commit ${commit} on ${branch}` : ''}`);
    void vscode.window.showInformationMessage(`Breakglass ended on ${t.drift.app.name}${commit ? `; captured on ${branch}` : ''}${result.resumed ? '; the controller is resumed' : '; still paused'}.`);
    await session.refresh({ quiet: true });
    return { ...result, commit, branch };
  }

  return {
    'gitopsDrift.captureLive': (arg, opts = {}) => captureLive(session, arg, opts),
    'gitopsDrift.sync': (arg, opts = {}) => sync(arg, opts),
    'gitopsDrift.syncResource': async (arg, opts = {}) => {
      const r = resourceFromArg(session, arg);
      if (!r) return undefined;
      return sync({ context: r.context, appId: r.drift.app.id }, opts, [r.diff.ref]);
    },
    'gitopsDrift.refreshApp': (arg) => simple(arg, 'argo', 'Refresh', (t, signal) => refreshApplication(session.client(t.context), t.ref, { signal })),
    'gitopsDrift.hardRefreshApp': (arg) => simple(arg, 'argo', 'Hard refresh', (t, signal) => refreshApplication(session.client(t.context), t.ref, { hard: true, signal })),
    'gitopsDrift.terminateOperation': (arg) => simple(arg, 'argo', 'Terminate', (t, signal) => terminateOperation(session.client(t.context), t.ref, signal)),
    'gitopsDrift.pauseAutoSync': (arg, opts = {}) => pauseLike(arg, opts, 'argo', 'auto-sync', async (t, signal) => pauseAutoSync(session.client(t.context), t.ref, { signal, actor: await actorFor(t.context, signal), log: warn }), 'Pause auto-sync'),
    'gitopsDrift.resumeAutoSync': (arg, opts = {}) => simple(arg, 'argo', 'Resume auto-sync', async (t, signal) => resumeAutoSync(session.client(t.context), t.ref, { signal, actor: await actorFor(t.context, signal), log: warn }), { action: 'resume-auto-sync', opts }),
    'gitopsDrift.skipReconcileOn': async (arg, opts = {}) => {
      if (!opts.yes) {
        const ok = await vscode.window.showWarningMessage('Skip reconcile stops all processing of the app, manual syncs included, until it is turned off.', { modal: true }, 'Skip Reconcile');
        if (!ok) return undefined;
      }
      return pauseLike(arg, opts, 'argo', 'skip-reconcile', (t, signal) => setSkipReconcile(session.client(t.context), t.ref, true, signal), 'Skip reconcile');
    },
    'gitopsDrift.skipReconcileOff': (arg, opts = {}) => simple(arg, 'argo', 'Skip reconcile off', (t, signal) => setSkipReconcile(session.client(t.context), t.ref, false, signal), { action: 'skip-reconcile-off', opts }),
    'gitopsDrift.reconcile': (arg) => simple(arg, 'flux', 'Reconcile', async (t, signal) => reportFlux(await reconcileFlux(session.client(t.context), t.ref, { signal }), t)),
    'gitopsDrift.reconcileWithSource': (arg) => simple(arg, 'flux', 'Reconcile with source', async (t, signal) => reportFlux(await reconcileFlux(session.client(t.context), t.ref, { withSource: true, signal }), t)),
    'gitopsDrift.suspend': (arg, opts = {}) => pauseLike(arg, opts, 'flux', undefined, async (t, signal) => suspendFlux(session.client(t.context), t.ref, signal, { actor: await actorFor(t.context, signal), log: warn }), 'Suspend'),
    'gitopsDrift.resume': (arg, opts = {}) => simple(arg, 'flux', 'Resume', async (t, signal) => reportFlux(await resumeFlux(session.client(t.context), t.ref, { signal, actor: await actorFor(t.context, signal), log: warn }), t), { action: 'flux-resume', opts }),
    'gitopsDrift.breakglassStart': (arg, opts = {}) => breakglassStartCmd(arg, opts),
    'gitopsDrift.breakglassEnd': (arg, opts = {}) => breakglassEndCmd(arg, opts),
  };

  function reportFlux<T extends { ready?: boolean; message?: string }>(outcome: T, t: Target): T {
    const ok = outcome.ready !== false;
    const text = `${t.drift.app.name}: ${ok ? 'Ready' : 'not Ready'}${outcome.message ? ` — ${outcome.message}` : ''}`;
    log.info(text);
    if (ok) void vscode.window.showInformationMessage(text);
    else void vscode.window.showErrorMessage(text, 'Open Output').then((p) => p && log.show(true));
    return outcome;
  }
}

