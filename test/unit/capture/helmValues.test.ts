import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FieldChange, ResourceDiff } from '../../../src/core/model';
import { inferHelmValue } from '../../../src/core/capture/helmValues';
import { planCapture } from '../../../src/core/capture/planCapture';

const PODINFO_CHART = path.resolve(__dirname, '../../fixtures/real-repos/stefanprodan__podinfo/charts/podinfo');

const TEMPLATE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  template:
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: {{ .Values.image.pullPolicy | default "IfNotPresent" }}
`;

const REPLICAS: FieldChange = { path: 'spec.replicas', category: 'modified', desired: 1, live: 3, manager: 'kubectl-scale' };
const IMAGE: FieldChange = { path: 'spec.template.spec.containers[name=web].image', category: 'modified', desired: 'ghcr.io/acme/web:1.0.0', live: 'ghcr.io/acme/web:1.0.1', manager: 'kubectl-set' };

describe('capture/helmValues', () => {
  let chart: string;
  before(() => {
    chart = mkdtempSync(path.join(os.tmpdir(), 'capture-chart-'));
    mkdirSync(path.join(chart, 'templates'));
    writeFileSync(path.join(chart, 'templates', 'deployment.yaml'), TEMPLATE);
    writeFileSync(path.join(chart, 'templates', 'service.yaml'), 'apiVersion: v1\nkind: Service\nspec:\n  type: {{ .Values.service.type }}\n');
    writeFileSync(path.join(chart, 'values.yaml'), '# defaults\nreplicaCount: 1\nimage:\n  repository: ghcr.io/acme/web\n  tag: 1.0.0 # release\n  pullPolicy: ""\n');
    writeFileSync(path.join(chart, 'values-prod.yaml'), 'replicaCount: 2\n');
  });
  after(() => rmSync(chart, { recursive: true, force: true }));

  it('maps plain value references, preferring the last values file that sets the value', async () => {
    assert.deepEqual(await inferHelmValue(chart, 'Deployment', REPLICAS, [path.join(chart, 'values-prod.yaml')]), { file: path.join(chart, 'values-prod.yaml'), path: 'replicaCount', value: 3 });
    assert.deepEqual(await inferHelmValue(chart, 'Deployment', REPLICAS), { file: path.join(chart, 'values.yaml'), path: 'replicaCount', value: 3 });
    assert.deepEqual(await inferHelmValue(chart, 'Deployment', IMAGE), { file: path.join(chart, 'values.yaml'), path: 'image.tag', value: '1.0.1' });
  });

  it('refuses when the mapping is ambiguous', async () => {
    assert.match(String(await inferHelmValue(chart, 'Deployment', { ...IMAGE, live: 'docker.io/other/web:2' })), /repository changed/);
    const pull: FieldChange = { path: 'spec.template.spec.containers[name=web].imagePullPolicy', category: 'modified', live: 'Always' };
    assert.match(String(await inferHelmValue(chart, 'Deployment', pull)), /not a plain value reference/);
    assert.match(String(await inferHelmValue(chart, 'StatefulSet', REPLICAS)), /no template renders a StatefulSet/);
    // podinfo renders two Deployments (podinfo and redis): which one is live cannot be told from the templates.
    assert.match(String(await inferHelmValue(PODINFO_CHART, 'Deployment', REPLICAS)), /2 templates render a Deployment/);
  });

  it('planCapture writes the values file for unambiguous fields and explains the rest', async () => {
    const diff: ResourceDiff = { ref: { group: 'apps', kind: 'Deployment', namespace: 'a', name: 'web' }, status: 'Modified', changes: [REPLICAS, IMAGE] };
    const plan = await planCapture({ diff, changes: [REPLICAS, IMAGE, { path: 'metadata.labels.x', category: 'live-only', live: 'y' }], origin: { kind: 'helm', chart } });
    assert.equal(plan.edits.length, 1);
    assert.equal(plan.edits[0].after, '# defaults\nreplicaCount: 3\nimage:\n  repository: ghcr.io/acme/web\n  tag: 1.0.1 # release\n  pullPolicy: ""\n');
    assert.deepEqual(plan.refused.map((r) => r.change.path), ['metadata.labels.x']);
    assert.match(plan.refused[0].reason, /podLabels.*ambiguous/);
  });
});
