import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';

const CHART = path.resolve(__dirname, '../../fixtures/real-repos/stefanprodan__podinfo/charts/podinfo');

describe('render/renderHelm with a stand-in helm binary', function () {
  this.timeout(30000);
  let tmp: string;
  let helm: string;
  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'fake-helm-'));
    helm = path.join(tmp, 'helm');
    // Records its arguments and inline values, then prints what `helm template` prints: sourced documents.
    writeFileSync(
      helm,
      `#!/bin/sh
printf '%s\\n' "$@" > "${tmp}/args"
for a in "$@"; do case "$a" in --values=*/values.yaml) cp "\${a#--values=}" "${tmp}/inline-values";; esac; done
cat <<'YAML'
---
# Source: podinfo/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web-podinfo
spec:
  ports: [{port: 9898}]
---
# Source: podinfo/templates/crd.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: things.example.com
YAML
`,
    );
    chmodSync(helm, 0o755);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const app = (helmSpec: Record<string, unknown>): App => ({
    id: 'argo:argocd/web',
    name: 'web',
    kind: 'argo-application',
    path: CHART,
    sourceType: 'helm',
    destinationNamespace: 'shop',
    definition: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'web' }, spec: { source: { repoURL: 'https://x/r', path: 'charts/podinfo', helm: helmSpec } } },
  });

  it('parses helm output, defaults namespaces of namespaced objects, and gives no source location', async () => {
    const r = await renderApp(app({ valuesObject: { replicaCount: 2 } }), { runner: nodeProcessRunner, trusted: true, helmPath: helm });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.objects.map((o) => [o.object.kind, o.object.metadata.namespace, o.source]),
      [
        ['Service', 'shop', undefined],
        ['CustomResourceDefinition', undefined, undefined],
      ],
    );
    const args = readFileSync(path.join(tmp, 'args'), 'utf8').trim().split('\n');
    assert.deepEqual(args.slice(0, 3), ['template', '--include-crds', '--namespace=shop']);
    assert.deepEqual(args.slice(-3), ['--', 'web', CHART]);
    assert.equal(readFileSync(path.join(tmp, 'inline-values'), 'utf8').trim(), 'replicaCount: 2');
  });

  it('refuses a release name or namespace that is not a DNS-1123 name without running helm (issue 18 item 9)', async () => {
    writeFileSync(path.join(tmp, 'args'), '');
    for (const releaseName of ['--post-renderer=/bin/sh', '-x', 'Web', 'a'.repeat(54)]) {
      const r = await renderApp(app({ releaseName }), { runner: nodeProcessRunner, trusted: true, helmPath: helm });
      assert.equal(r.objects.length, 0, releaseName);
      assert.equal(r.errors[0]?.reason, 'invalid', releaseName);
      assert.match(r.errors[0].message, /helm release name .* is not valid/);
    }
    const ns = await renderApp({ ...app({}), destinationNamespace: '--kube-context=prod' }, { runner: nodeProcessRunner, trusted: true, helmPath: helm });
    assert.match(ns.errors[0]?.message ?? '', /namespace "--kube-context=prod" .* is not a valid Kubernetes namespace/);
    assert.equal(readFileSync(path.join(tmp, 'args'), 'utf8'), '', 'helm never ran');
  });

  it('puts -- before the release name and chart and passes every value as --flag=value (issue 18 item 9)', async () => {
    const r = await renderApp(app({ parameters: [{ name: 'image.tag', value: '--debug' }] }), { runner: nodeProcessRunner, trusted: true, helmPath: helm });
    assert.deepEqual(r.errors, []);
    const args = readFileSync(path.join(tmp, 'args'), 'utf8').trim().split('\n');
    assert.deepEqual(args, ['template', '--include-crds', '--namespace=shop', '--set=image.tag=--debug', '--', 'web', CHART]);
  });

  it('turns a failing helm into a render error with its stderr', async () => {
    const failing = path.join(tmp, 'helm-fail');
    writeFileSync(failing, '#!/bin/sh\necho "Error: chart requires kubeVersion >=1.40" >&2\nexit 1\n');
    chmodSync(failing, 0o755);
    const r = await renderApp(app({}), { runner: nodeProcessRunner, trusted: true, helmPath: failing });
    assert.equal(r.objects.length, 0);
    assert.equal(r.errors[0].reason, 'render');
    assert.match(r.errors[0].message, /helm template .* failed: Error: chart requires kubeVersion/);
  });

  it('throws a cancelled error for an aborted signal before running anything', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(renderApp(app({}), { runner: nodeProcessRunner, trusted: true, helmPath: helm, signal: ac.signal }), (e: Error & { reason?: string }) => e.reason === 'cancelled');
  });
});
