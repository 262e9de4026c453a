// gitops-drift command line: the same core engine as the editor, for terminals and CI.
// Exit codes follow kubectl diff: 0 nothing drifted / success, 1 drift found / action failed, 2 error.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DriftEngine } from '../core/engine/driftEngine';
import { diffResource } from '../core/diff/diffResource';
import { compareOptionsOf } from '../core/diff/ignoreSources';
import { createKubeClient, type DiscoveryEntry } from '../core/kube/http-kube-client';
import { destinationContextResolver, listContexts } from '../core/kube/kube-config';
import type { KubeClient } from '../core/kube/types';
import { isGitOpsError, type KubeObject } from '../core/model';
import { nodeProcessRunner, type Logger } from '../core/ports';
import { parseManifests } from '../core/yaml/parseManifests';
import { summarize } from '../core/diff/summarize';
import { formatText, reportOf, toJsonResource, type JsonReport } from './output';
import { runActionCommand, ACTION_COMMANDS } from './actions';
import { liveSourceOf, sourceNotInWorkspaceMessage } from './appSource';
import { readRepoInfo, sameRepo } from '../core/discovery/repoInfo';
import { findAppTargets } from '../core/control/find-app';
import { appForecast } from '../core/forecast/appForecast';
import type { RevertForecast } from '../core/forecast/revertForecast';

const USAGE = `Usage:
  gitops-drift diff [--repo DIR] [--kubeconfig FILE] [--context NAME]... [--app NAME] [--mode offline|server-side] [-o text|json] [--all]
  gitops-drift diff --desired FILE --live FILE [--manager NAME] [-o text|json]
  gitops-drift apps [--repo DIR] [--kubeconfig FILE] [--context NAME]... [-o text|json]
  gitops-drift capture --repo DIR --resource GROUP/KIND/NAMESPACE/NAME [--field PATH]... [--branch NAME] [--commit] [--push] [--allow-dirty] [--stack] [-o json]
  gitops-drift sync|refresh|pause|resume|suspend|reconcile APP [--kubeconfig FILE] [--context NAME] [--yes] [--confirm APP] [--pause-parents] ...
  gitops-drift breakglass start APP --reason TEXT [--ticket ID] [--expires 1h]
  gitops-drift breakglass end APP [--repo DIR] [--capture|--no-capture] [--no-resume] [--push] [--yes] [--confirm APP]

Questions are asked on a terminal; flags answer them. --yes answers confirmations, never the production guard:
on a production context type the app name, or pass --confirm APP.

Exit codes: 0 in sync / done, 1 drift found / action failed, 2 error.
kubeconfig: --kubeconfig, else KUBECONFIG, else ~/.kube/config; --context never changes the file.
`;

export interface CliIo {
  out(s: string): void;
  err(s: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  isTTY: boolean;
}

const stderrLogger = (io: CliIo, verbose: boolean): Logger => ({
  trace: () => {},
  info: (m) => verbose && io.err(m + '\n'),
  warn: (m) => io.err(`warning: ${m}\n`),
  error: (m) => io.err(`error: ${m}\n`),
});

function readObject(file: string): KubeObject {
  const text = readFileSync(file, 'utf8');
  const parsed = parseManifests(text, file);
  if (parsed.errors.length) throw new Error(`${file}:${parsed.errors[0].line ?? '?'}: ${parsed.errors[0].message}`);
  if (parsed.docs.length !== 1) throw new Error(`${file}: expected exactly one Kubernetes object, found ${parsed.docs.length}`);
  return parsed.docs[0].object;
}

/** The applier whose managedFields entry gives ownership: Argo/Flux controllers, else the only Apply manager. */
export function detectManager(live: KubeObject | undefined): string | undefined {
  const entries = live?.metadata?.managedFields ?? [];
  for (const m of ['argocd-controller', 'kustomize-controller', 'helm-controller']) if (entries.some((e) => e.manager === m)) return m;
  const apply = [...new Set(entries.filter((e) => e.operation === 'Apply').map((e) => e.manager))];
  return apply.length === 1 ? apply[0] : undefined;
}

export function kubeClientFactory(values: { kubeconfig?: string }, io: CliIo): (context: string) => KubeClient {
  const cache = new Map<string, DiscoveryEntry>();
  return (context) => createKubeClient({ kubeconfig: values.kubeconfig, context: context || undefined, env: io.env, discoveryCache: cache, userAgent: 'gitops-drift-cli' });
}

/** The engine over `--repo` (default: the current folder); the CLI trusts the repository it is pointed at. */
export function engineFor(values: { repo?: string; kubeconfig?: string }, io: CliIo, opts: { diffMode?: 'offline' | 'server-side'; verbose?: boolean } = {}): DriftEngine {
  return new DriftEngine({
    roots: [path.resolve(io.cwd, values.repo ?? '.')],
    clientFor: kubeClientFactory(values, io),
    runner: nodeProcessRunner,
    trusted: true,
    kustomizePath: io.env.GITOPS_DRIFT_KUSTOMIZE,
    helmPath: io.env.GITOPS_DRIFT_HELM,
    renderCacheDir: renderCacheDirOf(io.env),
    schemaCacheDir: renderCacheDirOf(io.env),
    diffMode: opts.diffMode,
    contextForDestination: destinationContextResolver({ kubeconfig: values.kubeconfig, env: io.env }),
    log: stderrLogger(io, opts.verbose ?? false),
  });
}

/** GITOPS_DRIFT_CACHE_DIR (empty: no persistent render cache), else $XDG_CACHE_HOME/gitops-drift, else ~/.cache/gitops-drift. */
function renderCacheDirOf(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GITOPS_DRIFT_CACHE_DIR !== undefined) return env.GITOPS_DRIFT_CACHE_DIR || undefined;
  const base = env.XDG_CACHE_HOME || (env.HOME ? path.join(env.HOME, '.cache') : undefined);
  return base ? path.join(base, 'gitops-drift') : undefined;
}

