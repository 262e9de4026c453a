import * as assert from 'node:assert/strict';
import { annotateSource } from '../../../src/core/engine/sourceAnnotations';
import type { ResourceDiff } from '../../../src/core/model';

const text = `# the web tier
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2 # keep low
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env:
            - name: LOG_LEVEL
              value: info
`;

describe('annotateSource', () => {
  const diff: ResourceDiff = {
    ref: { group: 'apps', kind: 'Deployment', namespace: 'web', name: 'web' },
    status: 'Modified',
    source: { file: '/x.yaml', documentIndex: 1, startLine: 7, endLine: 20 },
    changes: [
      { path: 'spec.replicas', category: 'modified', desired: 2, live: 5, manager: 'kubectl-edit' },
      { path: 'spec.template.spec.containers[name=web].env[name=LOG_LEVEL].value', category: 'modified', desired: 'info', live: 'debug' },
      { path: 'spec.template.spec.containers[name=web].env[name=DEBUG]', category: 'live-only', live: { name: 'DEBUG', value: '1' }, manager: 'kubectl-edit' },
    ],
  };

  it('puts modified fields on their own line, in the right document', () => {
    const a = annotateSource(text, [diff]);
    assert.equal(a[0].line, 12);
    assert.equal(a[0].text, 'live: 5 (kubectl-edit)');
    const env = a.find((x) => x.change.path.endsWith('LOG_LEVEL].value'))!;
    assert.equal(env.line, 20);
    assert.equal(env.atAncestor, false);
  });

  it('puts live-only fields at their nearest declared ancestor', () => {
    const live = annotateSource(text, [diff]).find((x) => x.change.category === 'live-only')!;
    assert.equal(live.atAncestor, true);
    assert.equal(live.line, 18); // the env: key
    assert.equal(live.text, "live adds env DEBUG: 1 (kubectl-edit)");
  });

  it('ignores synced resources and resources without a source', () => {
    assert.deepEqual(annotateSource(text, [{ ...diff, status: 'Synced' }, { ...diff, source: undefined }]), []);
  });
});
