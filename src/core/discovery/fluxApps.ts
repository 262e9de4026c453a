// Flux Kustomizations turned into App entries, following their sourceRef to a GitRepository in the workspace.
import * as path from 'node:path';
import type { App, KubeObject, SourceLocation } from '../model';
import { isWithin, isWithinReal } from '../render/repoBounds';
import { detectSourceTypeSync, isDirectorySync } from './detectSourceTypeSync';
import { resolveRepo, type RepoInfo } from './repoInfo';
import { asObj, nonEmptyString as str } from '../k8s/json';


export const DEFAULT_FLUX_NAMESPACE = 'flux-system';

export function isFluxKustomization(o: KubeObject): boolean {
  return o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');
}

export function isFluxGitRepository(o: KubeObject): boolean {
  return o.kind === 'GitRepository' && o.apiVersion.startsWith('source.toolkit.fluxcd.io/');
}

export function isArtifactGenerator(o: KubeObject): boolean {
  return o.kind === 'ArtifactGenerator' && o.apiVersion.startsWith('source.extensions.fluxcd.io/');
}

/** Other Flux objects the Kustomizations refer to. */
export interface FluxSources {
  gitRepositories: KubeObject[];
  artifactGenerators: KubeObject[];
  /** Repository of the file declaring the Kustomization: bootstrap GitRepositories are often not in Git. */
  declaringRepo?: RepoInfo;
}

function findObj(list: KubeObject[], name: string, namespace: string): KubeObject | undefined {
  return list.find((o) => o.metadata.name === name && (o.metadata.namespace ?? DEFAULT_FLUX_NAMESPACE) === namespace);
}

function clean(p: string): string {
  return path.posix.normalize(p.replace(/^\.?\/*/, '') || '.').replace(/\/+$/, '').replace(/^\.$/, '');
}

/**
 * An ExternalArtifact produced by an ArtifactGenerator copies `@alias/<from>/**` to `@artifact/<to>/`; turn the
 * Kustomization path inside the artifact back into a repository path (Flux 2.7 source-watcher layout).
 */
function pathThroughGenerator(gen: KubeObject, artifactName: string, ksPath: string): { alias: string; repoPath: string } | undefined {
  const spec = asObj(gen.spec);
  const artifact = (Array.isArray(spec.artifacts) ? spec.artifacts : []).map(asObj).find((a) => a.name === artifactName);
  const want = clean(ksPath);
  for (const c of (Array.isArray(artifact?.copy) ? artifact.copy : []).map(asObj)) {
    const from = /^@([^/]+)\/?(.*?)\/?(\*\*)?$/.exec(str(c.from) ?? '');
    const to = /^@artifact\/?(.*)$/.exec(str(c.to) ?? '');
    if (!from || !to) continue;
    const dest = clean(to[1]);
    if (dest === '' || want === dest || want.startsWith(`${dest}/`)) {
      const rest = dest === '' ? want : want.slice(dest.length).replace(/^\//, '');
      return { alias: from[1], repoPath: path.posix.join(clean(from[2]) || '.', rest || '.') };
    }
  }
  return undefined;
}

export function appFromFluxKustomization(obj: KubeObject, repos: RepoInfo[], sources: FluxSources, definedIn?: SourceLocation): App {
  const name = obj.metadata.name ?? '';
  const namespace = obj.metadata.namespace ?? DEFAULT_FLUX_NAMESPACE;
  const spec = asObj(obj.spec);
  const ref = asObj(spec.sourceRef);
  const app: App = {
    id: `flux:${namespace}/${name}`,
    name,
    kind: 'flux-kustomization',
    namespace,
    sourceType: 'unknown',
    destinationNamespace: str(spec.targetNamespace),
    definedIn,
    definition: obj,
  };
  const dependsOn = (Array.isArray(spec.dependsOn) ? spec.dependsOn : []).map(asObj).filter((d) => str(d.name)).map((d) => `${str(d.namespace) ?? namespace}/${str(d.name)}`);
  if (dependsOn.length > 0) app.dependsOn = dependsOn;
  let repoPath = str(spec.path) ?? './';
  let gitRepoName = str(ref.name) ?? '';
  const refNs = str(ref.namespace) ?? namespace;
  if (ref.kind === 'ExternalArtifact') {
    const gen = sources.artifactGenerators.find((g) => (g.metadata.namespace ?? DEFAULT_FLUX_NAMESPACE) === refNs && pathThroughGenerator(g, gitRepoName, repoPath));
    const mapped = gen && pathThroughGenerator(gen, gitRepoName, repoPath);
    const genSource = gen && (Array.isArray(asObj(gen.spec).sources) ? (asObj(gen.spec).sources as unknown[]) : []).map(asObj).find((s) => s.alias === mapped?.alias);
    if (!mapped || genSource?.kind !== 'GitRepository') {
      return { ...app, problem: `ExternalArtifact ${gitRepoName} is not produced from a GitRepository by an ArtifactGenerator in the workspace` };
    }
    repoPath = mapped.repoPath;
    gitRepoName = str(genSource.name) ?? '';
  } else if (ref.kind !== 'GitRepository') {
    return { ...app, problem: `source ${String(ref.kind)}/${gitRepoName} is not a Git repository; its content is not in the workspace` };
  }
  const gitRepo = findObj(sources.gitRepositories, gitRepoName, refNs);
  let repo: RepoInfo | undefined;
  let problem: string | undefined;
  if (gitRepo) {
    const gspec = asObj(gitRepo.spec);
    const gref = asObj(gspec.ref);
    app.repoURL = str(gspec.url);
    app.targetRevision = str(gref.branch) ?? str(gref.tag) ?? str(gref.semver) ?? str(gref.name) ?? str(gref.commit);
    if (str(gspec.ignore)) app.sourceIgnore = str(gspec.ignore);
    ({ repo, problem } = app.repoURL ? resolveRepo(repos, app.repoURL, str(gref.branch)) : { repo: undefined, problem: `GitRepository ${gitRepoName} has no url` });
  } else {
    // flux bootstrap keeps the GitRepository out of Git (gotk-sync.yaml); it is the repo holding this file.
    repo = sources.declaringRepo;
    if (!repo) problem = `GitRepository ${refNs}/${gitRepoName} was not found`;
  }
  if (!repo) return { ...app, problem };
  // Flux joins the path under the artifact root, so a leading `/` is relative to the repository too.
  const folder = path.resolve(repo.root, repoPath.replace(/^\/+/, ''));
  // Argo CD and Flux refuse paths that leave the repository (`../../x`, or a symlinked folder pointing out).
  if (!isWithin(repo.root, folder) || !isWithinReal(repo.root, folder)) {
    return { ...app, problem: `path ${repoPath} is outside the repository ${repo.root}; refused` };
  }
  if (!isDirectorySync(folder)) return { ...app, problem: `path ${repoPath} was not found in ${repo.root}` };
  app.path = folder;
  app.repoRoot = repo.root;
  // Without a kustomization file Flux generates one over every manifest below the path.
  const type = detectSourceTypeSync(folder);
  app.sourceType = type === 'helm' ? 'directory' : type;
  if (app.sourceType === 'directory') app.directory = { recurse: true };
  if (problem) app.problem = problem;
  return app;
}
