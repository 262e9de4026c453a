// CLI commands that change things: capture, Argo CD / Flux controls, breakglass. Same core as the editor.
// Confirmations are answered with --yes; without a TTY a command that needs one refuses instead of hanging.
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { preselectChanges, offerableChanges } from '../core/capture/preselect';
import {
  describeActor,
  detectUser,
  endBreakglass,
  findAppTargets,
  argoDestinationOf,
  parseTimeSpan,
  describeProduction,
  productionGuard,
  actionNeedsGuard,
  pauseAutoSync,
  pauseWarnings,
  reconcileFlux,
  refreshApplication,
  resumeAutoSync,
  resumeFlux,
  resolveActor,
  startBreakglass,
  suspendFlux,
  syncApplication,
  waitForOperation,
  waitForRefresh,
  type Actor,
} from '../core/control';
import { commitCapture, planResourceCapture } from '../core/engine/captureFlow';
import { writeFileEdits } from '../core/capture/writeFileEdits';
import { destinationContextResolver } from '../core/kube/kube-config';
import type { KubeClient } from '../core/kube/types';
import { GitOpsError, refKey, type ObjectRef } from '../core/model';
import { nodeProcessRunner } from '../core/ports';
import type { CliIo } from './cli';
import { contextsOf, engineFor, kubeClientFactory } from './cli';

export const ACTION_COMMANDS = ['capture', 'sync', 'refresh', 'pause', 'resume', 'suspend', 'reconcile', 'breakglass'] as const;

const COMMON = {
  kubeconfig: { type: 'string' },
  context: { type: 'string', multiple: true },
  yes: { type: 'boolean', short: 'y', default: false },
  output: { type: 'string', short: 'o', default: 'text' },
  timeout: { type: 'string', default: '300' },
  'production-pattern': { type: 'string' },
} as const;

/** A typed duration (the same parser as the editor's); a bare number is in `defaultUnit`. */
function parseDuration(s: string, defaultUnit: 's' | 'm', option: string): number {
  const ms = parseTimeSpan(s, defaultUnit);
  if (ms === undefined) throw new GitOpsError('invalid', `${option} "${s}" is not a duration (e.g. 90s, 30m, 2min, 1h)`);
  return ms;
}

