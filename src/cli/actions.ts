// CLI commands that change things: capture, Argo CD / Flux controls, breakglass. A thin adapter over the workflow
// layer (src/core/flows), the same flows as the editor: it parses the flags, finds the app, turns the flags into
// answers to the flows' prompts (cliPrompter.ts: --yes, --confirm NAME, …) and prints the result.
// Without a TTY a prompt the flags do not answer refuses instead of hanging.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { offerableChanges } from '../core/capture/preselect';
import { argoDestinationOf, detectUser, findAppTargets, parseTimeSpan, resolveActor } from '../core/control';
import {
  BREAKGLASS_END_ACTIONS,
  CAPTURE_ACTIONS,
  SYNC_MODE_LABELS,
  breakglassEndFlow,
  breakglassStartFlow,
  humanEditsToCapture,
  captureResourceFlow,
  isCancelled,
  pauseFlow,
  reconcileFlow,
  refreshFlow,
  resumeFlow,
  syncFlow,
  type Cancelled,
  type FlowDeps,
  type FlowTarget,
} from '../core/flows';
import { destinationContextResolver } from '../core/kube/kube-config';
import type { KubeClient } from '../core/kube/types';
import { GitOpsError, refKey, type App, type ObjectRef } from '../core/model';
import { nodeProcessRunner } from '../core/ports';
import type { CliIo } from './cli';
import { contextsOf, engineFor, kubeClientFactory } from './cli';
import { dryRun, parseResourceRef } from './dryRun';
import { cliProgress, cliPrompter, type FlagAnswer, type PromptDescription } from './cliPrompter';

export const ACTION_COMMANDS = ['capture', 'sync', 'refresh', 'pause', 'resume', 'suspend', 'reconcile', 'breakglass'] as const;

const COMMON = {
  kubeconfig: { type: 'string' },
  context: { type: 'string', multiple: true },
  yes: { type: 'boolean', short: 'y', default: false },
  /** The production guard's typed confirmation: the app name. */
  confirm: { type: 'string' },
  output: { type: 'string', short: 'o', default: 'text' },
  timeout: { type: 'string', default: '300' },
  'production-pattern': { type: 'string' },
  'pause-parents': { type: 'boolean', default: false },
} as const;

interface CommonValues {
  kubeconfig?: string;
  yes: boolean;
  confirm?: string;
  output: string;
  'production-pattern'?: string;
  'pause-parents': boolean;
}

type Answers = Record<string, (p: PromptDescription) => FlagAnswer>;

/** A typed duration (the same parser as the editor's); a bare number is in `defaultUnit`. */
function parseDuration(s: string, defaultUnit: 's' | 'm', option: string): number {
  const ms = parseTimeSpan(s, defaultUnit);
  if (ms === undefined) throw new GitOpsError('invalid', `${option} "${s}" is not a duration (e.g. 90s, 30m, 2min, 1h)`);
  return ms;
}

/** The flows' ports on a terminal, with the flags as answers. */
function cliDeps(io: CliIo, values: CommonValues, answers: Answers): FlowDeps {
  const common: Answers = {
    'guard.production': () => values.confirm,
    'pause.warnings': () => (values['pause-parents'] ? 'Pause Parent Too' : undefined),
  };
  return {
    prompter: cliPrompter({ io, yes: values.yes, answers: { ...common, ...answers } }),
    withProgress: cliProgress(io),
    productionPattern: values['production-pattern'] ?? io.env.GITOPS_DRIFT_PRODUCTION_PATTERN ?? 'prod',
    log: warnTo(io),
    // Who acts: the cluster user (SelfSubjectReview), git identity second; an unknown cluster user is a warning.
    async actor(client, signal) {
      const gitUser = await detectUser(nodeProcessRunner, { cwd: io.cwd, signal });
      return resolveActor(client, { gitUser, signal, log: warnTo(io) });
    },
  };
}

const warnTo = (io: CliIo) => (m: string) => io.err(`warning: ${m}\n`);

