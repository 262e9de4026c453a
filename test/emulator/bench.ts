// Emulator benchmark (numbers, not a timed test): `npx tsx test/emulator/bench.ts [--objects 20000] [--deployments 5000] [--events 5000]`.
import { parseArgs } from 'node:util';
import type { KubeObject } from './types';
import { startEmulator } from './emulator';
import { raw, watchEvents } from './rawClient';

function deployment(i: number): KubeObject {
  const name = `app-${String(i).padStart(5, '0')}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'bench', labels: { app: name, tier: i % 2 ? 'web' : 'worker' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: `registry.example.com/app:${i}`, ports: [{ containerPort: 8080 }], env: [{ name: 'INDEX', value: String(i) }] }] },
      },
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { objects: { type: 'string' }, deployments: { type: 'string' }, events: { type: 'string' } } });
  const total = Number(values.objects ?? 20000);
  const deployments = Number(values.deployments ?? 5000);
  const events = Number(values.events ?? 5000);
  const emu = await startEmulator({ historyLimit: Math.max(10000, events * 2) });
  try {
    let t0 = performance.now();
    emu.seed(Array.from({ length: deployments }, (_, i) => deployment(i)));
    const configMaps: KubeObject[] = Array.from({ length: total - deployments }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${i}`, namespace: `ns-${i % 20}` },
      data: { index: String(i), payload: 'x'.repeat(200) },
    }));
    emu.seed(configMaps);
    const loadMs = performance.now() - t0;
    console.log(`objects held: ${emu.store.count()} (loaded ${total} through the write path in ${(loadMs / 1000).toFixed(1)} s, ${Math.round(total / (loadMs / 1000))}/s)`);
    console.log(`heap used: ${Math.round(process.memoryUsage().heapUsed / 1048576)} MiB`);

    const listTimes: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      const r = await raw(emu, '/apis/apps/v1/namespaces/bench/deployments');
      listTimes.push(performance.now() - t0);
      if (r.json.items.length !== deployments) throw new Error(`LIST returned ${r.json.items.length} items`);
      bytes = r.text.length;
    }
    const sorted = [...listTimes].sort((a, b) => a - b);
    console.log(`LIST ${deployments} Deployments over HTTPS (${(bytes / 1048576).toFixed(1)} MiB, incl. client JSON.parse): first ${listTimes[0].toFixed(0)} ms, median ${sorted[2].toFixed(0)} ms, best ${sorted[0].toFixed(0)} ms`);

    t0 = performance.now();
    const r = await raw(emu, '/apis/apps/v1/deployments?labelSelector=tier%3Dweb');
    console.log(`LIST with labelSelector across namespaces (${r.json.items.length} matches): ${(performance.now() - t0).toFixed(0)} ms`);

    const rv = emu.store.resourceVersion;
    const path = `/api/v1/namespaces/watch/configmaps?watch=1&resourceVersion=${rv}`;
    const watching = watchEvents(emu, path, (ev) => ev.length >= events, 120000);
    await new Promise((res) => setTimeout(res, 100));
    t0 = performance.now();
    emu.seed(Array.from({ length: events }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w-${i}`, namespace: 'watch' }, data: { i: String(i) } })));
    const writeMs = performance.now() - t0;
    const { events: got } = await watching;
    const watchMs = performance.now() - t0;
    const added = got.filter((e) => e.type === 'ADDED').length;
    console.log(`watch: ${added} ADDED events delivered in ${(watchMs / 1000).toFixed(2)} s → ${Math.round(added / (watchMs / 1000))} events/s (writes took ${(writeMs / 1000).toFixed(2)} s)`);
  } finally {
    await emu.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