async function ask(io: CliIo, question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** Resolves `<name>` or `<namespace>/<name>` to one Argo Application / Flux object, asking only on a TTY. */
async function resolveApp(client: KubeClient, spec: string | undefined, io: CliIo, kinds?: string[]): Promise<ObjectRef> {
  if (!spec) throw new GitOpsError('invalid', 'name the app: <name> or <namespace>/<name>');
  const all = (await findAppTargets(client, spec)).filter((r) => !kinds || kinds.includes(r.kind));
  if (!all.length) throw new GitOpsError('notFound', `no ${kinds?.join(' or ') ?? 'Argo CD Application or Flux Kustomization/HelmRelease'} named ${spec} in ${client.contextName}`);
  if (all.length === 1) return all[0];
  const list = all.map((r, i) => `  ${i + 1}) ${r.kind} ${r.namespace}/${r.name}`).join('\n');
  if (!io.isTTY) throw new GitOpsError('invalid', `${spec} is ambiguous:\n${list}\nname it as <namespace>/<name>`);
  const n = Number(await ask(io, `${spec} is ambiguous:\n${list}\nWhich one? `));
  if (!all[n - 1]) throw new GitOpsError('cancelled', 'no app chosen');
  return all[n - 1];
}

/**
 * The production guard: --yes, or the app name typed on a TTY. It guards the app's context and, for an Argo CD
 * Application deploying elsewhere (hub and spoke), the destination cluster's context.
 */
async function confirm(io: CliIo, values: { kubeconfig?: string; 'production-pattern'?: string; yes: boolean }, context: string, ref: ObjectRef, action: string, client: KubeClient): Promise<void> {
  if (values.yes) return;
  const pattern = values['production-pattern'] ?? io.env.GITOPS_DRIFT_PRODUCTION_PATTERN ?? 'prod';
  const appObject = ref.kind === 'Application' ? await client.get(ref) : undefined;
  const dest = argoDestinationOf(appObject);
  const destinationContext = dest ? destinationContextResolver({ kubeconfig: values.kubeconfig, env: io.env })(dest) : undefined;
  const decision = productionGuard({ context, destinationContext, appObject }, pattern);
  if (!decision.confirm) return;
  const where = describeProduction(decision);
  if (!io.isTTY) throw new GitOpsError('invalid', `${action} on ${where} needs confirmation: pass --yes`);
  const typed = await ask(io, `${action} on ${where}. Type the app name (${ref.name}) to confirm: `);
  if (typed !== ref.name) throw new GitOpsError('cancelled', `${action} cancelled`);
}

export async function runActionCommand(cmd: string, argv: string[], io: CliIo): Promise<number> {
  if (cmd === 'capture') return capture(argv, io);
  if (cmd === 'breakglass') {
    const [sub, ...rest] = argv;
    if (sub === 'start') return breakglassStart(rest, io);
    if (sub === 'end') return breakglassEnd(rest, io);
    throw new GitOpsError('invalid', 'use `breakglass start APP` or `breakglass end APP`');
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...COMMON,
      prune: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      resource: { type: 'string', multiple: true },
      hard: { type: 'boolean', default: false },
      'with-source': { type: 'boolean', default: false },
      wait: { type: 'boolean', default: true },
      'no-wait': { type: 'boolean', default: false },
    },
  });
  const [context] = contextsOf(values, io);
  const client = kubeClientFactory(values, io)(context);
  // --timeout in seconds, or with a unit like --expires (90, 90s, 5m).
  const timeoutMs = parseDuration(values.timeout, 's', '--timeout');
  const wait = values.wait && !values['no-wait'];
  const out = (text: string, json: unknown) => io.out(values.output === 'json' ? JSON.stringify(json, null, 2) + '\n' : text + '\n');

  switch (cmd) {
    case 'sync': {
      const ref = await resolveApp(client, positionals[0], io, ['Application']);
      if (values.prune) await confirm(io, values, context, ref, 'Sync with prune', client);
      const before = await client.get(ref);
      const previousStartedAt = (before.status as { operationState?: { startedAt?: string } } | undefined)?.operationState?.startedAt;
      const resources = (values.resource ?? []).map((r) => {
        const [group, kind, namespace, name] = r.split('/');
        if (!kind || !name) throw new GitOpsError('invalid', `--resource ${r}: use GROUP/KIND/NAMESPACE/NAME (empty group for core)`);
        return { group, kind, namespace, name };
      });
      const actor = await actorOf(client, io);
      const username = describeActor(actor);
      await syncApplication(client, ref, { username, prune: values.prune, dryRun: values['dry-run'], resources: resources.length ? resources : undefined }, undefined, { actor, log: warnTo(io) });
      if (!wait) return out(`sync requested for ${ref.namespace}/${ref.name}`, { requested: true }), 0;
      const o = await waitForOperation(client, ref, { previousStartedAt, timeoutMs, onProgress: (p, m) => io.err(`${p}${m ? `: ${m}` : ''}\n`) });
      const lines = [`sync ${o.phase}${o.message ? `: ${o.message}` : ''} (revision ${o.revision ?? '?'}, ${o.syncStatus ?? '?'}, ${o.health ?? '?'})`, ...o.resources.map((r) => `  ${r.kind} ${r.namespace}/${r.name}: ${r.status}${r.message ? ` — ${r.message}` : ''}`)];
      out(lines.join('\n'), { phase: o.phase, message: o.message, revision: o.revision, syncStatus: o.syncStatus, health: o.health, resources: o.resources });
      return o.succeeded ? 0 : 1;
    }
    case 'refresh': {
      const ref = await resolveApp(client, positionals[0], io, ['Application']);
      const before = await client.get(ref);
      await refreshApplication(client, ref, { hard: values.hard });
      if (wait) await waitForRefresh(client, ref, (before.status as { reconciledAt?: string } | undefined)?.reconciledAt, { timeoutMs });
      out(`${values.hard ? 'hard ' : ''}refresh ${wait ? 'done' : 'requested'} for ${ref.namespace}/${ref.name}`, { refreshed: true });
      return 0;
    }
    case 'pause':
    case 'suspend': {
      const ref = await resolveApp(client, positionals[0], io, cmd === 'suspend' ? ['Kustomization', 'HelmRelease', 'GitRepository'] : undefined);
      const warnings = await pauseWarnings(client, await client.get(ref), { action: ref.kind === 'Application' ? 'auto-sync' : undefined });
      for (const w of warnings) io.err(`warning: ${w.message}${w.route ? `\n  ${w.route}` : ''}\n`);
      if (warnings.some((w) => w.undoes) && !values.yes) throw new GitOpsError('invalid', 'this pause would be undone (see the warnings); pass --yes to pause anyway');
      await confirm(io, values, context, ref, cmd, client);
      if (ref.kind === 'Application') {
        const r = await pauseAutoSync(client, ref, { actor: await actorOf(client, io), log: warnTo(io) });
        out(r.changed ? `auto-sync paused on ${ref.namespace}/${ref.name} (${r.method}); resume restores ${JSON.stringify(r.previous)}` : `auto-sync was already off on ${ref.namespace}/${ref.name}`, { changed: r.changed, method: r.method, previous: r.previous });
      } else {
        const r = await suspendFlux(client, ref, undefined, { actor: await actorOf(client, io), log: warnTo(io) });
        out(r.changed ? `${ref.kind} ${ref.namespace}/${ref.name} suspended` : `${ref.kind} ${ref.namespace}/${ref.name} was already suspended`, { changed: r.changed });
      }
      return 0;
    }
    case 'resume': {
      const ref = await resolveApp(client, positionals[0], io);
      // Resuming hands the cluster back to the controller (it applies Git, and prunes, at once): guarded like pause.
      if (actionNeedsGuard(ref.kind === 'Application' ? 'resume-auto-sync' : 'flux-resume')) await confirm(io, values, context, ref, cmd, client);
      if (ref.kind === 'Application') {
        const r = await resumeAutoSync(client, ref, { actor: await actorOf(client, io), log: warnTo(io) });
        out(r.changed ? `auto-sync resumed on ${ref.namespace}/${ref.name}` : `auto-sync was not paused on ${ref.namespace}/${ref.name}`, { changed: r.changed });
        return 0;
      }
      const r = await resumeFlux(client, ref, { wait, timeoutMs, actor: await actorOf(client, io), log: warnTo(io) });
      out(`${ref.kind} ${ref.namespace}/${ref.name} resumed${wait ? `: ${r.ready ? 'Ready' : 'not Ready'}${r.message ? ` — ${r.message}` : ''}` : ''}`, { changed: r.changed, ready: r.ready, message: r.message });
      return !wait || r.ready ? 0 : 1;
    }
    case 'reconcile': {
      const ref = await resolveApp(client, positionals[0], io, ['Kustomization', 'HelmRelease', 'GitRepository']);
      const r = await reconcileFlux(client, ref, { withSource: values['with-source'], wait, timeoutMs, onProgress: (m) => io.err(m + '\n') });
      out(`${ref.kind} ${ref.namespace}/${ref.name}: ${wait ? (r.ready ? 'Ready' : 'not Ready') : 'reconcile requested'}${r.message ? ` — ${r.message}` : ''}${r.revision ? ` (${r.revision})` : ''}`, { ready: r.ready, message: r.message, revision: r.revision, token: r.token });
      return !wait || r.ready ? 0 : 1;
    }
  }
  throw new GitOpsError('invalid', `unknown command ${cmd}`);
}

