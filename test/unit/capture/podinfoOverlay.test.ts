import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { FieldChange, KubeObject, ResourceDiff } from '../../../src/core/model';
import { planCapture } from '../../../src/core/capture/planCapture';

const PODINFO_DEPLOY = path.resolve(__dirname, '../../fixtures/real-repos/stefanprodan__podinfo/deploy');

function render(dir: string): KubeObject[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return parseAllDocuments(out).map((d) => d.toJS() as KubeObject);
}

/** The fixture keeps YAML (and a few configs) only: generator input files that are missing get stand-ins. */
function stubGeneratorFiles(root: string): void {
  for (const e of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (e.name !== 'kustomization.yaml') continue;
    const kdir = path.join(e.parentPath, '');
    const k = parse(readFileSync(path.join(kdir, e.name), 'utf8')) ?? {};
    for (const g of [...(k.configMapGenerator ?? []), ...(k.secretGenerator ?? [])]) {
      for (const f of g.files ?? []) {
        const file = path.join(kdir, String(f).replace(/^[^=]*=/, ''));
        if (!existsSync(file)) {
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, 'stand-in\n');
        }
      }
    }
  }
}

const find = (objs: KubeObject[], kind: string, name: string): any => objs.find((o) => o.kind === kind && o.metadata.name === name);

describe('capture into the real podinfo production overlay', function () {
  this.timeout(60000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'capture-podinfo-'));
    cpSync(PODINFO_DEPLOY, dir, { recursive: true });
    stubGeneratorFiles(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes replicas: and a patch (the image is shared, so not images:) into the overlay; kustomize renders the live values', async () => {
    const overlay = path.join(dir, 'overlays/production/kustomization.yaml');
    const baseK = path.join(dir, 'bases/frontend/kustomization.yaml');
    const resource = path.join(dir, 'bases/frontend/deployment.yaml');
    const overlayBefore = readFileSync(overlay, 'utf8');
    const baseBefore = readFileSync(resource, 'utf8');
    const renderedBefore = render(path.join(dir, 'overlays/production'));
    const desired = find(renderedBefore, 'Deployment', 'frontend');
    const live = structuredClone(desired);
    const c = live.spec.template.spec.containers[0];
    c.image = 'ghcr.io/stefanprodan/podinfo:6.14.2';
    c.command[3] = '--level=info';
    c.env[0].value = '#ff0000';
    c.env.push({ name: 'PODINFO_UI_MESSAGE', value: 'hotfix' });
    live.spec.replicas = 3;

    const changes: FieldChange[] = [
      { path: 'spec.template.spec.containers[name=frontend].image', category: 'modified', desired: desired.spec.template.spec.containers[0].image, live: c.image, manager: 'kubectl-set' },
      { path: 'spec.replicas', category: 'live-only', live: 3, manager: 'kubectl-scale' },
      { path: 'spec.template.spec.containers[name=frontend].env[name=PODINFO_UI_COLOR].value', category: 'modified', desired: '#34577c', live: '#ff0000', manager: 'kubectl-edit' },
      { path: 'spec.template.spec.containers[name=frontend].env[name=PODINFO_UI_MESSAGE]', category: 'live-only', live: { name: 'PODINFO_UI_MESSAGE', value: 'hotfix' }, manager: 'kubectl-edit' },
      { path: 'spec.template.spec.containers[name=frontend].command[3]', category: 'modified', desired: '--level=debug', live: '--level=info', manager: 'kubectl-edit' },
    ];
    const diff: ResourceDiff = { ref: { group: 'apps', kind: 'Deployment', namespace: 'production', name: 'frontend' }, status: 'Modified', changes, desired, live };
    const plan = await planCapture({ diff, changes, appObjects: renderedBefore, origin: { kind: 'kustomize', resourceFile: resource, documentIndex: 0, chain: [overlay, baseK] } });
    assert.deepEqual(plan.refused, []);
    assert.deepEqual(plan.edits.map((e) => path.relative(dir, e.file)).sort(), ['overlays/production/kustomization.yaml', 'overlays/production/patch-deployment-frontend.yaml']);
    assert.deepEqual(plan.captured.map((p) => p.target), ['patch', 'replicas', 'patch', 'patch', 'patch']);
    assert.ok(plan.explanation.some((l) => /patch-deployment-frontend\.yaml/.test(l)));
    const k = plan.edits.find((e) => e.file === overlay)!;
    assert.ok(k.after.startsWith(overlayBefore), 'existing overlay lines are byte-identical');
    for (const e of plan.edits) writeFileSync(e.file, e.after);
    assert.equal(readFileSync(resource, 'utf8'), baseBefore, 'the shared base is not touched');

    const renderedAfter = render(path.join(dir, 'overlays/production'));
    const got = find(renderedAfter, 'Deployment', 'frontend');
    assert.deepEqual(got, live, 'rendering the overlay now gives the live object');
    // Every other object renders exactly as before.
    assert.deepEqual(
      renderedAfter.filter((o) => !(o.kind === 'Deployment' && o.metadata.name === 'frontend')),
      renderedBefore.filter((o) => !(o.kind === 'Deployment' && o.metadata.name === 'frontend')),
    );
  });
});
