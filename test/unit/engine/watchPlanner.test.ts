// The watch planner (moved out of the editor's DriftSession, issue 17 item 10): watches exactly what the engine
// could list, in every selected context and the destination clusters; restarts only when that changes; records
// watches that stop for good so the tree can say live updates are off.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DriftEngine } from '../../../src/core/engine/driftEngine';
import { WatchPlanner, planWatches } from '../../../src/core/engine/watchPlanner';
import type { KubeObject } from '../../../src/core/model';
import { GitOpsError } from '../../../src/core/model';
import type { Disposable, TypeRef, WatchOptions } from '../../../src/core/kube/types';
import { nodeProcessRunner } from '../../../src/core/ports';
import { FakeKubeClient } from '../kube/fake-kube-client';

/** A client that records its watches and lets the test deliver events and errors. */
class WatchingClient extends FakeKubeClient {
  readonly watches: { type: TypeRef; opts: WatchOptions; disposed: boolean }[] = [];
  override watch(type: TypeRef, opts: WatchOptions): Disposable {
    const w = { type, opts, disposed: false };
    this.watches.push(w);
    return { dispose: () => (w.disposed = true) };
  }
  live() {
    return this.watches.filter((w) => !w.disposed);
  }
}

const deployment = (replicas: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web', uid: 'u-1', resourceVersion: String(replicas) }, spec: { replicas } });

async function world() {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-drift-watchplan-'));
  await fs.mkdir(path.join(root, 'web'));
  await fs.writeFile(path.join(root, 'web', 'deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: web\nspec:\n  replicas: 1\n');
  const client = new WatchingClient([deployment(1)]);
  const engine = new DriftEngine({ roots: [root], clientFor: () => client, runner: nodeProcessRunner, trusted: false });
  await engine.compute(['fake']);
  let liveChanges = 0;
  let stopChanges = 0;
  const planner = new WatchPlanner({ clientFor: () => client, onLiveChange: () => liveChanges++, onStopsChanged: () => stopChanges++ });
  return { engine, client, planner, liveChanges: () => liveChanges, stopChanges: () => stopChanges };
}

describe('engine: watch planner', () => {
  it('plans the types the fetch listed in each context', async () => {
    const { engine } = await world();
    const plan = planWatches(engine, ['fake']);
    assert.equal(plan.length, 1);
    assert.ok(plan[0].scopes.some((s) => s.kind === 'Deployment'), JSON.stringify(plan));
  });

  it('starts the planned watches once, and not again while the plan is unchanged', async () => {
    const { engine, client, planner } = await world();
    assert.equal(planner.ensure(engine, ['fake']), true);
    const started = client.watches.length;
    assert.ok(started > 0);
    assert.equal(planner.ensure(engine, ['fake']), false, 'same plan: nothing restarted');
    assert.equal(client.watches.length, started);
    planner.stop();
    assert.equal(client.live().length, 0, 'stop disposes every watch');
  });

  it('a watch event that changes what is shown asks for a re-diff, and the re-diff sees it', async () => {
    const { engine, client, planner, liveChanges } = await world();
    planner.ensure(engine, ['fake']);
    const w = client.live().find((x) => x.type.kind === 'Deployment')!;
    w.opts.onEvent({ type: 'MODIFIED', object: deployment(5) });
    assert.equal(liveChanges(), 1);
    const snap = await engine.compute(['fake'], { reuseLive: true });
    const r = snap.clusters[0].apps.flatMap((a) => a.resources).find((x) => x.ref.kind === 'Deployment')!;
    assert.equal(r.changes.find((c) => c.path === 'spec.replicas')?.live, 5);
  });

  it('records a watch that stopped for good, keeps reconnecting ones out, and clears the record on restart', async () => {
    const { engine, client, planner, stopChanges } = await world();
    planner.ensure(engine, ['fake']);
    const w = client.live().find((x) => x.type.kind === 'Deployment')!;
    w.opts.onError!(new Error('connection reset'), true);
    assert.equal(planner.stops.size, 0, 'a reconnecting watch is not a stop');
    w.opts.onError!(new GitOpsError('forbidden', 'deployments is forbidden'), false);
    assert.deepEqual(planner.stops.get('fake'), [{ type: 'Deployment in web', reason: 'forbidden', message: 'deployments is forbidden' }]);
    assert.equal(stopChanges(), 1);
    planner.stop();
    assert.equal(planner.stops.size, 0);
    assert.equal(stopChanges(), 2);
  });
});