/** Resolves `<name>` or `<namespace>/<name>` to one Argo Application / Flux object, asking only on a TTY. */
async function resolveApp(client: KubeClient, spec: string | undefined, io: CliIo, values: CommonValues, kinds?: string[]): Promise<ObjectRef> {
  if (!spec) throw new GitOpsError('invalid', 'name the app: <name> or <namespace>/<name>');
  const all = (await findAppTargets(client, spec)).filter((r) => !kinds || kinds.includes(r.kind));
  if (!all.length) throw new GitOpsError('notFound', `no ${kinds?.join(' or ') ?? 'Argo CD Application or Flux Kustomization/HelmRelease'} named ${spec} in ${client.contextName}`);
  if (all.length === 1) return all[0];
  const pick = await cliPrompter({ io, yes: false, hints: { 'app.pick': 'name it as <namespace>/<name>' } }).pickOne({ id: 'app.pick', title: `${spec} is ambiguous`, items: all.map((r) => ({ label: `${r.kind} ${r.namespace}/${r.name}`, value: r })) });
  if (!pick) throw new GitOpsError('cancelled', 'no app chosen');
  return pick.value;
}

/** The flow target: the app object and, for an Argo CD app deploying elsewhere, its destination context. */
async function targetOf(client: KubeClient, context: string, ref: ObjectRef, io: CliIo, values: CommonValues): Promise<FlowTarget> {
  const appObject = await client.get(ref);
  const dest = argoDestinationOf(appObject);
  const destinationContext = dest ? destinationContextResolver({ kubeconfig: values.kubeconfig, env: io.env })(dest) : undefined;
  return { client, context, ref, name: ref.name, appObject, destinationContext };
}

/** A flow stopped by a "no": exit 2 with why. */
function refused(result: Cancelled, what: string): never {
  throw new GitOpsError('cancelled', `${what} cancelled${result.why ? `: ${result.why}` : ''}`);
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
      repo: { type: 'string' },
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
  const kindsOf: Record<string, string[] | undefined> = { sync: ['Application'], refresh: ['Application'], suspend: ['Kustomization', 'HelmRelease', 'GitRepository'], reconcile: ['Kustomization', 'HelmRelease', 'GitRepository'] };
  if (!['sync', 'refresh', 'pause', 'suspend', 'resume', 'reconcile'].includes(cmd)) throw new GitOpsError('invalid', `unknown command ${cmd}`);
  const ref = await resolveApp(client, positionals[0], io, values, kindsOf[cmd]);
  // --dry-run: what the controller would change (impact preview, issue 15); nothing is sent.
  if (values['dry-run'] && (cmd === 'sync' || cmd === 'resume' || cmd === 'reconcile')) return dryRun({ cmd, ref, values, resources: (values.resource ?? []).map(parseResourceRef) }, io);
  const target = await targetOf(client, context, ref, io, values);

  switch (cmd) {
    case 'sync': {
      const mode = values.prune ? SYNC_MODE_LABELS.prune : values['dry-run'] ? SYNC_MODE_LABELS['dry-run'] : SYNC_MODE_LABELS.sync;
      const resources = (values.resource ?? []).map((r) => {
        const [group, kind, namespace, name] = r.split('/');
        if (!kind || !name) throw new GitOpsError('invalid', `--resource ${r}: use GROUP/KIND/NAMESPACE/NAME (empty group for core)`);
        return { group, kind, namespace, name };
      });
      const r = await syncFlow(cliDeps(io, values, { 'sync.mode': () => mode }), { target, resources: resources.length ? resources : undefined, wait, timeoutMs });
      if (isCancelled(r)) refused(r, 'sync');
      const o = r.outcome;
      if (!o) return out(`sync requested for ${ref.namespace}/${ref.name}`, { requested: true }), 0;
      const lines = [`sync ${o.phase}${o.message ? `: ${o.message}` : ''} (revision ${o.revision ?? '?'}, ${o.syncStatus ?? '?'}, ${o.health ?? '?'})`, ...o.resources.map((x) => `  ${x.kind} ${x.namespace}/${x.name}: ${x.status}${x.message ? ` — ${x.message}` : ''}`)];
      out(lines.join('\n'), { phase: o.phase, message: o.message, revision: o.revision, syncStatus: o.syncStatus, health: o.health, resources: o.resources });
      return r.ok ? 0 : 1;
    }
    case 'refresh': {
      const r = await refreshFlow(cliDeps(io, values, {}), { target, hard: values.hard, wait, timeoutMs });
      out(r.summary, { refreshed: true });
      return 0;
    }
    case 'pause':
    case 'suspend': {
      const r = await pauseFlow(cliDeps(io, values, {}), { target, kind: ref.kind === 'Application' ? 'auto-sync' : 'flux-suspend' });
      if (isCancelled(r)) refused(r, cmd);
      out(r.summary, { changed: r.changed, ...(r.method ? { method: r.method, previous: r.previous } : {}), pausedParents: r.parents });
      return 0;
    }
    case 'resume': {
      const r = await resumeFlow(cliDeps(io, values, {}), { target, kind: ref.kind === 'Application' ? 'auto-sync' : 'flux', wait, timeoutMs });
      if (isCancelled(r)) refused(r, 'resume');
      out(r.summary, { changed: r.changed, ...(r.ready !== undefined ? { ready: r.ready, message: r.message } : {}) });
      return r.ok ? 0 : 1;
    }
    case 'reconcile': {
      const r = await reconcileFlow(cliDeps(io, values, {}), { target, withSource: values['with-source'], wait, timeoutMs });
      if (isCancelled(r)) refused(r, 'reconcile');
      out(r.summary, { ready: r.ready, message: r.message, revision: r.revision, token: r.token });
      return r.ok ? 0 : 1;
    }
  }
  throw new GitOpsError('invalid', `unknown command ${cmd}`);
}

