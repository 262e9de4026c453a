// Argo CD Application and ApplicationSet (list generator) objects turned into App entries.
import * as path from 'node:path';
import { GoTemplateError, type GoTemplateOptions, renderGoTemplate } from './goTemplate';
import type { App, KubeObject, SourceLocation, SourceType } from '../model';
import { isWithin, isWithinReal } from '../render/repoBounds';
import { detectSourceTypeSync, isDirectorySync } from './detectSourceTypeSync';
import { expandGenerator } from './appSetGenerators';
import { usesClusterGenerator, type ClusterSecretsOf } from './appSetClusters';
import { resolveRepo, type RepoInfo } from './repoInfo';
import { type JsonObject as Obj, asObj, nonEmptyString as str } from '../k8s/json';


export const DEFAULT_ARGO_NAMESPACE = 'argocd';

export function isArgoApplication(o: KubeObject): boolean {
  return o.kind === 'Application' && o.apiVersion.startsWith('argoproj.io/');
}

export function isArgoApplicationSet(o: KubeObject): boolean {
  return o.kind === 'ApplicationSet' && o.apiVersion.startsWith('argoproj.io/');
}

/** The source that renders the app: the first one that lives in the workspace, else the first with a path or chart. */
function pickSource(spec: Obj, repos: RepoInfo[]): Obj | undefined {
  const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])].map(asObj).filter((s) => str(s.repoURL) && (str(s.path) || str(s.chart)));
  return sources.find((s) => str(s.path) && resolveRepo(repos, s.repoURL as string, str(s.targetRevision)).repo) ?? sources[0];
}

function explicitType(source: Obj): SourceType | undefined {
  if (source.kustomize) return 'kustomize';
  if (source.helm) return 'helm';
  if (source.directory) return 'directory';
  return undefined;
}

/**
 * A multi-source Application as one App per rendered source (a source with a path or chart; `ref`-only sources are
 * not rendered), `$ref/...` helm value files resolved in the ref source's checkout. Undefined for single-source apps.
 */
function multiSource(obj: KubeObject, repos: RepoInfo[], definedIn?: SourceLocation): App[] | undefined {
  const spec = asObj(obj.spec);
  if (!Array.isArray(spec.sources) || spec.sources.length === 0) return undefined;
  const sources = spec.sources.map(asObj);
  const refs = new Map<string, { root?: string; problem?: string }>();
  for (const s of sources) {
    if (!str(s.ref)) continue;
    const { repo, problem } = resolveRepo(repos, str(s.repoURL) ?? '', str(s.targetRevision));
    refs.set(s.ref as string, { root: repo?.root, problem: repo ? undefined : problem });
  }
  const rendered = sources.filter((s) => str(s.path) || str(s.chart));
  return rendered.map((s, i) => {
    const refFiles: string[] = [];
    let problem: string | undefined;
    const helm = asObj(s.helm);
    const valueFiles = (Array.isArray(helm.valueFiles) ? helm.valueFiles : []).map((f) => {
      const m = typeof f === 'string' ? /^\$([^/]+)\/(.*)$/.exec(f) : null;
      if (!m) return f;
      const ref = refs.get(m[1]);
      if (!ref?.root) {
        problem ??= `value file ${String(f)}: ${ref ? ref.problem : `no source has ref: ${m[1]}`}`;
        return f;
      }
      const abs = path.resolve(ref.root, m[2]);
      if (!isWithin(ref.root, abs) || !isWithinReal(ref.root, abs)) {
        problem ??= `value file ${String(f)} is outside the repository ${ref.root}; refused`;
        return f;
      }
      refFiles.push(abs);
      return abs;
    });
    const one = { ...s, ...(s.helm ? { helm: { ...helm, valueFiles } } : {}) };
    const sub: KubeObject = { ...obj, spec: { ...Object.fromEntries(Object.entries(spec).filter(([k]) => k !== 'sources')), source: one } };
    const app = appFromArgoApplication(sub, repos, definedIn);
    return { ...app, id: `${app.id}#source-${i + 1}`, ...(refFiles.length > 0 ? { refValueFiles: refFiles } : {}), ...(problem && !app.problem ? { problem } : {}) };
  });
}

