// The real Flux controllers that `npm run tools` builds into .tools/bin (issue 14 item 7): the versions flux2 v2.9.5
// ships (its manifests/bases/<controller>/kustomization.yaml), pinned with their api modules in
// test/fluxcontrollers/go.mod (go.sum checks the sources). Each is built from a copy of its own module source with
// its own go.mod and go.sum, its `replace .../api => ./api` served by the api module of the same tag copied beside
// it, CGO off and -trimpath as its Dockerfile builds it.
import * as path from 'node:path';

export type FluxControllerName = 'source-controller' | 'kustomize-controller' | 'helm-controller';

export interface FluxControllerPin {
  name: FluxControllerName;
  module: string;
  version: string;
  /**
   * Replaces added to the controller's go.mod, for a pinned dependency version that the Go module proxy here does
   * not serve (module → version; the sums come from test/fluxcontrollers/go.sum). Kept to the patch level and said
   * in README: the build is otherwise the release's.
   */
  replaces: Record<string, string>;
}

export const FLUX_CONTROLLERS: FluxControllerPin[] = [
  {
    name: 'source-controller',
    module: 'github.com/fluxcd/source-controller',
    version: 'v1.9.5',
    // v1.9.5 pins github.com/fluxcd/pkg/artifact v0.18.3: the module proxy answers 403 "This module version is not
    // available" for it; v0.18.0 (same minor) is served.
    replaces: { 'github.com/fluxcd/pkg/artifact': 'v0.18.0' },
  },
  { name: 'kustomize-controller', module: 'github.com/fluxcd/kustomize-controller', version: 'v1.9.5', replaces: {} },
  { name: 'helm-controller', module: 'github.com/fluxcd/helm-controller', version: 'v1.6.4', replaces: {} },
];

/** The Go module that pins the controllers: test/fluxcontrollers. */
export function fluxControllersModuleDir(): string {
  return __dirname;
}

/** The controllers' CRDs copied by `npm run tools` from the controller sources (config/crd/bases), beside the binaries. */
export function fluxControllerCrdDir(binDir: string): string {
  return path.join(binDir, '..', 'flux-controllers-crds');
}
