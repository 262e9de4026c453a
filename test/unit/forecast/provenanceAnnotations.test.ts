// Issue 17.8: decorations in a shared kustomize base. The demo's podinfo base (shared by staging and production)
// must not show production's live replicas against the base's `replicas: 1`; the overlay line that sets 3 gets it.
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { annotateWithProvenance, type ProvenanceItem } from '../../../src/core/engine/provenanceAnnotations';
import { fieldSetter } from '../../../src/core/engine/fieldSetter';
import type { FieldChange, ResourceDiff } from '../../../src/core/model';

const DEMO = path.resolve(__dirname, '../../emulator/demo/templates/podinfo');
const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);
const lineOf = (file: string, re: RegExp) => read(file)!.split('\n').findIndex((l) => re.test(l)) + 1;

const base = path.join(DEMO, 'base/deployment.yaml');
const baseK = path.join(DEMO, 'base/kustomization.yaml');
const prodK = path.join(DEMO, 'overlays/production/kustomization.yaml');
const replicas: FieldChange = { path: 'spec.replicas', category: 'modified', desired: 3, live: 5, manager: 'kubectl-edit' };
const logLevel: FieldChange = { path: 'spec.template.spec.containers[name=podinfo].env[name=PODINFO_LOG_LEVEL]', category: 'live-only', live: { name: 'PODINFO_LOG_LEVEL', value: 'debug' }, manager: 'kubectl-edit' };

function deployment(ns: string, changes: FieldChange[], file = base): ResourceDiff {
  return {
    ref: { group: 'apps', kind: 'Deployment', namespace: ns, name: 'podinfo' },
    status: 'Modified',
    changes,
    source: { file, documentIndex: 0, startLine: 1, endLine: 40 },
    desired: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'podinfo' }, spec: { replicas: 3, template: { spec: { containers: [{ name: 'podinfo', image: 'ghcr.io/stefanprodan/podinfo:6.7.1' }] } } } },
  };
}

const production = (changes: FieldChange[] = [replicas, logLevel]): ProvenanceItem => ({
  app: 'podinfo-production',
  diff: deployment('podinfo-production', changes),
  origin: { kind: 'kustomize', resourceFile: base, documentIndex: 0, chain: [prodK, baseK] },
});

