// Runs `kustomize build` (or `kubectl kustomize`) and maps each output object back to its resource file.
import * as path from 'node:path';
import { GitOpsError, isGitOpsError, type KubeObject } from '../model';
import type { ProcessResult, ProcessRunner } from '../ports';
import { parseManifests } from '../yaml/parseManifests';
import { findKustomizationFile } from './detectSourceType';
import { collectKustomizeOrigins, kustomizationSpecOf, OriginIndex, treeCacheFor, type KustomizeTreeCache } from './kustomizeTree';
import { runLimited } from './spawnLimiter';
import type { RenderResult } from './types';

export interface KustomizeDeps {
  runner: ProcessRunner;
  kustomizePath?: string;
  helmPath?: string;
  signal?: AbortSignal;
  /** Deadline of the tool run (default: renderTimeoutMs()). */
  timeoutMs?: number;
  /** More flags for the build (e.g. `--load-restrictor`). */
  extraArgs?: string[];
  /** The caller maps sources itself. */
  skipSources?: boolean;
  /** Parsed kustomization and resource files kept between renders; defaults to one per `runner`. */
  treeCache?: KustomizeTreeCache;
  /**
   * Rewrites each output document's YAML text before it is parsed (Flux post-build substitution works on the
   * text kustomize prints); source locations are matched on the document as kustomize printed it.
   */
  transformDocument?: (text: string, object: KubeObject) => string;
  /** More environment for the build (Argo CD's ARGOCD_APP_* build environment). */
  env?: Record<string, string>;
}

/**
 * Remote bases must fail fast instead of prompting for credentials. kustomize is a short-lived Go process that
 * spends about a third of its CPU collecting garbage on a 100-object build: unless the user tuned the Go runtime,
 * it collects only past a heap of GO_MEMORY_LIMIT (a huge build still stays bounded).
 */
export function kustomizeEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const tuned = base.GOGC !== undefined || base.GOMEMLIMIT !== undefined;
  return { ...base, GIT_TERMINAL_PROMPT: '0', ...(tuned ? {} : { GOGC: 'off', GOMEMLIMIT: GO_MEMORY_LIMIT }) };
}
export const GO_MEMORY_LIMIT = '256MiB';
const env = (): NodeJS.ProcessEnv => kustomizeEnv();

/** Flags first, then `--`, so a folder named like a flag is never read as one. */
function commandFor(binary: string, dir: string, extra: string[]): [string, string[]] {
  return path.basename(binary).startsWith('kubectl') ? [binary, ['kustomize', ...extra, '--', dir]] : [binary, ['build', ...extra, '--', dir]];
}

/** Configured binary, else `kustomize` on the PATH, else `kubectl kustomize`. `extra` flags go after the folder. */
export async function runKustomize(dir: string, deps: KustomizeDeps, extra: string[] = []): Promise<ProcessResult> {
  const candidates = deps.kustomizePath ? [deps.kustomizePath] : ['kustomize', 'kubectl'];
  for (const bin of candidates) {
    const [cmd, args] = commandFor(bin, dir, extra);
    try {
      return await runLimited(deps.runner, cmd, args, { cwd: dir, signal: deps.signal, timeoutMs: deps.timeoutMs, env: { ...env(), ...deps.env } });
    } catch (e) {
      if (isGitOpsError(e) && e.reason === 'unsupported') continue;
      throw e;
    }
  }
  throw new GitOpsError(
    'unsupported',
    deps.kustomizePath
      ? `kustomize binary ${deps.kustomizePath} was not found; fix the gitopsDrift.kustomizePath setting`
      : 'Neither kustomize nor kubectl was found on the PATH; install one or set gitopsDrift.kustomizePath',
  );
}

export async function renderKustomize(dir: string, deps: KustomizeDeps): Promise<RenderResult> {
  const result: RenderResult = { objects: [], skipped: [], errors: [] };
  // Only the app's own kustomization is checked: helmCharts in bases are rare, and the build error names them.
  const cache = deps.treeCache ?? treeCacheFor(deps.runner);
  const kfile = await findKustomizationFile(dir);
  const helmCharts = kfile ? await cache.kustomizations.get(kfile, (text) => kustomizationSpecOf(kfile, text)).then((k) => k.helmCharts).catch(() => false) : false;
  const extra = [...(deps.extraArgs ?? []), ...(helmCharts ? ['--enable-helm', ...(deps.helmPath ? ['--helm-command', deps.helmPath] : [])] : [])];
  // The source tree is read while kustomize runs; a tree we cannot read only costs us source locations.
  const originsP = deps.skipSources
    ? Promise.resolve([])
    : collectKustomizeOrigins(dir, deps.signal, cache).catch((e: unknown) => {
        if (isGitOpsError(e) && e.reason === 'cancelled') throw e;
        return [];
      });
  // Keep a failed origins walk from being reported as unhandled while the build runs.
  originsP.catch(() => undefined);
  const res = await runKustomize(dir, deps, extra);
  // kustomize's own words for helmCharts without --enable-helm, or a helm it cannot run (not any path holding "helm").
  if (res.code !== 0 && /must specify --enable-helm|\(is '[^']*' installed\?\)/.test(res.stderr)) {
    result.errors.push(new GitOpsError('unsupported', `needs helm: ${dir} inflates Helm charts (helmCharts); install helm or set gitopsDrift.helmPath`, { file: dir }));
    return result;
  }
  if (res.code !== 0) {
    // kustomize dumps whole objects into some errors; keep the head, which names the problem.
    const tail = res.stderr.trim().split('\n').slice(-3).join('\n');
    const msg = tail.length > 600 ? `${tail.slice(0, 600)}…` : tail || `exit code ${res.code}`;
    result.errors.push(new GitOpsError('render', `kustomize build ${dir} failed: ${msg}`, { file: dir }));
    return result;
  }
  const parsed = parseManifests(res.stdout, `kustomize build ${dir}`);
  for (const e of parsed.errors) result.errors.push(new GitOpsError('parse', e.message, { file: dir, line: e.line }));
  const index = new OriginIndex(await originsP);
  const texts = deps.transformDocument ? splitDocuments(res.stdout) : [];
  for (const d of parsed.docs) {
    const origin = index.match(d.object);
    let object = d.object;
    if (deps.transformDocument) {
      const text = texts[d.documentIndex];
      try {
        const out = parseManifests(deps.transformDocument(text ?? '', d.object), `kustomize build ${dir}`);
        if (out.errors.length > 0 || out.docs.length !== 1) throw new Error(out.errors[0]?.message ?? 'the document did not stay one object');
        object = out.docs[0].object;
      } catch (e) {
        if (isGitOpsError(e)) throw e;
        result.errors.push(new GitOpsError('render', `${d.object.kind} ${d.object.metadata.name ?? ''}: ${(e as Error).message}`, { file: dir }));
        continue;
      }
    }
    result.objects.push(origin ? { object, source: origin.source, kustomizeChain: origin.chain } : { object });
  }
  return result;
}

/** kustomize prints documents separated by `---` lines; the texts in order (empty documents kept as ''). */
function splitDocuments(stdout: string): string[] {
  return stdout.split(/^---[ \t]*$\n?/m);
}
