import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { renderApp, type RenderResult } from '../../../src/core/render';

/** Fails the test instead of hanging when the render has no deadline of its own. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`no answer within ${ms} ms: the render has no deadline`)), ms)))]).finally(() => clearTimeout(t));
}

describe('render deadlines (issue 18 item 5)', function () {
  this.timeout(20000);
  let tmp: string;
  let stuck: string;
  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'render-timeout-'));
    // Stands in for kustomize/helm waiting on a remote resource that never answers.
    stuck = path.join(tmp, 'stuck');
    writeFileSync(stuck, '#!/bin/sh\nexec sleep 8\n');
    chmodSync(stuck, 0o755);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const app = (dir: string, sourceType: App['sourceType']): App => ({ id: `folder:${dir}`, name: 'web', kind: 'folder', path: dir, sourceType });

  it('stops a kustomize build at the deadline and says which tool, folder and deadline', async () => {
    const dir = path.join(tmp, 'k');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources:\n- https://example.invalid/never?ref=main\n');
    const started = Date.now();
    const r: RenderResult = await within(5000, renderApp(app(dir, 'kustomize'), { runner: nodeProcessRunner, trusted: true, kustomizePath: stuck, timeoutMs: 300 }));
    assert.ok(Date.now() - started < 4000);
    assert.deepEqual(r.objects, []);
    assert.equal(r.errors[0]?.reason, 'timeout');
    assert.equal(r.errors[0].message.split(';')[0], `stuck build in ${dir} did not finish within 0.3 s`);
  });

  it('stops helm template at the deadline', async () => {
    const dir = path.join(tmp, 'chart');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
    const r = await within(5000, renderApp(app(dir, 'helm'), { runner: nodeProcessRunner, trusted: true, helmPath: stuck, timeoutMs: 1000 }));
    assert.equal(r.errors[0]?.reason, 'timeout');
    assert.match(r.errors[0].message, new RegExp(`^stuck template in ${dir} did not finish within 1 s`));
  });
});
