module gitops-drift/test/fluxcontrollers

go 1.26.0

// Pins the Flux controllers that flux2 v2.9.5 ships (its manifests/bases/*/kustomization.yaml) and their api
// modules, for `npm run tools`: go.sum checks the module sources it downloads. Nothing is built from this module:
// each controller is built from a copy of its own module source with its own go.mod and go.sum (their
// `replace .../api => ./api` points at the api module of the same tag, copied beside it), as its Dockerfile does.
require (
	github.com/fluxcd/helm-controller v1.6.4
	github.com/fluxcd/helm-controller/api v1.6.4
	github.com/fluxcd/kustomize-controller v1.9.5
	github.com/fluxcd/kustomize-controller/api v1.9.5
	github.com/fluxcd/pkg/artifact v0.18.0
	github.com/fluxcd/source-controller v1.9.5
	github.com/fluxcd/source-controller/api v1.9.5
)
