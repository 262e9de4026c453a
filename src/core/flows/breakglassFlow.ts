// Breakglass start and end, one flow each for the editor and the CLI.
// Start: reason, ticket, expiry → pause warnings (pause the parent too) → production guard → pause the parents →
// one guarded patch that pauses the app and records who/why/until when (audited).
// End: what was changed live and is not in Git → capture and/or resume (asked) → capture each resource like the
// Capture command → keep paused when something was not captured → sync windows, impact preview and production guard
// before resuming → end the record (commit, branch) and resume.
import type { ResourceDiff } from '../model';
import { preselectChanges } from '../capture/preselect';
import { endBreakglass, startBreakglass, type BreakglassRecord } from '../control/breakglass';
import { parseTimeSpan } from '../control/timeSpan';
import { pauseWarnings } from '../control/warnings';
import { checkSyncWindows, confirmProduction, handlePauseWarnings, pauseParents, showPreview } from './steps';
import { cancelled, isCancelled, type Cancelled, type FlowDeps, type FlowTarget } from './types';

export interface BreakglassStartResult {
  ok: true;
  record: BreakglassRecord;
  summary: string;
}

export async function breakglassStartFlow(deps: FlowDeps, input: { target: FlowTarget; defaultExpiry?: string }): Promise<BreakglassStartResult | Cancelled> {
  const t = input.target;
  const title = (n: number) => `Breakglass on ${t.name} (${n}/3)`;
  const reason = await deps.prompter.input({ id: 'breakglass.reason', title: title(1), prompt: 'Reason (required): what is broken and why a live fix is needed', validate: (v) => (v.trim() ? undefined : 'A reason is required') });
  if (!reason?.trim()) return cancelled('no reason given');
  const ticket = await deps.prompter.input({ id: 'breakglass.ticket', title: title(2), prompt: 'Ticket or incident id (optional)' });
  if (ticket === undefined) return cancelled();
  const expiry = await deps.prompter.input({ id: 'breakglass.expires', title: title(3), prompt: 'Expires after (e.g. 30m, 1h, 4h)', value: input.defaultExpiry ?? '1h', validate: (v) => (parseTimeSpan(v) ? undefined : 'Use e.g. 90s, 30m, 1h or 4h') });
  const ms = expiry ? parseTimeSpan(expiry) : undefined;
  if (!ms) return cancelled(expiry ? `"${expiry}" is not a duration (e.g. 90s, 30m, 2min, 1h)` : undefined);
  const live = await t.client.get(t.ref);
  const parents = await handlePauseWarnings(deps, t, await pauseWarnings(t.client, live, { action: 'breakglass' }));
  if (!parents) return cancelled('stopped at the warnings');
  if (!(await confirmProduction(deps, { ...t, appObject: t.appObject ?? live }, 'Breakglass'))) return cancelled('the production confirmation was not given');
  const { record } = await deps.withProgress(`Starting breakglass on ${t.name}`, async (_p, signal) => {
    await pauseParents(deps, t, parents, signal);
    const actor = await deps.actor(t.client, signal);
    // The expiry counts from the start time the record holds (one clock read, so "2h" is exactly two hours).
    const clock = deps.now ? { now: deps.now } : undefined;
    return startBreakglass({ client: t.client, app: t.ref, reason: reason.trim(), ticket: ticket.trim() || undefined, expiresIn: ms, actor, log: deps.log, clock, signal });
  });
  deps.log(`breakglass started on ${t.ref.kind} ${t.ref.namespace}/${t.ref.name} by ${record.user}: ${record.reason} (expires ${record.expires})`);
  return { ok: true, record, summary: `Breakglass on ${t.name} by ${record.user} until ${record.expires}: the controller is paused until you end it. Edit live (kubectl or Open Live Object), then End Breakglass to capture and resume.` };
}

/** The resources of an app whose live changes by human field managers a breakglass end captures (or would lose). */
export function humanEditsToCapture(resources: ResourceDiff[], humanManagers: readonly string[] = []): ResourceDiff[] {
  return resources.filter((r) => r.status === 'Modified' && preselectChanges(r, humanManagers).length > 0);
}

export const BREAKGLASS_END_ACTIONS = {
  captureResume: 'Capture and Resume',
  captureKeepPaused: 'Capture, Keep Paused',
  resumeWithoutCapture: 'Resume Without Capture',
  keepPausedWithoutCapture: 'Keep Paused Without Capture',
  resume: 'Resume',
  keepPaused: 'Keep Paused',
} as const;

