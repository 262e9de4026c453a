// Argo CD's repo-server applies `spec.source.kustomize` by running `kustomize edit` in the app folder of its
// checkout, then `kustomize build` there (argo-cd util/kustomize Build). We do the same in a shadow tree (the
// workspace is never written): `edit set nameprefix|namesuffix -- x`, `edit set image ...` (images expanded with
// the build environment), `edit set replicas name=count`, `edit add label [--force] [--without-selector]
// [--include-templates] k:v ...`, `edit add annotation [--force] k:v ...`, `edit set namespace -- ns`, patches
// appended to the kustomization, `edit add component ...` (missing ones dropped with ignoreMissingComponents).
// The build runs with Argo's environment (ARGOCD_APP_NAME, ARGOCD_APP_NAMESPACE, ARGOCD_APP_SOURCE_*, KUBE_VERSION…).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { GitOpsError, isGitOpsError, type App } from '../model';
import { KUSTOMIZATION_FILES } from './detectSourceType';
import { KustomizeTreeCache } from './kustomizeTree';
import { renderKustomize, type KustomizeDeps } from './renderKustomize';
import { createShadowTree } from './shadowTree';
import { runLimited } from './spawnLimiter';
import type { RenderResult } from './types';
import { type JsonObject as Obj, asObj, nonEmptyString as str } from '../k8s/json';
import { argoEnvsubst } from './argoEnvsubst';
import { argoInstanceName } from '../kube/tracking';


/** The source of an Application that carries `kustomize` options (the rendered one). */
export function argoKustomizeOptions(app: App): Obj | undefined {
  const spec = asObj(app.definition?.spec);
  const source = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])].map(asObj).find((s) => s.kustomize);
  return source ? asObj(source.kustomize) : undefined;
}

/** Argo's build environment (argo-cd reposerver newEnv): what kustomize/helm see and images may reference. */
export function argoBuildEnv(app: App, extra: { kubeVersion?: string; apiVersions?: string[]; revision?: string } = {}): Record<string, string> {
  const spec = asObj(app.definition?.spec);
  const source = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])].map(asObj).find((s) => Object.keys(s).length > 0) ?? {};
  const env: Record<string, string> = {
    // The app's instance name (Argo's q.AppName): `<namespace>_<name>` for an Application outside the control-plane namespace.
    ARGOCD_APP_NAME: argoInstanceName(app.name, app.namespace),
    ARGOCD_APP_NAMESPACE: str(asObj(spec.destination).namespace) ?? '',
    ARGOCD_APP_PROJECT_NAME: str(spec.project) ?? 'default',
    ARGOCD_APP_SOURCE_REPO_URL: str(source.repoURL) ?? '',
    ARGOCD_APP_SOURCE_PATH: str(source.path) ?? '',
    ARGOCD_APP_SOURCE_TARGET_REVISION: str(source.targetRevision) ?? '',
  };
  if (extra.revision) {
    env.ARGOCD_APP_REVISION = extra.revision;
    env.ARGOCD_APP_REVISION_SHORT = extra.revision.slice(0, 7);
    env.ARGOCD_APP_REVISION_SHORT_8 = extra.revision.slice(0, 8);
  }
  if (extra.kubeVersion) env.KUBE_VERSION = extra.kubeVersion;
  if (extra.apiVersions) env.KUBE_API_VERSIONS = extra.apiVersions.join(',');
  return env;
}

/** One `k:v` argument per entry (argo-cd mapToEditAddArgs for kustomize >= 3.8.5; sorted here for stable runs). */
function editAddArgs(m: Obj): string[] {
  return Object.keys(m)
    .sort()
    .map((k) => `${k}:${String(m[k])}`);
}

/**
 * ignoreMissingComponents keeps a component only when its folder, inside the repository, holds a kustomization file
 * (argo-cd util/kustomize Build: os.OpenRoot(repoRoot) then root.Stat of kustomization.yaml|.yml|Kustomization,
 * a regular file); a folder without one, or outside the repository, counts as missing.
 */