export function contextsOf(values: { kubeconfig?: string; context?: string[] }, io: CliIo): string[] {
  if (values.context?.length) return values.context;
  const { current } = listContexts({ kubeconfig: values.kubeconfig, env: io.env });
  if (!current) throw new Error('the kubeconfig has no current-context: pass --context');
  return [current];
}

/** Options every repository-and-cluster command takes. */
const REPO_OPTIONS = {
  repo: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string', multiple: true },
  output: { type: 'string', short: 'o', default: 'text' },
} as const;

async function diffCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...REPO_OPTIONS,
      app: { type: 'string' },
      desired: { type: 'string' },
      live: { type: 'string' },
      manager: { type: 'string' },
      all: { type: 'boolean', default: false },
      mode: { type: 'string', default: 'offline' },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
  });
  if (values.mode !== 'offline' && values.mode !== 'server-side') throw new Error(`--mode ${values.mode}: use offline or server-side`);
  let report: JsonReport;
  if (values.desired || values.live) {
    if (!values.desired || !values.live) throw new Error('--desired and --live go together');
    const desired = readObject(values.desired);
    const live = readObject(values.live);
    const d = diffResource(desired, live, { manager: values.manager ?? detectManager(live) });
    // Argo CD would ask the API server (compare-options ServerSideDiff=true); a pair of files has no cluster to ask.
    if ((compareOptionsOf(desired).serverSideDiff ?? compareOptionsOf(live).serverSideDiff) && d.status !== 'Unknown') {
      d.reason = `Argo CD diffs it server-side (compare-options ServerSideDiff=true), which needs a cluster: offline verdict${d.reason ? `; ${d.reason}` : ''}`;
    }
    report = { resources: [toJsonResource(d)], summary: summarize([d]) };
  } else {
    const engine = engineFor(values, io, { diffMode: values.mode, verbose: values.verbose });
    const contexts = contextsOf(values, io);
    const snap = await engine.compute(contexts);
    const dir = path.resolve(io.cwd, values.repo ?? '.');
    const workspace = values.app ? { dir, remotes: (await readRepoInfo(dir, { runner: nodeProcessRunner }).catch(() => undefined))?.urls ?? [] } : undefined;
    report = reportOf(snap, values.app, { workspace });
    if (values.app && !snap.clusters.some((c) => c.apps.some((a) => a.app.name === values.app || a.app.id === values.app))) {
      // The cluster runs it, but from a repository that is not here: say where its source is.
      const outside = await liveAppOutsideWorkspace(values, io, contexts, values.app, workspace!);
      if (outside) throw new Error(outside);
      throw new Error(`no app named ${values.app} in ${snap.clusters.map((c) => c.context).join(', ')} (see gitops-drift apps)`);
    }
    if (values.verbose) io.err(`timings: ${JSON.stringify(snap.timings)}\n`);
  }
  io.out(values.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatText(report, { all: values.all }));
  // Like kubectl diff: 2 when something could not be compared (an error or an unknown object), even if drift was
  // found elsewhere, since "1 = drift" must not hide a cluster that was not checked; else 1 on drift, 0 in sync.
  const s = report.summary;
  if (report.errors?.length || s.unknown) return 2;
  return s.modified + s.missingLive + s.extraLive > 0 ? 1 : 0;
}

/** The first live Argo CD Application named `app` whose source repository is not the workspace's: the message for it. */
async function liveAppOutsideWorkspace(values: { kubeconfig?: string }, io: CliIo, contexts: string[], app: string, workspace: { dir: string; remotes: string[] }): Promise<string | undefined> {
  const clientFor = kubeClientFactory(values, io);
  for (const context of contexts) {
    try {
      const client = clientFor(context);
      for (const ref of await findAppTargets(client, app)) {
        const src = ref.kind === 'Application' ? liveSourceOf(await client.get(ref)) : undefined;
        if (src && !workspace.remotes.some((u) => sameRepo(u, src.repoURL))) return `${context}: ${sourceNotInWorkspaceMessage(src, workspace.dir)}`;
      }
    } catch {
      // Unreadable here: the plain "no app named" message stands.
    }
  }
  return undefined;
}