/** Who acts: the cluster user (SelfSubjectReview), git identity second; an unknown cluster user is a warning, never a failure. */
async function actorOf(client: KubeClient, io: CliIo): Promise<Actor> {
  const gitUser = await detectUser(nodeProcessRunner, { cwd: io.cwd });
  return resolveActor(client, { gitUser, log: warnTo(io) });
}

const warnTo = (io: CliIo) => (m: string) => io.err(`warning: ${m}\n`);

async function breakglassStart(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...COMMON, reason: { type: 'string' }, ticket: { type: 'string' }, expires: { type: 'string', default: '1h' } } });
  if (!values.reason?.trim()) throw new GitOpsError('invalid', 'breakglass start needs --reason');
  const [context] = contextsOf(values, io);
  const client = kubeClientFactory(values, io)(context);
  const ref = await resolveApp(client, positionals[0], io);
  const warnings = await pauseWarnings(client, await client.get(ref), { action: 'breakglass' });
  for (const w of warnings) io.err(`warning: ${w.message}${w.route ? `\n  ${w.route}` : ''}\n`);
  if (warnings.some((w) => w.undoes) && !values.yes) throw new GitOpsError('invalid', 'the pause would be undone (see the warnings); pass --yes to go ahead');
  await confirm(io, values, context, ref, 'Breakglass', client);
  const actor = await actorOf(client, io);
  const { record } = await startBreakglass({ client, app: ref, reason: values.reason, ticket: values.ticket, expiresAt: new Date(Date.now() + parseDuration(values.expires, 'm', '--expires')), actor, log: warnTo(io) });
  io.out(values.output === 'json' ? JSON.stringify(record, null, 2) + '\n' : `breakglass started on ${ref.kind} ${ref.namespace}/${ref.name} by ${record.user} until ${record.expires}: ${record.reason}\n`);
  return 0;
}

