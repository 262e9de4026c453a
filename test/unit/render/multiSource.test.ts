// Issue 14 item 4: multi-source Applications render every source; `$ref/...` value files come from the ref
// source's checkout in the workspace (pinned helm).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appFromArgoApplication } from '../../../src/core/discovery';
import type { KubeObject } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';
import { RenderCache } from '../../../src/core/render/renderCache';

describe('render: multi-source Argo CD Applications (issue 14 item 4)', function () {
  this.timeout(60_000);
  let ws: string;
  let charts: string;
  let values: string;
  const CHARTS_URL = 'https://example.com/charts.git';
  const VALUES_URL = 'https://example.com/values.git';
  before(async () => {
    ws = await fs.mkdtemp(path.join(os.tmpdir(), 'gd-multisource-'));
    charts = path.join(ws, 'charts');
    values = path.join(ws, 'values');
    await fs.mkdir(path.join(charts, 'web', 'templates'), { recursive: true });
    await fs.mkdir(path.join(values, 'envs', 'prod'), { recursive: true });
    await fs.mkdir(path.join(values, 'extra'), { recursive: true });
    for (const d of [charts, values]) execFileSync('git', ['init', '-q', d]);
    await fs.writeFile(path.join(charts, 'web', 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
    await fs.writeFile(path.join(charts, 'web', 'values.yaml'), 'size: small\n');
    await fs.writeFile(path.join(charts, 'web', 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  size: {{ .Values.size | quote }}\n');
    await fs.writeFile(path.join(values, 'envs', 'prod', 'values.yaml'), 'size: large\n');
    await fs.writeFile(path.join(values, 'extra', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n');
  });
  after(() => fs.rm(ws, { recursive: true, force: true }));

  const repos = () => [
    { root: charts, urls: [CHARTS_URL] },
    { root: values, urls: [VALUES_URL] },
  ];
  const application = (valueFile: string): KubeObject => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'web', namespace: 'argocd' },
    spec: {
      destination: { namespace: 'shop' },
      sources: [
        { repoURL: CHARTS_URL, path: 'web', helm: { valueFiles: [valueFile] } },
        { repoURL: VALUES_URL, ref: 'values' },
        { repoURL: VALUES_URL, path: 'extra' },
      ],
    },
  });

  it('renders every source, with $values/... value files from the ref source', async () => {
    const app = appFromArgoApplication(application('$values/envs/prod/values.yaml'), repos());
    assert.equal(app.sources?.length, 2);
    const r = await renderApp(app, { runner: nodeProcessRunner, trusted: true });
    assert.deepEqual(r.errors.map((e) => e.message), []);
    assert.deepEqual(r.objects.map((o) => `${o.object.metadata.namespace}/${o.object.metadata.name}`).sort(), ['shop/extra', 'shop/web']);
    assert.equal((r.objects.find((o) => o.object.metadata.name === 'web')!.object.data as Record<string, string>).size, 'large');
  });

  it('an unknown ref or a ref path leaving its repository is a problem, not a silent default', async () => {
    const missing = appFromArgoApplication(application('$nope/values.yaml'), repos());
    assert.match(missing.sources![0].problem ?? '', /no source has ref: nope/);
    const escape = appFromArgoApplication(application('$values/../charts/web/values.yaml'), repos());
    assert.match(escape.sources![0].problem ?? '', /outside the repository/);
  });
});

describe('render/renderCache inputs for issue 14 renders', () => {
  it('a multi-source app reads every source and its $ref value files; a Flux app with substituteFrom is never cached', async () => {
    const ws = await fs.mkdtemp(path.join(os.tmpdir(), 'gd-ms-cache-'));
    try {
      await fs.mkdir(path.join(ws, 'a'));
      await fs.mkdir(path.join(ws, 'b'));
      await fs.writeFile(path.join(ws, 'a', 'kustomization.yaml'), 'resources: []\n');
      await fs.writeFile(path.join(ws, 'b', 'kustomization.yaml'), 'resources: []\n');
      await fs.writeFile(path.join(ws, 'vals.yaml'), 'x: 1\n');
      const cache = new RenderCache({ runner: nodeProcessRunner });
      const sub = (p: string) => ({ id: `argo:argocd/m#${p}`, name: 'm', kind: 'argo-application' as const, path: path.join(ws, p), sourceType: 'kustomize' as const });
      const multi = { ...sub('a'), id: 'argo:argocd/m', sources: [sub('a'), sub('b')], refValueFiles: [path.join(ws, 'vals.yaml')] };
      const inputs = await cache.inputsOf(multi);
      assert.deepEqual(inputs.roots.map((r) => path.relative(ws, r)).sort(), ['a', 'b', 'vals.yaml']);
      const before = inputs.key;
      assert.ok(before);
      await fs.writeFile(path.join(ws, 'vals.yaml'), 'x: 2\n');
      assert.notEqual((await new RenderCache({ runner: nodeProcessRunner }).inputsOf(multi)).key, before, 'a $ref value file change is a new key');
      const flux = { ...sub('a'), kind: 'flux-kustomization' as const, definition: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'm' }, spec: { postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'vars' }] } } } };
      assert.equal((await cache.inputsOf(flux)).key, undefined);
    } finally {
      await fs.rm(ws, { recursive: true, force: true });
    }
  });
});
