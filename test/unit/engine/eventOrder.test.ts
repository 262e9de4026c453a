// resourceVersions are opaque (issue 17): the order of a watch's events decides which state is newest, never
// arithmetic on resourceVersion. Events that arrive while a full fetch LISTs are replayed onto what it listed.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DriftEngine } from '../../../src/core/engine/driftEngine';
import type { KubeObject } from '../../../src/core/model';
import type { ListOptions, ListResult, TypeRef } from '../../../src/core/kube/types';
import { nodeProcessRunner } from '../../../src/core/ports';
import { FakeKubeClient } from '../kube/fake-kube-client';

const deployment = (replicas: number, resourceVersion: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'web', uid: 'u-1', resourceVersion },
  spec: { replicas },
});

/** A client whose Deployment LIST answers `listed` and delivers `during` as watch events while the LIST runs. */
class ListingClient extends FakeKubeClient {
  engine?: DriftEngine;
  listed?: KubeObject;
  during: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: KubeObject }[] = [];
  override async list(type: TypeRef, opts: ListOptions = {}): Promise<ListResult> {
    if (type.kind !== 'Deployment' || !this.listed) return super.list(type, opts);
    for (const e of this.during) this.engine!.applyLiveEvent('fake', e.type, e.obj);
    return { items: [structuredClone(this.listed)], resourceVersion: this.listed.metadata.resourceVersion as string };
  }
}

async function world(): Promise<{ engine: DriftEngine; client: ListingClient; replicas: () => Promise<unknown> }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-drift-rv-'));
  await fs.mkdir(path.join(root, 'web'));
  await fs.writeFile(path.join(root, 'web', 'deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: web\nspec:\n  replicas: 1\n');
  const client = new ListingClient();
  const engine = new DriftEngine({ roots: [root], clientFor: () => client, runner: nodeProcessRunner, trusted: false });
  client.engine = engine;
  const replicas = async () => {
    const snap = await engine.compute(['fake'], { reuseLive: true });
    const r = snap.clusters[0].apps.flatMap((a) => a.resources).find((x) => x.ref.kind === 'Deployment');
    assert.ok(r, 'the Deployment is in the snapshot');
    if (r.status === 'Synced') return 1;
    return r.changes.find((c) => c.path === 'spec.replicas')?.live;
  };
  return { engine, client, replicas };
}

describe('engine: watch events during a fetch, in stream order (opaque resourceVersions)', () => {
  it('keeps an event the stream delivered after the listed version even when its resourceVersion is numerically smaller', async () => {
    const { engine, client, replicas } = await world();
    // The stream delivers "10" (the version the LIST returns) and then "9" (a newer write: resourceVersions are opaque).
    client.listed = deployment(2, '10');
    client.during = [
      { type: 'MODIFIED', obj: deployment(2, '10') },
      { type: 'MODIFIED', obj: deployment(3, '9') },
    ];
    await engine.compute(['fake']);
    assert.equal(await replicas(), 3);
  });

  it('does not replay events the listed state already contains (non-numeric resourceVersions)', async () => {
    const { engine, client, replicas } = await world();
    client.listed = deployment(4, 'rv-b');
    client.during = [
      { type: 'MODIFIED', obj: deployment(2, 'rv-c') },
      { type: 'MODIFIED', obj: deployment(4, 'rv-b') },
    ];
    await engine.compute(['fake']);
    // rv-c came before rv-b in the stream, so rv-b (the listed version) is the newest.
    assert.equal(await replicas(), 4);
  });

  it('applies a deletion the stream delivered after the listed version', async () => {
    const { engine, client } = await world();
    client.listed = deployment(5, '20');
    client.during = [
      { type: 'MODIFIED', obj: deployment(5, '20') },
      { type: 'DELETED', obj: deployment(5, '19') },
    ];
    await engine.compute(['fake']);
    const snap = await engine.compute(['fake'], { reuseLive: true });
    const r = snap.clusters[0].apps.flatMap((a) => a.resources).find((x) => x.ref.kind === 'Deployment');
    // Gone live: the folder app is no longer deployed here, or (were it shown) the object is missing live.
    assert.ok(!r || r.status === 'MissingLive', `still live: ${JSON.stringify(r)}`);
  });
});
