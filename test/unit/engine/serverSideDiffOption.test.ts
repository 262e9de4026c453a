// Which resources Argo CD diffs server-side (src/core/engine/serverSideDiffOption.ts): resource annotation, then the
// Application's, then the instance default; Argo CD apps only.
import * as assert from 'node:assert/strict';
import { serverSideDiffDefault, wantsServerSideDiff } from '../../../src/core/engine/serverSideDiffOption';
import type { App, KubeObject } from '../../../src/core/model';

const A = 'argocd.argoproj.io/compare-options';
const obj = (opt?: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', ...(opt ? { annotations: { [A]: opt } } : {}) } }) as unknown as KubeObject;
const argo = { id: 'a', name: 'a', kind: 'argo-application' } as unknown as App;
const flux = { id: 'f', name: 'f', kind: 'flux-kustomization' } as unknown as App;
const cm = (v?: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cmd-params-cm' }, data: v === undefined ? {} : { 'controller.diff.server.side': v } }) as unknown as KubeObject;

describe('ServerSideDiff opt-in', () => {
  it('resource annotation over the Application over the instance default', () => {
    assert.equal(wantsServerSideDiff(argo, undefined, obj(), undefined, false), false);
    assert.equal(wantsServerSideDiff(argo, undefined, obj('ServerSideDiff=true'), undefined, false), true);
    assert.equal(wantsServerSideDiff(argo, undefined, obj(), obj('IgnoreExtraneous,ServerSideDiff=true'), false), true, 'live annotation');
    assert.equal(wantsServerSideDiff(argo, obj('ServerSideDiff=true'), obj(), undefined, false), true, 'the Application');
    assert.equal(wantsServerSideDiff(argo, obj('ServerSideDiff=true'), obj('ServerSideDiff=false'), undefined, false), false, 'the resource opts out');
    assert.equal(wantsServerSideDiff(argo, obj('ServerSideDiff=false'), obj(), undefined, true), false, 'the Application opts out');
    assert.equal(wantsServerSideDiff(argo, undefined, obj(), undefined, true), true, 'instance default');
    assert.equal(wantsServerSideDiff(flux, undefined, obj('ServerSideDiff=true'), undefined, true), false, 'Argo CD apps only');
  });
  it('the instance default: the first ConfigMap that sets the key', () => {
    assert.equal(serverSideDiffDefault(cm('true')), true);
    assert.equal(serverSideDiffDefault(cm('false'), cm('true')), false);
    assert.equal(serverSideDiffDefault(cm(), cm('true')), true);
    assert.equal(serverSideDiffDefault(undefined, cm()), false);
  });
});
