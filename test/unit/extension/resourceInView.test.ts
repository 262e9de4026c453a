// Issue 17.16: palette commands act on what the user is looking at only when that is one resource of one app.
import { strict as assert } from 'node:assert';
import { resourcePickItem, resourcesAtLine, resourcesOfRef, unambiguous } from '../../../src/extension/resourceInView';
import type { IndexedResource } from '../../../src/extension/driftIndex';

const res = (app: string, context: string, kind: string, name: string, source?: { startLine: number; endLine: number }, liveContext?: string): IndexedResource =>
  ({
    context,
    drift: { app: { id: app, name: app }, liveContext },
    diff: { ref: { group: 'apps', version: 'v1', kind, namespace: 'web', name }, status: 'Modified', changes: [], source: source && { file: '/r/x.yaml', documentIndex: 0, ...source } },
  }) as unknown as IndexedResource;

describe('extension/resourceInView', () => {
  it('finds the document under the cursor; a line between documents or a second app makes it ambiguous', () => {
    const a = res('shop', 'prod', 'Deployment', 'web', { startLine: 1, endLine: 20 });
    const b = res('shop', 'prod', 'Service', 'web', { startLine: 22, endLine: 30 });
    assert.equal(unambiguous(resourcesAtLine([a, b], 5)), a);
    assert.equal(unambiguous(resourcesAtLine([a, b], 25)), b);
    assert.equal(unambiguous(resourcesAtLine([a, b], 21)), undefined, 'the --- line');
    // A shared base rendered by two apps: not one resource.
    const staging = res('shop-staging', 'prod', 'Deployment', 'web', { startLine: 1, endLine: 20 });
    assert.equal(unambiguous(resourcesAtLine([a, staging], 5)), undefined);
  });

  it('finds the resource of a diff editor by the app context, and of a live document by the live context', () => {
    const hub = res('shop', 'mgmt', 'Deployment', 'web', undefined, 'prod-eu');
    const ref = { group: 'apps', kind: 'Deployment', namespace: 'web', name: 'web' };
    assert.equal(unambiguous(resourcesOfRef([hub], 'mgmt', ref, false)), hub);
    assert.equal(unambiguous(resourcesOfRef([hub], 'prod-eu', ref, true)), hub);
    assert.equal(unambiguous(resourcesOfRef([hub], 'prod-eu', ref, false)), undefined);
    assert.equal(unambiguous(resourcesOfRef([hub], 'mgmt', { ...ref, name: 'other' }, false)), undefined);
  });

  it('lets resource quick picks match on kind, name, namespace and app', () => {
    const item = resourcePickItem(res('shop', 'prod', 'Deployment', 'web'));
    const text = `${item.label} ${item.description}`;
    for (const part of ['Deployment', 'web', 'shop', 'prod']) assert.ok(text.includes(part), `${part} in ${text}`);
    assert.match(item.description, /^web · app shop · prod$/);
  });
});