async function hasKustomization(repoRoot: string, componentDir: string): Promise<boolean> {
  const rel = path.relative(repoRoot, componentDir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  const root = await fs.realpath(repoRoot).catch(() => repoRoot);
  for (const f of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    // os.Root follows symlinks only while they stay inside the root.
    const real = await fs.realpath(path.join(componentDir, f)).catch(() => undefined);
    const inside = real !== undefined && !path.relative(root, real).startsWith('..');
    if (inside && (await fs.stat(real).catch(() => undefined))?.isFile()) return true;
  }
  return false;
}

export function isKustomizeBinary(bin: string | undefined): boolean {
  return !bin || !path.basename(bin).startsWith('kubectl');
}

/** `revision`: the commit for ARGOCD_APP_REVISION (argoRevision), when the options use it. */
export async function renderArgoKustomize(app: App, deps: KustomizeDeps, revision?: string): Promise<RenderResult> {
  const dir = app.path as string;
  const opts = argoKustomizeOptions(app) ?? {};
  const env = argoBuildEnv(app, { revision });
  const shadow = await createShadowTree(dir);
  const inApp = (msg: string) => msg.split(shadow.dir).join(dir).split(`${shadow.root}/`).join('/');
  const kustomize = deps.kustomizePath ?? 'kustomize';
  try {
    let kname: string | undefined;
    for (const f of KUSTOMIZATION_FILES) {
      if ((await fs.stat(path.join(dir, f)).catch(() => undefined))?.isFile()) {
        kname = f;
        break;
      }
    }
    if (!kname) throw new GitOpsError('render', `kustomize options need a kustomization file in ${dir}`, { file: dir });
    const kfile = await shadow.writeKustomization(await fs.readFile(path.join(dir, kname), 'utf8'), kname);
    const edit = async (args: string[]) => {
      const res = await runLimited(deps.runner, kustomize, ['edit', ...args], { cwd: shadow.dir, signal: deps.signal, timeoutMs: deps.timeoutMs, env: { ...process.env, ...env } });
      if (res.code !== 0) throw new GitOpsError('render', `kustomize edit ${args.slice(0, 2).join(' ')} failed: ${inApp(res.stderr.trim())}`, { file: dir });
    };
    if (str(opts.namePrefix)) await edit(['set', 'nameprefix', '--', opts.namePrefix as string]);
    if (str(opts.nameSuffix)) await edit(['set', 'namesuffix', '--', opts.nameSuffix as string]);
    const images = (Array.isArray(opts.images) ? opts.images : []).filter((i): i is string => typeof i === 'string');
    if (images.length > 0) await edit(['set', 'image', ...images.map((i) => argoEnvsubst(i, env))]);
    const replicas = (Array.isArray(opts.replicas) ? opts.replicas : []).map(asObj);
    if (replicas.length > 0) await edit(['set', 'replicas', ...replicas.map((r) => `${String(r.name)}=${String(r.count)}`)]);
    // Label values are always expanded with the build environment (argo-cd util/kustomize Build: envVars.Envsubst).
    const labels = Object.fromEntries(Object.entries(asObj(opts.commonLabels)).map(([k, v]) => [k, argoEnvsubst(String(v), env)]));
    if (Object.keys(labels).length > 0) {
      const args = ['add', 'label'];
      if (opts.forceCommonLabels === true) args.push('--force');
      if (opts.labelWithoutSelector === true) args.push('--without-selector');
      if (opts.labelIncludeTemplates === true) args.push('--include-templates');
      await edit([...args, ...editAddArgs(labels)]);
    }
    const annotations = asObj(opts.commonAnnotations);
    if (Object.keys(annotations).length > 0) {
      const args = ['add', 'annotation'];
      if (opts.forceCommonAnnotations === true) args.push('--force');
      const values = opts.commonAnnotationsEnvsubst === true ? Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, argoEnvsubst(String(v), env)])) : annotations;
      await edit([...args, ...editAddArgs(values)]);
    }
    if (str(opts.namespace)) await edit(['set', 'namespace', '--', opts.namespace as string]);
    if (Array.isArray(opts.patches) && opts.patches.length > 0) {
      const k = asObj(parse(await fs.readFile(kfile, 'utf8')));
      k.patches = [...(Array.isArray(k.patches) ? k.patches : []), ...opts.patches];
      await fs.writeFile(kfile, stringify(k));
    }
    const components: string[] = [];
    for (const c of Array.isArray(opts.components) ? opts.components : []) {
      if (typeof c !== 'string') continue;
      if (opts.ignoreMissingComponents === true && !(await hasKustomization(app.repoRoot ?? dir, path.join(dir, c)))) continue;
      components.push(c);
    }
    if (components.length > 0) await edit(['add', 'component', ...components]);

    // The shadow folder's files are symlinks, which kustomize's default load restrictor would refuse; repo-server
    // builds with the default (files must be under the kustomization), so a kustomization that reads files from
    // outside its folder renders here and fails in Argo CD (a known difference).
    const extraArgs = [...(deps.extraArgs ?? []), '--load-restrictor', 'LoadRestrictionsNone'];
    const result = await renderKustomize(shadow.dir, { ...deps, extraArgs, env, treeCache: new KustomizeTreeCache() }).catch((e: unknown) => {
      throw isGitOpsError(e) ? new GitOpsError(e.reason, inApp(e.message), { ...e.details, file: dir }) : e;
    });
    result.errors = result.errors.map((e) => new GitOpsError(e.reason, inApp(e.message), { ...e.details, file: dir }));
    result.objects = result.objects.map((o) => (o.source ? { ...o, source: { ...o.source, file: shadow.toReal(o.source.file) }, kustomizeChain: (o.kustomizeChain ?? []).map(shadow.toReal) } : o));
    return result;
  } finally {
    await shadow.dispose();
  }
}