/** Converts one Application; `definedIn` is set when it comes from a workspace file. */
export function appFromArgoApplication(obj: KubeObject, repos: RepoInfo[], definedIn?: SourceLocation): App {
  const parts = multiSource(obj, repos, definedIn);
  if (parts) {
    const name = obj.metadata.name ?? '';
    const namespace = obj.metadata.namespace ?? DEFAULT_ARGO_NAMESPACE;
    const first = parts.find((p) => p.path) ?? parts[0];
    if (!first) return { id: `argo:${namespace}/${name}`, name, kind: 'argo-application', namespace, sourceType: 'unknown', definedIn, definition: obj, problem: 'the Application has no source with a repoURL and a path or chart' };
    // The app is its first rendered source for display, and all of them for rendering.
    return { ...first, id: `argo:${namespace}/${name}`, definition: obj, sources: parts, problem: parts.length === 1 ? first.problem : undefined };
  }
  const name = obj.metadata.name ?? '';
  const namespace = obj.metadata.namespace ?? DEFAULT_ARGO_NAMESPACE;
  const spec = asObj(obj.spec);
  const app: App = {
    id: `argo:${namespace}/${name}`,
    name,
    kind: 'argo-application',
    namespace,
    sourceType: 'unknown',
    destinationNamespace: str(asObj(spec.destination).namespace),
    definedIn,
    definition: obj,
  };
  const source = pickSource(spec, repos);
  if (!source) return { ...app, problem: 'the Application has no source with a repoURL and a path or chart' };
  app.repoURL = source.repoURL as string;
  app.targetRevision = str(source.targetRevision);
  const dir = asObj(source.directory);
  if (source.directory) {
    app.directory = { recurse: dir.recurse === true, include: str(dir.include), exclude: str(dir.exclude) };
  }
  if (str(source.chart)) {
    return { ...app, sourceType: 'helm', problem: `chart ${String(source.chart)} comes from the Helm repository ${app.repoURL}, which is not in the workspace` };
  }
  if (source.plugin) app.problem = 'uses a config management plugin, which is not run locally';
  const { repo, problem } = resolveRepo(repos, app.repoURL, app.targetRevision);
  if (!repo) return { ...app, problem };
  const folder = path.resolve(repo.root, source.path as string);
  // Argo CD and Flux refuse paths that leave the repository (`../../x`, or a symlinked folder pointing out).
  if (!isWithin(repo.root, folder) || !isWithinReal(repo.root, folder)) {
    return { ...app, problem: `path ${String(source.path)} is outside the repository ${repo.root}; refused` };
  }
  if (!isDirectorySync(folder)) return { ...app, problem: `path ${String(source.path)} was not found in ${repo.root}` };
  app.path = folder;
  app.repoRoot = repo.root;
  app.sourceType = explicitType(source) ?? detectSourceTypeSync(folder);
  if (problem && !app.problem) app.problem = problem;
  return app;
}

function lookup(params: Obj, key: string): unknown {
  if (key in params) return params[key];
  return key.split('.').reduce<unknown>((v, k) => asObj(v)[k], params);
}

/**
 * Substitutes `{{key}}` (fasttemplate; unknown keys stay as written) or, with goTemplate, evaluates every string
 * (keys too) as Go text/template with Sprig (src/core/discovery/goTemplate.ts), which throws a GoTemplateError for
 * what Go rejects or is not evaluated locally.
 */