export interface BreakglassEndPorts {
  /**
   * The app's resources with live changes by human field managers, read fresh (the edits made during the breakglass
   * must be in the diff); undefined when the host cannot tell (the CLI without a repository).
   */
  pending(signal?: AbortSignal): Promise<ResourceDiff[] | undefined>;
  /**
   * Captures one resource (the capture flow); the commit, or undefined when it was not captured. Captures after the
   * first (`first: false`) build on the previous capture's branch.
   */
  capture(diff: ResourceDiff, at: { first: boolean }): Promise<{ commit: string; branch: string; compareUrl?: string } | undefined | Cancelled>;
}

export interface BreakglassEndResult {
  ok: true;
  record: BreakglassRecord;
  resumed: boolean;
  commit?: string;
  branch?: string;
  /** Where to open a pull request for the captured branch, when the remote is a known forge. */
  compareUrl?: string;
  uncaptured: string[];
  summary: string;
}

export async function breakglassEndFlow(deps: FlowDeps, input: { target: FlowTarget; ports: BreakglassEndPorts }): Promise<BreakglassEndResult | Cancelled> {
  const t = input.target;
  const A = BREAKGLASS_END_ACTIONS;
  const pending = await input.ports.pending();
  const names = (pending ?? []).map((r) => `${r.ref.kind}/${r.ref.name}`);
  let actions: string[];
  let detail: string;
  if (pending?.length) {
    actions = [A.captureResume, A.captureKeepPaused, A.resumeWithoutCapture, A.keepPausedWithoutCapture];
    detail = `${pending.length} live change(s) are not in Git (${names.join(', ')}).\nCapture them into Git first? Without a capture the controller reverts them when it resumes.`;
  } else if (pending) {
    actions = [A.resume, A.keepPaused];
    detail = 'No live changes by people are left to capture. Resume hands the app back to the controller.';
  } else {
    actions = [A.resume, A.keepPaused];
    detail = 'The live changes could not be checked (no repository): resuming lets the controller revert live changes that are not captured in Git.';
  }
  const choice = await deps.prompter.confirm({ id: 'breakglass.end', severity: 'warning', message: `End breakglass on ${t.name}`, detail, actions, yesAction: actions[0] });
  if (!choice || !actions.includes(choice)) return cancelled();
  const capture = choice === A.captureResume || choice === A.captureKeepPaused;
  let resume = choice === A.captureResume || choice === A.resumeWithoutCapture || choice === A.resume;
  let commit: string | undefined;
  let branch: string | undefined;
  let compareUrl: string | undefined;
  const uncaptured: string[] = [];
  if (capture) {
    for (const r of pending ?? []) {
      // Each capture branches off the previous one (HEAD), so the last branch carries every captured fix.
      const c = await input.ports.capture(r, { first: commit === undefined });
      if (c && !isCancelled(c)) {
        commit = c.commit;
        branch = c.branch;
        compareUrl = c.compareUrl;
      } else uncaptured.push(`${r.ref.kind} ${r.ref.name}`);
    }
    if (uncaptured.length && resume) {
      // Resuming now would let the controller revert fixes that are not in Git: keep the app paused.
      resume = false;
      deps.prompter.notify('warning', `Not captured: ${uncaptured.join(', ')}. ${t.name} stays paused so the controller does not revert them; resume it when they are in Git.`);
    }
  } else if (resume && pending?.length) {
    deps.log(`breakglass on ${t.name} ended without capture: the controller will revert ${pending.length} live change(s)`);
    deps.prompter.notify('warning', `No capture: when ${t.name} resumes, the controller will revert the live edits.`);
  }
  if (resume) {
    if (!(await checkSyncWindows(deps, t, 'auto', 'Resume'))) return cancelled('stopped at the sync window');
    if (!(await showPreview(deps, t, 'breakglass-end', 'Resume'))) return cancelled('stopped at the preview');
    if (!(await confirmProduction(deps, t, 'End breakglass and resume'))) return cancelled('the production confirmation was not given');
  }
  const ended = await deps.withProgress(`Ending breakglass on ${t.name}`, async (_p, signal) => {
    const actor = await deps.actor(t.client, signal);
    return endBreakglass({ client: t.client, app: t.ref, resume, commit, branch, actor, log: deps.log, signal });
  });
  deps.log(`breakglass ended on ${t.ref.namespace}/${t.ref.name}: resumed=${ended.resumed}${commit ? `, commit ${commit} on ${branch}` : ''}`);
  const summary = `Breakglass ended on ${t.name}${commit ? `; captured on ${branch}` : ''}${ended.resumed ? '; the controller is resumed' : '; still paused'}.`;
  return { ok: true, record: ended.record, resumed: ended.resumed, commit, branch, compareUrl, uncaptured, summary };
}
