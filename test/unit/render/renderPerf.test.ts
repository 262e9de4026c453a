import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubeObject } from '../../../src/core/model';
import { nodeProcessRunner, type ProcessRunner } from '../../../src/core/ports';
import { collectKustomizeOrigins, FileCache, KustomizeTreeCache, limiterFor, matchOrigin, OriginIndex, renderKustomize, SpawnLimiter, type KustomizeOrigin } from '../../../src/core/render';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('render/SpawnLimiter', () => {
  it('never runs more than max tasks at once and runs them all, in order of arrival', async () => {
    const limiter = new SpawnLimiter(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        limiter.run(async () => {
          started.push(i);
          peak = Math.max(peak, ++running);
          await tick();
          running--;
          return i * 10;
        }),
      ),
    );
    assert.equal(peak, 2);
    assert.deepEqual(results, [0, 10, 20, 30, 40, 50, 60]);
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6]);
  });

  it('frees the slot when a task fails and rejects a waiting task whose signal was aborted without running it', async () => {
    const limiter = new SpawnLimiter(1);
    const ac = new AbortController();
    let ranAborted = false;
    const failing = limiter.run(async () => {
      await tick();
      throw new Error('boom');
    });
    const aborted = limiter.run(async () => {
      ranAborted = true;
    }, ac.signal);
    ac.abort();
    await assert.rejects(failing, /boom/);
    await assert.rejects(aborted, (e: Error & { reason?: string }) => e.reason === 'cancelled');
    assert.equal(ranAborted, false);
    assert.equal(await limiter.run(async () => 'next'), 'next');
  });

  it('bounds concurrent kustomize builds per runner', async () => {
    let running = 0;
    let peak = 0;
    const runner: ProcessRunner = {
      async run(cmd, args, opts) {
        peak = Math.max(peak, ++running);
        try {
          return await nodeProcessRunner.run(cmd, args, opts);
        } finally {
          running--;
        }
      },
    };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'render-perf-'));
    try {
      writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: [cm.yaml]\n');
      writeFileSync(path.join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
      const results = await Promise.all(Array.from({ length: 6 }, () => renderKustomize(dir, { runner, kustomizePath: 'kubectl' })));
      assert.ok(results.every((r) => r.errors.length === 0 && r.objects.length === 1));
      assert.ok(peak >= 1 && peak <= limiterFor(runner).max, `peak ${peak}`);
      assert.ok(limiterFor(runner).max >= 2 && limiterFor(runner).max <= 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('render/FileCache and collectKustomizeOrigins caching', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'render-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('derives a file once until its size or mtime changes', async () => {
    const cache = new FileCache<string>();
    const file = path.join(dir, 'a.txt');
    writeFileSync(file, 'one');
    let derived = 0;
    const derive = (t: string) => {
      derived++;
      return t.toUpperCase();
    };
    assert.equal(await cache.get(file, derive), 'ONE');
    assert.equal(await cache.get(file, derive), 'ONE');
    assert.equal(derived, 1);
    writeFileSync(file, 'two');
    utimesSync(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
    assert.equal(await cache.get(file, derive), 'TWO');
    assert.equal(derived, 2);
  });

  it('keeps at most maxEntries files, dropping the oldest', async () => {
    const cache = new FileCache<string>(2);
    for (const n of ['a', 'b', 'c']) {
      writeFileSync(path.join(dir, n), n);
      await cache.get(path.join(dir, n), (t) => t);
    }
    assert.equal(cache.size, 2);
  });

  it('reuses parsed resource files across apps sharing a base, and sees edits', async () => {
    writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources:\n- base.yaml\n');
    writeFileSync(path.join(dir, 'base.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n');
    const cache = new KustomizeTreeCache();
    const a = await collectKustomizeOrigins(dir, undefined, cache);
    const b = await collectKustomizeOrigins(dir, undefined, cache);
    assert.deepEqual(b, a);
    assert.equal(cache.resources.size, 1);
    assert.equal(cache.kustomizations.size, 1);
    writeFileSync(path.join(dir, 'base.yaml'), '# moved down\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: renamed\n');
    const c = await collectKustomizeOrigins(dir, undefined, cache);
    assert.deepEqual(c.map((o) => [o.name, o.source.startLine]), [['renamed', 2]]);
  });
});

describe('render/OriginIndex', () => {
  const origin = (kind: string, name: string, expectedName: string, expectedNamespace?: string, group = ''): KustomizeOrigin => ({
    group,
    kind,
    name,
    expectedName,
    expectedNamespace,
    source: { file: `/r/${kind}-${name}-${expectedNamespace ?? ''}.yaml`, documentIndex: 0, startLine: 1, endLine: 2 },
    chain: [],
  });
  const obj = (kind: string, name: string, namespace?: string, apiVersion = 'v1'): KubeObject => ({ apiVersion, kind, metadata: { name, namespace } });

  it('matches like matchOrigin: transformed name and namespace first, then the original name, then a unique contained name', () => {
    const origins = [
      origin('ConfigMap', 'cfg', 'p-cfg', 'a'),
      origin('ConfigMap', 'cfg', 'p-cfg', 'b'),
      origin('ConfigMap', 'web', 'web'),
      origin('Secret', 'tls', 'tls'),
      origin('Deployment', 'api', 'api', undefined, 'apps'),
      origin('Service', 'x', 'x'),
      origin('Service', 'xy', 'xy'),
    ];
    const index = new OriginIndex(origins);
    const cases: [KubeObject, KustomizeOrigin | undefined][] = [
      [obj('ConfigMap', 'p-cfg', 'b'), origins[1]],
      [obj('ConfigMap', 'p-cfg'), origins[0]],
      [obj('ConfigMap', 'p-cfg', 'zzz'), origins[0]],
      [obj('ConfigMap', 'cfg'), origins[0]],
      [obj('ConfigMap', 'web-abc123'), origins[2]],
      [obj('Secret', 'web'), undefined],
      [obj('Deployment', 'api', undefined, 'apps/v1'), origins[4]],
      [obj('Deployment', 'api', undefined, 'extensions/v1beta1'), undefined],
      [obj('Service', 'pre-xy-suf'), undefined],
    ];
    for (const [o, want] of cases) {
      assert.equal(index.match(o), want, `${o.kind}/${o.metadata.name}`);
      assert.equal(matchOrigin(o, origins), want, `${o.kind}/${o.metadata.name} (array)`);
    }
  });

  it('matches 20,000 objects against 20,000 origins in well under a second', () => {
    const origins = Array.from({ length: 20000 }, (_, i) => origin('ConfigMap', `cm-${i}`, `p-cm-${i}`, 'ns'));
    const index = new OriginIndex(origins);
    const t = performance.now();
    let found = 0;
    for (let i = 0; i < 20000; i++) if (index.match(obj('ConfigMap', `p-cm-${i}`, 'ns'))?.name === `cm-${i}`) found++;
    assert.equal(found, 20000);
    assert.ok(performance.now() - t < 1000);
  });
});