export function fillTemplate<T>(value: T, params: Obj, goTemplate: boolean, opts: GoTemplateOptions = {}): T {
  // fasttemplate: everything between `{{` and the next `}}`, trimmed, is the key (label keys hold `/`).
  const re = /\{\{([\s\S]*?)\}\}/g;
  const text = (v: string): string => {
    if (!v.includes('{{')) return v;
    if (goTemplate) return renderGoTemplate(v, params, opts);
    return v.replace(re, (m, tag: string) => {
      const key = tag.trim();
      const r = key ? lookup(params, key) : undefined;
      return r === undefined || (typeof r === 'object' && r !== null) ? m : String(r);
    });
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/**
 * List, git (directories, files; the repository checked out here), clusters (`clusterSecrets`: the cluster's, or
 * the workspace's manifests) and matrix / merge generators over those are expanded into one App per parameter set
 * (each naming its set in `appSet`). Other generators (SCM, pull request…), or clusters without Secrets, are listed
 * once as the ApplicationSet with a `problem`. Apps of a set with a clusters generator carry the set
 * (`appSetDefinition`) so that each cluster can expand it again with its own Secrets.
 */
export function appsFromApplicationSet(obj: KubeObject, repos: RepoInfo[], definedIn?: SourceLocation, clusterSecrets?: ClusterSecretsOf): App[] {
  const name = obj.metadata.name ?? '';
  const namespace = obj.metadata.namespace ?? DEFAULT_ARGO_NAMESPACE;
  const spec = asObj(obj.spec);
  const template = asObj(spec.template);
  const goTemplate = spec.goTemplate === true;
  const templateOptions = { missingKeyError: Array.isArray(spec.goTemplateOptions) && spec.goTemplateOptions.includes('missingkey=error') };
  const generators = (Array.isArray(spec.generators) ? spec.generators : []).map(asObj);
  const apps: App[] = [];
  const notExpanded: string[] = [];
  let templateError: string | undefined;
  const ctx = { namespace, templateOptions, clusterSecrets };
  const bySecrets = usesClusterGenerator(obj) ? { appSetDefinition: obj } : {};
  for (const g of generators) {
    let expansion;
    try {
      expansion = expandGenerator(g, repos, goTemplate, ctx);
    } catch (e) {
      if (!(e instanceof GoTemplateError)) throw e;
      templateError ??= e.message;
      continue;
    }
    const { params, notExpanded: skipped } = expansion;
    notExpanded.push(...skipped);
    for (const el of params) {
      let t: Obj;
      try {
        t = fillTemplate(template, el, goTemplate, templateOptions);
      } catch (e) {
        if (!(e instanceof GoTemplateError)) throw e;
        // The controller generates nothing when one parameter set fails: neither do we.
        templateError ??= e.message;
        continue;
      }
      const meta = asObj(t.metadata);
      const generated: KubeObject = {
        apiVersion: obj.apiVersion,
        kind: 'Application',
        metadata: { ...meta, name: str(meta.name) ?? name, namespace: str(meta.namespace) ?? namespace },
        spec: t.spec,
      };
      apps.push({ ...appFromArgoApplication(generated, repos, definedIn), appSet: `${namespace}/${name}`, ...bySecrets });
    }
  }
  if (templateError !== undefined) {
    return [{ id: `argo-appset:${namespace}/${name}`, name, kind: 'argo-application', namespace, sourceType: 'unknown', definedIn, definition: obj, ...bySecrets, problem: `ApplicationSet goTemplate: ${templateError}` }];
  }
  if (notExpanded.length > 0 || generators.length === 0) {
    apps.push({
      id: `argo-appset:${namespace}/${name}`,
      name,
      kind: 'argo-application',
      namespace,
      sourceType: 'unknown',
      definedIn,
      definition: obj,
      ...bySecrets,
      problem:
        generators.length === 0
          ? 'ApplicationSet has no generators'
          : `ApplicationSet generator${notExpanded.length > 1 ? 's' : ''} ${notExpanded.join(', ')} ${notExpanded.length > 1 ? 'are' : 'is'} not expanded locally`,
    });
  }
  return apps;
}
