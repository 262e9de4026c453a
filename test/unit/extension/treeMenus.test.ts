// Every `view/item/context` menu entry of package.json, evaluated against the context values the tree model gives
// each kind of node in each state: a command is offered exactly where it can work (issue 17: a second breakglass
// was offered on a resource during one, because resource context values never said `:breakglass`).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DriftTreeModel, type DriftNode } from '../../../src/extension/tree/driftTreeModel';
import type { AppDrift, DriftSnapshot } from '../../../src/core/engine/driftTypes';
import type { AppState } from '../../../src/core/engine/appState';
import type { ResourceDiff } from '../../../src/core/model';

const VIEW = 'gitopsDrift.drift';
const menus: { command: string; when: string }[] = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).contributes.menus['view/item/context'];

/**
 * The subset of VS Code's when-clause language the tree menus use: `view == x`, `viewItem =~ /re/`, `&&`. VS Code has
 * no `not =~`: such a clause does not parse and the item was offered on every node (seen in the journeys), so it is
 * refused here; negate with a lookahead, `/^app:argo(?!.*:skipped)/`.
 */
export function evaluateWhen(when: string, ctx: { view: string; viewItem: string }): boolean {
  return when.split('&&').every((raw) => {
    const term = raw.trim();
    let m = /^(view|viewItem)\s*==\s*(\S+)$/.exec(term);
    if (m) return ctx[m[1] as 'view' | 'viewItem'] === m[2];
    m = /^(view|viewItem)\s*=~\s*\/(.*)\/([a-z]*)$/.exec(term);
    if (m) return new RegExp(m[2], m[3]).test(ctx[m[1] as 'view' | 'viewItem']);
    throw new Error(`when clause term not understood by this test: ${term}`);
  });
}

const bg = { user: 'alice', reason: 'hotfix', started: '2026-11-28T11:00:00Z', expires: '2026-11-28T13:00:00Z', active: true, expired: false } as unknown as AppState['breakglass'];
const res = (name: string, status: ResourceDiff['status']): ResourceDiff => ({
  ref: { group: 'apps', kind: 'Deployment', namespace: 'web', name },
  status,
  changes: [],
  // Only a live-only object (a prune candidate) has no file in the workspace.
  ...(status === 'ExtraLive' ? {} : { source: { file: `/repo/${name}.yaml`, documentIndex: 0, startLine: 1, endLine: 9 } }),
});

const STATES: Record<string, AppState> = {
  'argo-auto': { controller: 'argo', autoSync: 'on' },
  'argo-paused': { controller: 'argo', autoSync: 'paused' },
  'argo-manual': { controller: 'argo', autoSync: 'off' },
  'argo-skipped': { controller: 'argo', autoSync: 'on', skipReconcile: true },
  'argo-running': { controller: 'argo', autoSync: 'on', operation: { phase: 'Running' } },
  'argo-breakglass': { controller: 'argo', autoSync: 'paused', breakglass: bg },
  'flux-ready': { controller: 'flux' },
  'flux-suspended': { controller: 'flux', suspended: true },
  'flux-breakglass': { controller: 'flux', suspended: true, breakglass: bg },
  folder: { controller: 'none' },
};

function snapshot(): DriftSnapshot {
  const apps: AppDrift[] = Object.entries(STATES).map(([name, state]) => ({
    app: { id: `x:${name}`, name, kind: state.controller === 'argo' ? 'argo-application' : state.controller === 'flux' ? 'flux-kustomization' : 'folder', sourceType: 'directory' },
    state,
    resources: [res('drifted', 'Modified'), res('synced', 'Synced'), res('missing', 'MissingLive'), res('extra', 'ExtraLive')],
    errors: [],
    skipped: [],
  }));
  return { clusters: [{ context: 'kind-dev', apps }], computedAt: '2026-11-28T12:00:00Z', timings: { discoverMs: 0, renderMs: 0, fetchMs: 0, diffMs: 0, totalMs: 0 } };
}