describe('decorations follow kustomize provenance (issue 17.8)', () => {
  it('the shared base replicas line gets only a pointer to the production overlay, not production\'s live value', () => {
    const anns = annotateWithProvenance(base, read(base)!, [production()], read);
    const replicasLine = lineOf(base, /^\s*replicas: 1/);
    const onReplicas = anns.filter((a) => a.line === replicasLine);
    assert.equal(onReplicas.length, 1, JSON.stringify(anns));
    assert.equal(onReplicas[0].pointer, true);
    assert.equal(onReplicas[0].text, `podinfo-production: set in overlays/production/kustomization.yaml:${lineOf(prodK, /count: 3/)}`);
    assert.ok(!anns.some((a) => /live: 5/.test(a.text)), 'no live value against the base line');
  });

  it('the overlay line that sets the effective value carries the drift and names the app', () => {
    const anns = annotateWithProvenance(prodK, read(prodK)!, [production()], read);
    assert.deepEqual(
      anns.map((a) => [a.line, a.text, a.pointer]),
      [[lineOf(prodK, /count: 3/), 'live: 5 (kubectl-edit) · podinfo-production', false]],
    );
    assert.equal(anns[0].setter?.via, 'replicas');
  });

  it('a live-only field (set nowhere in Git) stays on the base, naming the app it belongs to', () => {
    const anns = annotateWithProvenance(base, read(base)!, [production()], read);
    const env = anns.find((a) => a.change === logLevel);
    assert.ok(env && !env.pointer);
    assert.match(env.text, /^live adds env PODINFO_LOG_LEVEL: debug \(kubectl-edit\) · podinfo-production$/);
  });

  it('a field the base itself sets (staging, no overlay entry) is shown on the base line, naming the app', () => {
    const staging: ProvenanceItem = {
      app: 'podinfo-staging',
      diff: deployment('podinfo-staging', [{ ...replicas, desired: 1 }]),
      origin: { kind: 'kustomize', resourceFile: base, documentIndex: 0, chain: [path.join(DEMO, 'overlays/staging/kustomization.yaml'), baseK] },
    };
    const anns = annotateWithProvenance(base, read(base)!, [staging, production([replicas])], read);
    const onReplicas = anns.filter((a) => a.line === lineOf(base, /^\s*replicas: 1/));
    assert.deepEqual(onReplicas.map((a) => [a.text, a.pointer]).sort(), [
      ['live: 5 (kubectl-edit) · podinfo-staging', false],
      [`podinfo-production: set in overlays/production/kustomization.yaml:${lineOf(prodK, /count: 3/)}`, true],
    ]);
  });

  it('an inline JSON 6902 patch of the overlay sets the field: its `path:` line', () => {
    const hpa: ResourceDiff = {
      ref: { group: 'autoscaling', kind: 'HorizontalPodAutoscaler', namespace: 'podinfo-production', name: 'podinfo' },
      status: 'Modified',
      changes: [{ path: 'spec.minReplicas', category: 'modified', desired: 3, live: 4 }],
      source: { file: path.join(DEMO, 'base/hpa.yaml'), documentIndex: 0, startLine: 1, endLine: 20 },
    };
    const s = fieldSetter({ kind: 'kustomize', resourceFile: path.join(DEMO, 'base/hpa.yaml'), documentIndex: 0, chain: [prodK, baseK] }, hpa, hpa.changes[0], read);
    assert.deepEqual(s, { file: prodK, line: lineOf(prodK, /path: \/spec\/minReplicas/), via: 'patch' });
  });

  it('an images: entry and a strategic-merge patch file are setters too; the root-most wins', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'setter-'));
    try {
      fs.mkdirSync(path.join(dir, 'base'));
      fs.mkdirSync(path.join(dir, 'prod'));
      fs.copyFileSync(base, path.join(dir, 'base/deployment.yaml'));
      fs.writeFileSync(path.join(dir, 'base/kustomization.yaml'), 'resources: [deployment.yaml]\nimages:\n  - name: ghcr.io/stefanprodan/podinfo\n    newTag: 6.7.0\n');
      fs.writeFileSync(path.join(dir, 'prod/kustomization.yaml'), 'resources: [../base]\nimages:\n  - name: ghcr.io/stefanprodan/podinfo\n    newTag: 6.7.1\npatches:\n  - path: resources.yaml\n');
      fs.writeFileSync(path.join(dir, 'prod/resources.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\nspec:\n  template:\n    spec:\n      containers:\n        - name: podinfo\n          resources:\n            limits:\n              memory: 256Mi\n');
      const origin = { kind: 'kustomize' as const, resourceFile: path.join(dir, 'base/deployment.yaml'), documentIndex: 0, chain: [path.join(dir, 'prod/kustomization.yaml'), path.join(dir, 'base/kustomization.yaml')] };
      const d = deployment('prod', [], origin.resourceFile);
      const image: FieldChange = { path: 'spec.template.spec.containers[name=podinfo].image', category: 'modified', desired: 'ghcr.io/stefanprodan/podinfo:6.7.1', live: 'ghcr.io/stefanprodan/podinfo:6.8.0' };
      assert.deepEqual(fieldSetter(origin, d, image, read), { file: path.join(dir, 'prod/kustomization.yaml'), line: 4, via: 'images' });
      const memory: FieldChange = { path: 'spec.template.spec.containers[name=podinfo].resources.limits.memory', category: 'modified', desired: '256Mi', live: '512Mi' };
      assert.deepEqual(fieldSetter(origin, d, memory, read), { file: path.join(dir, 'prod/resources.yaml'), line: 12, via: 'patch' });
      assert.equal(fieldSetter(origin, d, { path: 'spec.template.spec.containers[name=podinfo].resources.requests.cpu', category: 'modified', desired: '100m', live: '1' }, read), undefined, 'the base sets it');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
