// Pinned versions and locations of the real Kubernetes tools that `npm run tools` builds into .tools/bin/.
// One place for every version: scripts/tools.ts builds with these, the tests check against them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FluxControllerName } from '../fluxcontrollers/controllers';

/** Kubernetes release of kube-apiserver and kubectl (k8s.io/kubernetes in test/cluster/go.mod). */
export const KUBERNETES_VERSION = 'v1.37.2';
/** The k8s.io/* staging modules (client-go, apiserver, ...) of that release, pinned by replace in test/cluster/go.mod. */
export const KUBERNETES_STAGING_VERSION = 'v0.37.2';
/** Embedded etcd (go.etcd.io/etcd/server/v3): the version k8s.io/kubernetes v1.37.2 pins its etcd client at. */
export const ETCD_VERSION = 'v3.7.0';
/** kustomize: the release kubectl v1.37.2 embeds (`kubectl kustomize`). */
export const KUSTOMIZE_VERSION = 'v5.8.1';
/** Helm 4; it is built against k8s.io/client-go v0.37.2 too. */
export const HELM_VERSION = 'v4.3.2';

/** The Flux CLI (`flux build/diff kustomization`, the referee of the Flux rendering), built from test/flux. */
export const FLUX_VERSION = 'v2.9.5';

/** Sprig, the template function library of Argo CD's ApplicationSet goTemplate (the referee in test/gotemplate). */
export const SPRIG_VERSION = 'v3.3.0';

/**
 * Argo CD whose repo-server manifest generation (reposerver/repository.GenerateManifests) referees our Argo rendering,
 * built from test/argocd. argo-cd v3.6.x needs Go >= 1.27.0, so that build alone runs with ARGOCD_GO_TOOLCHAIN.
 */
export const ARGOCD_VERSION = 'v3.6.2';
/** The Go toolchain the argo-cd module asks for (go.mod `go 1.27.0`); the go command fetches it from the module proxy. */
export const ARGOCD_GO_TOOLCHAIN = 'go1.27.3';

export type ToolName = 'kubectl' | 'gitops-drift-apiserver' | 'kustomize' | 'helm' | 'flux' | 'gotemplate-referee' | 'argocd-referee'
  // The real Flux controllers (test/fluxcontrollers).
  | FluxControllerName;

/** The repository root (this file is test/cluster/tools.ts). */
export function repoRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/** The Go module that pins Kubernetes: test/cluster. */
export function clusterModuleDir(): string {
  return path.join(repoRoot(), 'test', 'cluster');
}

/** The Go module that pins the flux CLI (flux2 pins its own k8s.io versions): test/flux. */
export function fluxModuleDir(): string {
  return path.join(repoRoot(), 'test', 'flux');
}

/** The Go module of the goTemplate referee (text/template + Sprig, as the ApplicationSet controller): test/gotemplate. */
export function goTemplateModuleDir(): string {
  return path.join(repoRoot(), 'test', 'gotemplate');
}

/** The Go module of the Argo CD referee (argo-cd's repo-server manifest generation on a local folder): test/argocd. */
export function argocdModuleDir(): string {
  return path.join(repoRoot(), 'test', 'argocd');
}

/** Where `npm run tools` puts the binaries: .tools/bin (git-ignored), or $GITOPS_DRIFT_TOOLS_BIN when set. */
export function toolsBinDir(): string {
  return process.env.GITOPS_DRIFT_TOOLS_BIN ? path.resolve(process.env.GITOPS_DRIFT_TOOLS_BIN) : path.join(repoRoot(), '.tools', 'bin');
}

export function toolPath(name: ToolName): string {
  return path.join(toolsBinDir(), process.platform === 'win32' ? `${name}.exe` : name);
}

/** Throws an error that says to run `npm run tools` when a tool is not built yet. */
export function requireTool(name: ToolName): string {
  const p = toolPath(name);
  if (!fs.existsSync(p)) throw new Error(`${p} is missing: run \`npm run tools\` first (builds the pinned Kubernetes ${KUBERNETES_VERSION} tools into .tools/bin/).`);
  return p;
}

/** A copy of env with .tools/bin first on PATH. */
export function envWithTools(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  return { ...env, [key]: [toolsBinDir(), env[key]].filter(Boolean).join(path.delimiter) };
}

/**
 * Settings that point the extension at the pinned helm and kustomize (when built): code-server's extension host takes its PATH
 * from the login shell, not from the process that started it, so `.tools/bin` on PATH does not reach it.
 */
export function pinnedToolSettings(): Record<string, string> {
  return {
    ...(fs.existsSync(toolPath('helm')) ? { 'gitopsDrift.helmPath': toolPath('helm') } : {}),
    // And the pinned kustomize, not whatever kubectl the machine has on its login PATH.
    ...(fs.existsSync(toolPath('kustomize')) ? { 'gitopsDrift.kustomizePath': toolPath('kustomize') } : {}),
  };
}
