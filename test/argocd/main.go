// argocd-referee: Argo CD's own manifest generation (the function argocd-repo-server runs for every
// Application, github.com/argoproj/argo-cd/v3 reposerver/repository.GenerateManifests), called on a local
// directory: no gRPC server, no redis, no Git checkout. It runs the kustomize and helm found on PATH, exactly
// as repo-server runs them (the tests put the pinned .tools/bin first).
//
// stdin:  {"appPath": "/abs/app/dir", "repoRoot": "/abs/repo", "revision": "<sha>", "request": <apiclient.ManifestRequest>,
//
//	"refRepoPaths": {"<repo URL>": "/abs/checkout"}}
//
// stdout: {"sourceType": "Kustomize", "commands": ["kustomize build ..."], "manifests": [<object>, ...]}
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/argoproj/argo-cd/v3/reposerver/apiclient"
	"github.com/argoproj/argo-cd/v3/reposerver/repository"
	"github.com/argoproj/argo-cd/v3/util/git"
	utilio "github.com/argoproj/argo-cd/v3/util/io"
	"k8s.io/apimachinery/pkg/api/resource"
)

type input struct {
	AppPath  string                     `json:"appPath"`
	RepoRoot string                     `json:"repoRoot"`
	Revision string                     `json:"revision"`
	Request  *apiclient.ManifestRequest `json:"request"`
	// RefRepoPaths: repository URL -> local checkout, for multi-source `$ref/...` value files (request.refSources);
	// repo-server keeps the same map of its checkouts (gitRepoPaths).
	RefRepoPaths map[string]string `json:"refRepoPaths,omitempty"`
}

type output struct {
	SourceType string            `json:"sourceType"`
	Commands   []string          `json:"commands"`
	Manifests  []json.RawMessage `json:"manifests"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "argocd-referee: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		// The argo-cd module this binary was built from (its build info), e.g. "argo-cd v3.6.2 (go1.27.3)".
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, d := range bi.Deps {
				if d.Path == "github.com/argoproj/argo-cd/v3" {
					fmt.Printf("argo-cd %s (%s)\n", d.Version, bi.GoVersion)
					return nil
				}
			}
		}
		return fmt.Errorf("no build info")
	}
	var in input
	dec := json.NewDecoder(os.Stdin)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return fmt.Errorf("reading the request: %w", err)
	}
	if in.Request == nil || in.Request.ApplicationSource == nil || in.AppPath == "" || in.RepoRoot == "" {
		return fmt.Errorf("request, request.applicationSource, appPath and repoRoot are required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The same limit argocd-repo-server uses by default (--max-combined-directory-manifests-size 10M).
	maxSize := resource.MustParse("10M")
	paths := utilio.NewRandomizedTempPaths(os.TempDir())
	for url, dir := range in.RefRepoPaths {
		paths.Add(git.NormalizeGitURL(url), dir)
	}
	res, err := repository.GenerateManifests(ctx, in.AppPath, in.RepoRoot, in.Revision, in.Request, true, git.NoopCredsStore{}, maxSize, paths)
	if err != nil {
		return err
	}
	out := output{SourceType: res.SourceType, Commands: res.Commands, Manifests: make([]json.RawMessage, 0, len(res.Manifests))}
	for _, m := range res.Manifests {
		out.Manifests = append(out.Manifests, json.RawMessage(m))
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