async function appsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: REPO_OPTIONS,
  });
  const repo = path.resolve(io.cwd, values.repo ?? '.');
  const engine = engineFor(values, io);
  const snap = await engine.compute(contextsOf(values, io));
  const apps = snap.clusters.flatMap((c) =>
    c.apps.map((a) => ({
      context: c.context,
      id: a.app.id,
      name: a.app.name,
      kind: a.app.kind,
      namespace: a.app.namespace,
      path: a.app.path ? path.relative(repo, a.app.path) || '.' : undefined,
      sourceType: a.app.sourceType,
      repoURL: a.app.repoURL,
      targetRevision: a.app.targetRevision,
      problem: a.app.problem,
      notes: a.notes,
      dependsOn: a.app.dependsOn,
      helmRelease: a.app.helmRelease ? { release: `${a.app.helmRelease.releaseNamespace}/${a.app.helmRelease.releaseName}`, chart: a.app.helmRelease.chartSource, desired: a.app.helmRelease.local ? 'chart' : 'stored-release' } : undefined,
      sync: a.state.sync,
      health: a.state.health,
      autoSync: a.state.autoSync,
      suspended: a.state.suspended,
      drift: summarize(a.resources),
      /** What the controller does with a live edit of a field Git sets (revert forecast, issue 15). */
      revert: appForecast(a) as RevertForecast | undefined,
    })),
  );
  // Workspace apps this cluster does not run are listed too, marked as such.
  for (const c of snap.clusters) {
    for (const a of c.notDeployed ?? []) {
      apps.push({ context: c.context, id: a.id, name: a.name, kind: a.kind, namespace: a.namespace, path: a.path ? path.relative(repo, a.path) || '.' : undefined, sourceType: a.sourceType, repoURL: a.repoURL, targetRevision: a.targetRevision, problem: a.problem ?? 'not in this cluster', notes: undefined, dependsOn: a.dependsOn, helmRelease: undefined, sync: undefined, health: undefined, autoSync: undefined, suspended: undefined, drift: summarize([]), revert: undefined });
    }
  }
  // A cluster that could not be read, and an app whose objects could not all be read (a failed or forbidden LIST):
  // both are errors (exit 2), never a quiet "0 drifted".
  const errors: { context: string; app?: string; reason: string; message: string }[] = snap.clusters.filter((c) => c.error).map((c) => ({ context: c.context, reason: c.error!.reason, message: c.error!.message }));
  for (const c of snap.clusters) for (const a of c.apps) for (const e of a.errors) errors.push({ context: c.context, app: a.app.name, reason: e.reason, message: e.message });
  if (values.output === 'json') io.out(JSON.stringify({ apps, errors: errors.length ? errors : undefined }, null, 2) + '\n');
  else {
    for (const a of apps) {
      const d = a.drift;
      const state = [a.sync, a.health, a.autoSync === 'paused' ? 'auto-sync paused' : '', a.suspended ? 'suspended' : ''].filter(Boolean).join(', ');
      io.out(`${a.context}  ${a.kind.padEnd(18)} ${a.name.padEnd(24)} ${(a.path ?? '-').padEnd(32)} ${state ? `[${state}] ` : ''}${d.modified + d.missingLive + d.extraLive} drifted / ${d.synced} synced${a.problem ? `  (${a.problem})` : ''}${a.notes?.length ? `  (${a.notes.join('; ')})` : ''}${a.dependsOn?.length ? `  depends on ${a.dependsOn.join(', ')}` : ''}\n`);
    }
    for (const e of errors) io.err(`error: ${e.context}${e.app ? `/${e.app}` : ''}: ${e.message}\n`);
  }
  return errors.length ? 2 : 0;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      io.out(USAGE);
      return cmd ? 0 : 2;
    }
    if (cmd === 'diff') return await diffCommand(rest, io);
    if (cmd === 'apps') return await appsCommand(rest, io);
    if ((ACTION_COMMANDS as readonly string[]).includes(cmd)) return await runActionCommand(cmd, rest, io);
    io.err(`gitops-drift: unknown command "${cmd}"\n${USAGE}`);
    return 2;
  } catch (e) {
    const reason = isGitOpsError(e) ? ` (${e.reason})` : '';
    io.err(`gitops-drift ${cmd}: ${(e as Error).message}${reason}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    isTTY: !!process.stdin.isTTY,
  }).then((code) => {
    process.exitCode = code;
  });
}