async function breakglassEnd(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...COMMON, repo: { type: 'string' }, 'no-resume': { type: 'boolean', default: false }, commit: { type: 'string' }, branch: { type: 'string' } } });
  const [context] = contextsOf(values, io);
  const client = kubeClientFactory(values, io)(context);
  const ref = await resolveApp(client, positionals[0], io);
  if (!values['no-resume']) {
    // Resuming lets the controller revert live fixes that are not in Git yet: check when the repository is known.
    if (values.repo) {
      const snap = await engineFor(values, io).compute([context]);
      const app = snap.clusters[0]?.apps.find((a) => a.app.name === ref.name && a.app.namespace === ref.namespace);
      const pending = (app?.resources ?? []).filter((r) => r.status === 'Modified' && preselectChanges(r).length > 0);
      if (pending.length && !values.yes) {
        throw new GitOpsError('invalid', `${pending.length} live change(s) are not in Git (${pending.map((r) => `${r.ref.kind}/${r.ref.name}`).join(', ')}); capture them first (gitops-drift capture), end with --no-resume, or pass --yes to resume and let the controller revert them`);
      }
    } else io.err('warning: resuming lets the controller revert live changes that are not captured in Git (pass --repo to check)\n');
  }
  const actor = await actorOf(client, io);
  const r = await endBreakglass({ client, app: ref, resume: !values['no-resume'], commit: values.commit, branch: values.branch, actor, log: warnTo(io) });
  io.out(values.output === 'json' ? JSON.stringify(r.record, null, 2) + '\n' : `breakglass ended on ${ref.kind} ${ref.namespace}/${ref.name}${r.resumed ? ', resumed' : ', still paused'}\n`);
  return 0;
}