async function breakglassStart(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...COMMON, reason: { type: 'string' }, ticket: { type: 'string' }, expires: { type: 'string', default: '1h' } } });
  const [context] = contextsOf(values, io);
  const client = kubeClientFactory(values, io)(context);
  const ref = await resolveApp(client, positionals[0], io, values);
  const target = await targetOf(client, context, ref, io, values);
  // The expiry is checked as the CLI always did (a bare number is minutes) before the flow reads it.
  const expires = `${parseDuration(values.expires, 'm', '--expires') / 60_000}m`;
  const answers: Answers = {
    'breakglass.reason': () => values.reason,
    'breakglass.ticket': () => values.ticket ?? (io.isTTY && values.reason === undefined ? undefined : ''),
    'breakglass.expires': () => expires,
  };
  const r = await breakglassStartFlow(cliDeps(io, values, answers), { target });
  if (isCancelled(r)) refused(r, 'breakglass start');
  const record = r.record;
  io.out(values.output === 'json' ? JSON.stringify(record, null, 2) + '\n' : `breakglass started on ${ref.kind} ${ref.namespace}/${ref.name} by ${record.user} until ${record.expires}: ${record.reason}\n`);
  return 0;
}

async function breakglassEnd(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...COMMON, repo: { type: 'string' }, 'no-resume': { type: 'boolean', default: false }, capture: { type: 'boolean' }, 'no-capture': { type: 'boolean', default: false }, branch: { type: 'string' }, push: { type: 'boolean', default: false }, 'allow-dirty': { type: 'boolean', default: false } },
  });
  const [context] = contextsOf(values, io);
  const client = kubeClientFactory(values, io)(context);
  const ref = await resolveApp(client, positionals[0], io, values);
  const target = await targetOf(client, context, ref, io, values);
  const engine = values.repo ? engineFor(values, io) : undefined;
  const noResume = values['no-resume'];
  const wantCapture = values['no-capture'] ? false : values.capture;
  const A = BREAKGLASS_END_ACTIONS;
  const answers: Answers = {
    'breakglass.end': (p) => {
      const actions = (p as { actions: string[] }).actions;
      if (actions.includes(A.resume)) return noResume ? A.keepPaused : A.resume;
      if (wantCapture === true) return noResume ? A.captureKeepPaused : A.captureResume;
      if (wantCapture === false) return noResume ? A.keepPausedWithoutCapture : A.resumeWithoutCapture;
      return noResume ? A.keepPausedWithoutCapture : undefined;
    },
    'capture.plan': () => (values.push ? CAPTURE_ACTIONS.push : CAPTURE_ACTIONS.commit),
    'capture.includeDirty': () => (values['allow-dirty'] ? 'Include Them' : undefined),
  };
  const deps = cliDeps(io, values, answers);
  let app: App | undefined;
  const r = await breakglassEndFlow(deps, {
    target,
    ports: {
      async pending(signal) {
        if (!engine) return undefined;
        const snap = await engine.compute([context], { signal });
        if (snap.clusters[0]?.error) throw snap.clusters[0].error;
        const drift = snap.clusters[0]?.apps.find((a) => a.app.name === ref.name && a.app.namespace === ref.namespace);
        app = drift?.app;
        return humanEditsToCapture(drift?.resources ?? []);
      },
      async capture(diff, { first }) {
        if (!engine || !app) return undefined;
        // Each capture branches off the previous one (stacked); an explicit --branch names the first.
        const c = await captureResourceFlow(deps, { engine, app, diff, context, branch: first ? values.branch : undefined, stack: !first });
        if (isCancelled(c) || !c.result) return undefined;
        io.err(`${c.summary}\n`);
        return { commit: c.result.commit, branch: c.result.branch };
      },
    },
  });
  if (isCancelled(r)) refused(r, 'breakglass end');
  io.out(values.output === 'json' ? JSON.stringify(r.record, null, 2) + '\n' : `breakglass ended on ${ref.kind} ${ref.namespace}/${ref.name}${r.commit ? `, captured in ${r.commit.slice(0, 8)} on ${r.branch}` : ''}${r.resumed ? ', resumed' : ', still paused'}\n`);
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
  const unknown = (values.field ?? []).filter((f) => !offerable.some((c) => c.path === f));
  if (unknown.length) throw new GitOpsError('invalid', `not a capturable change of ${values.resource}: ${unknown.join(', ')} (drifted: ${offerable.map((c) => c.path).join(', ') || 'none'})`);
  const answers: Answers = {
    'capture.fields': (p) => (values.field?.length ? values.field : (p as { items: { label: string; picked?: boolean }[] }).items.filter((i) => i.picked).map((i) => i.label)),
    'capture.plan': () => (values.push ? CAPTURE_ACTIONS.push : values.commit ? CAPTURE_ACTIONS.commit : CAPTURE_ACTIONS.writeOnly),
    'capture.includeDirty': () => (values['allow-dirty'] ? 'Include Them' : undefined),
  };
  const r = await captureResourceFlow(cliDeps(io, values, answers), { engine, app: hit.a.app, diff: hit.r, context, branch: values.branch, stack: values.stack, offerWriteOnly: true });
  if (isCancelled(r)) refused(r, 'capture');
  if (!r.chosen.length) {
    io.out(values.output === 'json' ? JSON.stringify({ captured: [], explanation: ['no live changes by human field managers'] }) + '\n' : 'nothing to capture: no live changes by human field managers (name fields with --field)\n');
    return 0;
  }
  const plan = r.plan!;
  const result = r.result;
  const json = { captured: plan.captured.map((c) => ({ path: c.change.path, file: c.file, target: c.target, desired: c.change.desired, live: c.change.live })), refused: plan.refused.map((x) => ({ path: x.change.path, reason: x.reason })), files: plan.edits.map((e) => e.file), explanation: plan.explanation, commit: result };
  io.out(values.output === 'json' ? JSON.stringify(json, null, 2) + '\n' : plan.explanation.join('\n') + '\n' + (result ? `committed ${result.commit.slice(0, 8)} on ${result.branch}${result.pushed ? ' (pushed)' : ''}${result.compareUrl ? `\n${result.compareUrl}` : ''}\n` : plan.edits.length ? 'files written (not committed; use --commit)\n' : ''));
  return plan.edits.length ? 0 : 1;
}
