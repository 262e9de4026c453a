import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { FieldChange, ResourceDiff } from '../../../src/core/model';
import { planCapture } from '../../../src/core/capture/planCapture';
import { isHumanManager, offerableChanges, preselectChanges } from '../../../src/core/capture/preselect';
import { parseImageRef } from '../../../src/core/capture/imageRef';

const BASE_DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0.0 # pinned
          env:
            - name: MODE
              value: prod
`;

function diffOf(changes: FieldChange[], extra: Partial<ResourceDiff> = {}): ResourceDiff {
  return {
    ref: { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'prod', name: 'prod-web' },
    status: 'Modified',
    changes,
    ...extra,
  };
}

const REPLICAS: FieldChange = { path: 'spec.replicas', category: 'modified', desired: 1, live: 4, manager: 'kubectl-scale', time: '2026-11-28T01:00:00Z' };
const IMAGE: FieldChange = { path: 'spec.template.spec.containers[name=web].image', category: 'modified', desired: 'ghcr.io/acme/web:1.0.0', live: 'ghcr.io/acme/web:1.0.1', manager: 'kubectl-set', time: '2026-11-28T01:01:00Z' };
const ENV: FieldChange = { path: 'spec.template.spec.containers[name=web].env[name=LOG_LEVEL]', category: 'live-only', live: { name: 'LOG_LEVEL', value: 'debug' }, manager: 'kubectl-edit', time: '2026-11-28T01:02:00Z' };
const HPA_CHANGE: FieldChange = { path: 'spec.template.spec.containers[name=web].resources.limits.cpu', category: 'modified', desired: '1', live: '2', manager: 'vpa-recommender' };

describe('capture/preselect', () => {
  it('preselects changes by human managers and never offers Secret data or server fields', () => {
    assert.equal(isHumanManager('kubectl-edit'), true);
    assert.equal(isHumanManager('kubectl-client-side-apply'), true);
    assert.equal(isHumanManager('argocd-controller'), false);
    assert.equal(isHumanManager('lens', ['lens']), true);
    assert.equal(isHumanManager(undefined), false);
    const d = diffOf([
      REPLICAS,
      HPA_CHANGE,
      ENV,
      { path: 'status.replicas', category: 'modified', live: 3, manager: 'kubectl-edit' },
      { path: 'metadata.namespace', category: 'modified', live: 'x', manager: 'kubectl-edit' },
      { path: 'metadata.managedFields', category: 'live-only', live: [], manager: 'kubectl-edit' },
    ]);
    assert.deepEqual(preselectChanges(d).map((c) => c.path), [REPLICAS.path, ENV.path]);
    assert.deepEqual(preselectChanges(d, ['vpa-recommender']).map((c) => c.path), [REPLICAS.path, HPA_CHANGE.path, ENV.path]);
    const secret: ResourceDiff = {
      ref: { group: '', kind: 'Secret', namespace: 'a', name: 's' },
      status: 'Modified',
      changes: [
        { path: 'data.password', category: 'modified', live: '++++', manager: 'kubectl-edit' },
        { path: 'stringData.x', category: 'live-only', live: 'y', manager: 'kubectl-edit' },
        { path: 'metadata.labels.team', category: 'live-only', live: 'a', manager: 'kubectl-edit' },
      ],
    };
    assert.deepEqual(offerableChanges(secret).map((c) => c.path), ['metadata.labels.team']);
    assert.deepEqual(preselectChanges(secret).map((c) => c.path), ['metadata.labels.team']);
  });

  it('splits image references like kustomize', () => {
    assert.deepEqual(parseImageRef('ghcr.io/acme/web:1.0.1'), { name: 'ghcr.io/acme/web', tag: '1.0.1', digest: undefined });
    assert.deepEqual(parseImageRef('localhost:5000/app'), { name: 'localhost:5000/app', digest: undefined });
    assert.deepEqual(parseImageRef('nginx@sha256:abc'), { name: 'nginx', digest: 'sha256:abc' });
  });
});

describe('capture/planCapture', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'capture-plan-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text: string): string => {
    const f = path.join(dir, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, text);
    return f;
  };

  it('plain file: edits the document in place and never writes', async () => {
    const f = write('app/deploy.yaml', `# service first\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\n${BASE_DEPLOY}`);
    const plan = await planCapture({ diff: diffOf([REPLICAS, ENV], { source: { file: f, documentIndex: 1, startLine: 7, endLine: 20 } }), changes: [REPLICAS, ENV] });
    assert.equal(plan.edits.length, 1);
    assert.equal(readFileSync(f, 'utf8'), plan.edits[0].before, 'planning does not write');
    const after = plan.edits[0].after;
    assert.match(after, /\n {2}replicas: 4\n/);
    assert.match(after, /image: ghcr.io\/acme\/web:1.0.0 # pinned/);
    assert.match(after, / {12}- name: LOG_LEVEL\n {14}value: debug\n$/);
    assert.deepEqual(plan.captured.map((c) => [c.target, c.action]), [['resource', 'set'], ['resource', 'set']]);
    assert.match(plan.explanation[0], /^Edit .*deploy\.yaml: spec\.replicas \(in place\)/);
  });

  it('kustomize base app: edits the base resource file when no kustomization touches the field', async () => {
    const res = write('base/deployment.yaml', BASE_DEPLOY);
    const k = write('base/kustomization.yaml', 'resources:\n  - deployment.yaml\n');
    const plan = await planCapture({ diff: diffOf([REPLICAS, IMAGE]), changes: [REPLICAS, IMAGE], origin: { kind: 'kustomize', resourceFile: res, documentIndex: 0, chain: [k] } });
    assert.deepEqual(plan.edits.map((e) => e.file), [res]);
    assert.match(plan.edits[0].after, /replicas: 4\n/);
    assert.match(plan.edits[0].after, /image: ghcr.io\/acme\/web:1.0.1 # pinned/);
  });

  it('kustomize base app with an images: entry updates that entry instead of the resource', async () => {
    const res = write('base/deployment.yaml', BASE_DEPLOY);
    const k = write('base/kustomization.yaml', 'resources:\n  - deployment.yaml\nimages:\n  - name: ghcr.io/acme/web\n    newTag: 1.0.0 # release\n');
    const plan = await planCapture({ diff: diffOf([IMAGE]), changes: [IMAGE], origin: { kind: 'kustomize', resourceFile: res, documentIndex: 0, chain: [k] } });
    assert.deepEqual(plan.edits.map((e) => e.file), [k]);
    assert.equal(plan.edits[0].after, 'resources:\n  - deployment.yaml\nimages:\n  - name: ghcr.io/acme/web\n    newTag: 1.0.1 # release\n');
  });

  it('kustomize overlay: images:, replicas: and a new strategic-merge patch file in the overlay', async () => {
    const res = write('base/deployment.yaml', BASE_DEPLOY);
    const baseK = write('base/kustomization.yaml', 'resources:\n  - deployment.yaml\n');
    const overlayText = '# production\nnamePrefix: prod-\nresources:\n  - ../../base\n';
    const overlay = write('overlays/prod/kustomization.yaml', overlayText);
    const renderedWeb = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'prod-web', namespace: 'prod' }, spec: { template: { spec: { containers: [{ name: 'web', image: 'ghcr.io/acme/web:1.0.0' }] } } } };
    const plan = await planCapture({
      diff: diffOf([REPLICAS, IMAGE, ENV]),
      changes: [REPLICAS, IMAGE, ENV],
      origin: { kind: 'kustomize', resourceFile: res, documentIndex: 0, chain: [overlay, baseK] },
      appObjects: [renderedWeb, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'prod-web' }, spec: { ports: [] } }],
    });
    const byFile = new Map(plan.edits.map((e) => [path.relative(dir, e.file), e]));
    assert.deepEqual([...byFile.keys()].sort(), ['overlays/prod/kustomization.yaml', 'overlays/prod/patch-deployment-web.yaml']);
    const k = byFile.get('overlays/prod/kustomization.yaml')!;
    assert.ok(k.after.startsWith(overlayText), 'existing overlay lines unchanged');
    assert.deepEqual(parse(k.after), {
      namePrefix: 'prod-',
      resources: ['../../base'],
      replicas: [{ name: 'web', count: 4 }],
      images: [{ name: 'ghcr.io/acme/web', newTag: '1.0.1' }],
      patches: [{ path: 'patch-deployment-web.yaml' }],
    });
    const p = byFile.get('overlays/prod/patch-deployment-web.yaml')!;
    assert.equal(p.before, undefined);
    assert.deepEqual(parse(p.after), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      // MODE is a key-only stub: it keeps the base item first, as it is live (kustomize puts patch items first).
      spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'MODE' }, { name: 'LOG_LEVEL', value: 'debug' }] }] } } },
    });
    assert.deepEqual(plan.captured.map((c) => c.target), ['replicas', 'images', 'patch']);
    // The real kustomize renders the live values from the written overlay.
    for (const e of plan.edits) writeFileSync(e.file, e.after);
    const rendered = parse(execFileSync('kubectl', ['kustomize', path.join(dir, 'overlays/prod')], { encoding: 'utf8' }));
    assert.equal(rendered.metadata.name, 'prod-web');
    assert.equal(rendered.spec.replicas, 4);
    assert.deepEqual(rendered.spec.template.spec.containers[0], {
      name: 'web',
      image: 'ghcr.io/acme/web:1.0.1',
      env: [{ name: 'MODE', value: 'prod' }, { name: 'LOG_LEVEL', value: 'debug' }],
    });
  });

  it('kustomize overlay: reuses an existing patch of the object and updates existing entries', async () => {
    const res = write('base/deployment.yaml', BASE_DEPLOY);
    const baseK = write('base/kustomization.yaml', 'resources:\n  - deployment.yaml\n');
    const overlay = write(
      'overlays/prod/kustomization.yaml',
      'resources:\n  - ../../base\nreplicas:\n  - name: web\n    count: 2\npatches:\n  - path: resources.yaml\n',
    );
    const patchText = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          resources: {limits: {cpu: "1"}}\n';
    const patchFile = write('overlays/prod/resources.yaml', patchText);
    const removed: FieldChange = { path: 'spec.template.spec.containers[name=web].env[name=MODE]', category: 'missing', desired: { name: 'MODE', value: 'prod' }, manager: 'kubectl-edit' };
    const plan = await planCapture({ diff: diffOf([REPLICAS, ENV, removed]), changes: [REPLICAS, ENV, removed], origin: { kind: 'kustomize', resourceFile: res, documentIndex: 0, chain: [overlay, baseK] } });
    const k = plan.edits.find((e) => e.file === overlay)!;
    assert.equal(k.after, 'resources:\n  - ../../base\nreplicas:\n  - name: web\n    count: 4\npatches:\n  - path: resources.yaml\n');
    const p = plan.edits.find((e) => e.file === patchFile)!;
    assert.ok(p.after.startsWith(patchText));
    assert.deepEqual(parse(p.after).spec.template.spec.containers[0].env, [
      { name: 'MODE', $patch: 'delete' },
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);
    assert.equal(plan.edits.length, 2);
    for (const e of plan.edits) writeFileSync(e.file, e.after);
    const rendered = parse(execFileSync('kubectl', ['kustomize', path.join(dir, 'overlays/prod')], { encoding: 'utf8' }));
    assert.equal(rendered.spec.replicas, 4);
    assert.deepEqual(rendered.spec.template.spec.containers[0].env, [{ name: 'LOG_LEVEL', value: 'debug' }]);
    assert.deepEqual(rendered.spec.template.spec.containers[0].resources, { limits: { cpu: '1' } });
  });

  it('kustomize overlay over a base with its own images:/replicas: entries leaves the shared base alone', async () => {
    const res = write('base/deployment.yaml', BASE_DEPLOY);
    const baseKText = 'resources:\n  - deployment.yaml\nimages:\n  - name: ghcr.io/acme/web\n    newName: registry.acme.io/web\n    newTag: 1.0.0\nreplicas:\n  - name: web\n    count: 2\n';
    const baseK = write('base/kustomization.yaml', baseKText);
    const overlay = write('overlays/prod/kustomization.yaml', 'resources:\n  - ../../base\n');
    const image: FieldChange = { ...IMAGE, desired: 'registry.acme.io/web:1.0.0', live: 'registry.acme.io/web:1.0.1' };
    const renderedWeb = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'web', image: 'registry.acme.io/web:1.0.0' }] } } } };
    const plan = await planCapture({
      diff: { ...diffOf([REPLICAS, image]), ref: { group: 'apps', kind: 'Deployment', namespace: '', name: 'web' } },
      changes: [REPLICAS, image],
      origin: { kind: 'kustomize', resourceFile: res, documentIndex: 0, chain: [overlay, baseK] },
      appObjects: [renderedWeb],
    });
    assert.deepEqual(plan.edits.map((e) => path.relative(dir, e.file)), ['overlays/prod/kustomization.yaml']);
    assert.deepEqual(parse(plan.edits[0].after), { resources: ['../../base'], replicas: [{ name: 'web', count: 4 }], images: [{ name: 'registry.acme.io/web', newTag: '1.0.1' }] });
    for (const e of plan.edits) writeFileSync(e.file, e.after);
    assert.equal(readFileSync(baseK, 'utf8'), baseKText);
    const rendered = parse(execFileSync('kubectl', ['kustomize', path.join(dir, 'overlays/prod')], { encoding: 'utf8' }));
    assert.equal(rendered.spec.replicas, 4);
    assert.equal(rendered.spec.template.spec.containers[0].image, 'registry.acme.io/web:1.0.1');
  });

  it('kustomize overlay without the rendered objects puts an image change in a patch (images: could retag others)', async () => {
    const res = write('base/deployment.yaml', BASE_DEPLOY);
    const baseK = write('base/kustomization.yaml', 'resources:\n  - deployment.yaml\n');
    const overlay = write('overlays/prod/kustomization.yaml', 'resources:\n  - ../../base\n');
    const plan = await planCapture({ diff: diffOf([IMAGE]), changes: [IMAGE], origin: { kind: 'kustomize', resourceFile: res, documentIndex: 0, chain: [overlay, baseK] } });
    assert.deepEqual(plan.captured.map((c) => c.target), ['patch']);
    for (const e of plan.edits) writeFileSync(e.file, e.after);
    const rendered = parse(execFileSync('kubectl', ['kustomize', path.join(dir, 'overlays/prod')], { encoding: 'utf8' }));
    assert.equal(rendered.spec.template.spec.containers[0].image, 'ghcr.io/acme/web:1.0.1');
  });

  it('helm: explains which value to change and writes nothing unless a mapping is given', async () => {
    const plan = await planCapture({ diff: diffOf([REPLICAS, IMAGE]), changes: [REPLICAS, IMAGE], origin: { kind: 'helm', chart: 'charts/web', valuesFiles: ['values.yaml'] } });
    assert.deepEqual(plan.edits, []);
    assert.match(plan.refused[0].reason, /replicaCount.*values\.yaml.*4/);
    assert.match(plan.refused[1].reason, /image\.repository \/ image\.tag/);
    const values = write('values.yaml', 'replicaCount: 1 # default\nimage:\n  tag: 1.0.0\n');
    const mapped = await planCapture({
      diff: diffOf([REPLICAS]),
      changes: [REPLICAS],
      origin: { kind: 'helm', valueMappings: { 'spec.replicas': { file: values, path: 'replicaCount' } } },
    });
    assert.equal(mapped.edits[0].after, 'replicaCount: 4 # default\nimage:\n  tag: 1.0.0\n');
  });

  it('generated objects and Secret data are refused with reasons', async () => {
    const gen = await planCapture({ diff: diffOf([REPLICAS]), changes: [REPLICAS], origin: { kind: 'generated', generator: 'configMapGenerator' } });
    assert.deepEqual(gen.edits, []);
    assert.match(gen.explanation[0], /generated by configMapGenerator/);
    const f = write('secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: b2xk\n');
    const change: FieldChange = { path: 'data.password', category: 'modified', live: 'bmV3', manager: 'kubectl-edit' };
    const plan = await planCapture({
      diff: { ref: { group: '', kind: 'Secret', namespace: 'a', name: 's' }, status: 'Modified', changes: [change] },
      changes: [change],
      origin: { kind: 'plain', file: f, documentIndex: 0 },
    });
    assert.deepEqual(plan.edits, []);
    assert.match(plan.refused[0].reason, /Secret data is never written/);
  });

  it('honours an aborted signal', async () => {
    const f = write('d.yaml', BASE_DEPLOY);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(planCapture({ diff: diffOf([REPLICAS]), changes: [REPLICAS], origin: { kind: 'plain', file: f, documentIndex: 0 }, signal: ac.signal }), (e: Error & { reason?: string }) => e.reason === 'cancelled');
  });
});

describe('capture/planCapture atomic lists', () => {
  it('two removals by index in one list take the live list, not shifted positions', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'capture-plan-'));
    try {
      const f = path.join(dir, 'd.yaml');
      writeFileSync(f, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          args:\n            - --a\n            - --b # drop\n            - --c # drop\n            - --d\n');
      const live = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'web', args: ['--a', '--d'] }] } } } };
      const changes: FieldChange[] = [
        { path: 'spec.template.spec.containers[name=web].args[1]', category: 'missing', desired: '--b', manager: 'kubectl-edit' },
        { path: 'spec.template.spec.containers[name=web].args[2]', category: 'missing', desired: '--c', manager: 'kubectl-edit' },
      ];
      const plan = await planCapture({ diff: { ...diffOf(changes), live }, changes, origin: { kind: 'plain', file: f, documentIndex: 0 } });
      assert.deepEqual(parse(plan.edits[0].after).spec.template.spec.containers[0].args, ['--a', '--d']);
      assert.match(plan.edits[0].after, /args:\n {12}- --a\n {12}- --d\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