async function capture(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON, repo: { type: 'string' }, resource: { type: 'string' }, field: { type: 'string', multiple: true }, branch: { type: 'string' }, commit: { type: 'boolean', default: false }, push: { type: 'boolean', default: false }, 'allow-dirty': { type: 'boolean', default: false }, stack: { type: 'boolean', default: false } },
  });
  if (!values.resource) throw new GitOpsError('invalid', 'capture needs --resource GROUP/KIND/NAMESPACE/NAME');
  const [group, kind, namespace, name] = values.resource.split('/');
  if (!kind || !name) throw new GitOpsError('invalid', `--resource ${values.resource}: use GROUP/KIND/NAMESPACE/NAME (empty group for core, e.g. /ConfigMap/web/settings)`);
  const repo = path.resolve(io.cwd, values.repo ?? '.');
  const [context] = contextsOf(values, io);
  const engine = engineFor(values, io);
  const snap = await engine.compute([context]);
  if (snap.clusters[0].error) throw snap.clusters[0].error;
  const key = refKey({ group, kind, namespace, name });
  const hit = snap.clusters[0].apps.flatMap((a) => a.resources.map((r) => ({ a, r }))).find(({ r }) => refKey(r.ref) === key);
  if (!hit) throw new GitOpsError('notFound', `${values.resource} is not rendered by any app in ${repo}`);
  // Not read live (a failed LIST or GET): "no live changes" would be a false answer.
  if (hit.r.status === 'Unknown') throw new GitOpsError('unreachable', `${values.resource} could not be compared with the cluster: ${hit.r.reason ?? (hit.a.errors.map((e) => e.message).join('; ') || 'its live state is unknown')}`);
  const offerable = offerableChanges(hit.r);
  const chosen = values.field?.length ? offerable.filter((c) => values.field!.includes(c.path)) : preselectChanges(hit.r);
  const unknown = (values.field ?? []).filter((f) => !offerable.some((c) => c.path === f));
  if (unknown.length) throw new GitOpsError('invalid', `not a capturable change of ${values.resource}: ${unknown.join(', ')} (drifted: ${offerable.map((c) => c.path).join(', ') || 'none'})`);
  if (!chosen.length) {
    io.out(values.output === 'json' ? JSON.stringify({ captured: [], explanation: ['no live changes by human field managers'] }) + '\n' : 'nothing to capture: no live changes by human field managers (name fields with --field)\n');
    return 0;
  }
  const plan = await planResourceCapture({ engine, app: hit.a.app, diff: hit.r, changes: chosen });
  let result: Awaited<ReturnType<typeof commitCapture>> | undefined;
  if (plan.edits.length) {
    // Ctrl-C while writing, committing or pushing stops the work and puts the user back (branch, files), instead of
    // killing the process half-way (e.g. on the capture branch with a push still hanging).
    const ac = new AbortController();
    const onInterrupt = (): void => ac.abort();
    process.once('SIGINT', onInterrupt);
    try {
      if (values.commit || values.push) {
        result = await commitCapture({ app: hit.a.app, diff: hit.r, plan, context, branch: values.branch, push: values.push, allowDirty: values['allow-dirty'], stack: values.stack, signal: ac.signal });
      } else {
        // All files or none: a kustomization must never name a patch file that could not be written.
        await writeFileEdits(plan.edits, ac.signal);
      }
    } finally {
      process.off('SIGINT', onInterrupt);
    }
  }
  const json = { captured: plan.captured.map((c) => ({ path: c.change.path, file: c.file, target: c.target, desired: c.change.desired, live: c.change.live })), refused: plan.refused.map((r) => ({ path: r.change.path, reason: r.reason })), files: plan.edits.map((e) => e.file), explanation: plan.explanation, commit: result };
  io.out(values.output === 'json' ? JSON.stringify(json, null, 2) + '\n' : plan.explanation.join('\n') + '\n' + (result ? `committed ${result.commit.slice(0, 8)} on ${result.branch}${result.pushed ? ' (pushed)' : ''}${result.compareUrl ? `\n${result.compareUrl}` : ''}\n` : plan.edits.length ? 'files written (not committed; use --commit)\n' : ''));
  return plan.edits.length ? 0 : 1;
}