/** Where each command can do its job, from what the node is (not from its context value). */
function canWork(command: string, n: DriftNode): boolean {
  if (n.type !== 'app' && n.type !== 'resource') return false;
  const s = n.drift.state;
  const inBreakglass = !!s.breakglass?.active;
  const controlled = s.controller !== 'none';
  if (n.type === 'resource') {
    switch (command) {
      case 'gitopsDrift.openDiff':
        return true;
      // Nothing live to open for a resource missing live; no file to reveal for a live-only one.
      case 'gitopsDrift.openLive':
        return n.diff.status !== 'MissingLive';
      case 'gitopsDrift.revealSource':
        return !!n.diff.source;
      // Capture writes live changes of fields into Git: a modified resource has them, a missing or extra one none.
      case 'gitopsDrift.captureLive':
        return n.diff.status === 'Modified';
      case 'gitopsDrift.syncResource':
        return s.controller === 'argo';
      // Breakglass pauses the owning Argo/Flux app; a plain folder has no controller to pause.
      case 'gitopsDrift.breakglassStart':
        return controlled && !inBreakglass;
      case 'gitopsDrift.breakglassEnd':
        return inBreakglass;
      default:
        return false;
    }
  }
  const argo = s.controller === 'argo';
  const flux = s.controller === 'flux';
  switch (command) {
    case 'gitopsDrift.sync':
    case 'gitopsDrift.refreshApp':
    case 'gitopsDrift.hardRefreshApp':
      return argo;
    case 'gitopsDrift.terminateOperation':
      return argo && !!s.operation && !['Succeeded', 'Failed', 'Error'].includes(s.operation.phase);
    case 'gitopsDrift.pauseAutoSync':
      return argo && s.autoSync === 'on';
    case 'gitopsDrift.resumeAutoSync':
      return argo && s.autoSync === 'paused';
    case 'gitopsDrift.skipReconcileOn':
      return argo && !s.skipReconcile;
    case 'gitopsDrift.skipReconcileOff':
      return argo && !!s.skipReconcile;
    // A suspended object refuses a reconcile ("resume it before reconciling").
    case 'gitopsDrift.reconcile':
    case 'gitopsDrift.reconcileWithSource':
      return flux && !s.suspended;
    case 'gitopsDrift.suspend':
      return flux && !s.suspended;
    case 'gitopsDrift.resume':
      return flux && !!s.suspended;
    case 'gitopsDrift.breakglassStart':
      return controlled && !inBreakglass;
    case 'gitopsDrift.breakglassEnd':
      return inBreakglass;
    default:
      return false;
  }
}

describe('tree menus (package.json view/item/context) against the tree model', () => {
  it('understands the when clauses', () => {
    assert.equal(evaluateWhen('view == gitopsDrift.drift && viewItem =~ /^app:argo.*:auto/', { view: VIEW, viewItem: 'app:argo:auto' }), true);
    assert.equal(evaluateWhen('view == gitopsDrift.drift && viewItem =~ /^app:argo(?!.*:skipped)/', { view: VIEW, viewItem: 'app:argo:skipped' }), false);
    assert.throws(() => evaluateWhen('view == gitopsDrift.drift && viewItem not =~ /:skipped/', { view: VIEW, viewItem: 'app:argo' }), /not understood/);
    assert.equal(evaluateWhen('view == other && viewItem =~ /^app/', { view: VIEW, viewItem: 'app:argo' }), false);
    for (const m of menus) evaluateWhen(m.when, { view: VIEW, viewItem: 'app:argo' });
  });

  it('offers each command exactly on the nodes where it can work', () => {
    const model = new DriftTreeModel(snapshot(), { driftedOnly: false }, () => new Date('2026-11-28T12:00:00Z'));
    const nodes: DriftNode[] = [];
    const walk = (n: DriftNode) => {
      nodes.push(n);
      for (const c of model.children(n)) walk(c);
    };
    for (const r of model.roots()) walk(r);
    const commands = [...new Set(menus.map((m) => m.command))];
    const wrong: string[] = [];
    for (const n of nodes) {
      const viewItem = model.present(n).contextValue;
      const what = n.type === 'app' || n.type === 'resource' ? `${n.type} of ${n.drift.app.name}${n.type === 'resource' ? ` (${n.diff.ref.name})` : ''}` : n.type;
      for (const command of commands) {
        const offered = menus.some((m) => m.command === command && evaluateWhen(m.when, { view: VIEW, viewItem }));
        if (offered !== canWork(command, n)) wrong.push(`${command} ${offered ? 'offered' : 'missing'} on ${what} [${viewItem}]`);
      }
    }
    assert.ok(nodes.some((n) => n.type === 'resource') && nodes.some((n) => n.type === 'kind') && nodes.some((n) => n.type === 'cluster'));
    assert.deepEqual(wrong, []);
  });
});
