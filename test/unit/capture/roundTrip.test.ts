import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Node } from 'yaml';
import { applyYamlEdits } from '../../../src/core/capture/yamlEdit';
import type { PathSegment } from '../../../src/core/capture/fieldPath';

const REAL_REPOS = path.resolve(__dirname, '../../fixtures/real-repos');

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** First scalar leaf reachable through block maps/sequences (skipping block scalars and aliases). */
function firstLeaf(n: unknown, segs: PathSegment[] = []): { segs: PathSegment[]; value: unknown } | undefined {
  if (isMap(n) && !n.flow) {
    for (const p of n.items) {
      if (!isScalar(p.key) || typeof p.key.value !== 'string') continue;
      const r = firstLeaf(p.value, [...segs, { kind: 'key', key: p.key.value }]);
      if (r) return r;
    }
  } else if (isSeq(n) && !n.flow) {
    for (let i = 0; i < n.items.length; i++) {
      const r = firstLeaf(n.items[i], [...segs, { kind: 'index', index: i }]);
      if (r) return r;
    }
  } else if (isScalar(n) && segs.length && (n.type === 'PLAIN' || n.type?.startsWith('QUOTE')) && ['string', 'number', 'boolean'].includes(typeof n.value)) {
    if (typeof n.value === 'string' && n.value.includes('\n')) return undefined;
    if (Number.isNaN(n.value)) return undefined; // yaml's 1.1 schema reads a bare `.` as NaN.
    return { segs, value: n.value };
  }
  return undefined;
}

function jsAt(root: any, segs: PathSegment[]): any {
  return segs.reduce((o, s) => (s.kind === 'key' ? o[s.key] : s.kind === 'index' ? o[s.index] : undefined), root);
}

function docsJS(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' } as const).map((d) => (d as { toJS(): unknown }).toJS());
}

function lineChanges(before: string, after: string): { gone: string[]; came: string[] } {
  const count = new Map<string, number>();
  for (const l of before.split('\n')) count.set(l, (count.get(l) ?? 0) + 1);
  const came: string[] = [];
  for (const l of after.split('\n')) {
    const n = count.get(l) ?? 0;
    if (n > 0) count.set(l, n - 1);
    else came.push(l);
  }
  const gone = [...count.entries()].flatMap(([l, n]) => Array(n).fill(l) as string[]);
  return { gone, came };
}

function diffRegion(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { removed: a.slice(p, a.length - s), added: b.slice(p, b.length - s) };
}

describe('capture/yamlEdit over every real-repo YAML file', function () {
  this.timeout(120000);
  const files = yamlFiles(REAL_REPOS);

  it('finds the fixture files', () => {
    assert.ok(files.length > 300, `expected the real-repo fixtures at ${REAL_REPOS}, found ${files.length} YAML files`);
  });

  it('load + save without changes gives identical bytes for every file', () => {
    let parsed = 0;
    const unparsable: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      try {
        assert.equal(applyYamlEdits(text, 0, []), text, f);
        parsed++;
      } catch (e) {
        if ((e as { reason?: string }).reason !== 'parse') throw e;
        unparsable.push(path.relative(REAL_REPOS, f)); // Helm templates etc. are not YAML until rendered.
      }
    }
    console.log(`      round trip: ${parsed} files byte-identical, ${unparsable.length} not YAML (templates)`);
    assert.ok(parsed > 300);
    assert.ok(unparsable.every((f) => /templates\/|\{\{/.test(f) || /\{\{|\{%/.test(readFileSync(path.join(REAL_REPOS, f), 'utf8'))), `unexpected parse failures: ${unparsable.join(', ')}`);
  });

  it('changing one scalar in each document changes exactly that line and nothing else', () => {
    let edited = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      if (text.includes('{{')) continue; // Go templates are not data until rendered.
      let docs;
      try {
        docs = parseAllDocuments(text, { version: '1.1' } as const);
        if (docs.some((d) => d.errors.length)) continue;
      } catch {
        continue;
      }
      docs.forEach((doc, i) => {
        const leaf = firstLeaf(doc.contents as Node);
        if (!leaf) return;
        const next = typeof leaf.value === 'string' ? `${leaf.value}-captured` : typeof leaf.value === 'number' ? leaf.value + 1 : !leaf.value;
        const after = applyYamlEdits(text, i, [{ op: 'set', path: leaf.segs, value: next }]);
        const region = diffRegion(text, after);
        assert.equal(region.removed.length, 1, `${f}#${i}: ${JSON.stringify(region)}`);
        assert.equal(region.added.length, 1, `${f}#${i}: ${JSON.stringify(region)}`);
        const before = docsJS(text);
        const now = docsJS(after);
        assert.equal(jsAt(now[i], leaf.segs), next, `${f}#${i}`);
        // Everything else parses to the same data.
        const parent = leaf.segs.slice(0, -1);
        const last = leaf.segs[leaf.segs.length - 1];
        const holder = jsAt(before[i], parent);
        if (last.kind === 'key') holder[last.key] = next;
        else if (last.kind === 'index') holder[last.index] = next;
        assert.deepEqual(now, before, `${f}#${i}`);
        edited++;
      });
    }
    console.log(`      single-scalar edits: ${edited} documents`);
    assert.ok(edited > 300);
  });

  it('adding a label to every Kubernetes object only adds lines (or rewrites one flow line)', () => {
    let edited = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      if (text.includes('{{')) continue;
      let js: any[];
      try {
        js = docsJS(text) as any[];
        if (parseAllDocuments(text, { version: '1.1' } as const).some((d) => d.errors.length)) continue;
      } catch {
        continue;
      }
      js.forEach((o, i) => {
        if (!o || typeof o !== 'object' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') return;
        const after = applyYamlEdits(text, i, [{ op: 'set', path: 'metadata.labels["capture.test/added"]', value: 'yes' }]);
        const region = diffRegion(text, after);
        assert.ok(region.removed.length <= 1, `${f}#${i}: ${JSON.stringify(region)}`);
        const now = docsJS(after) as any[];
        assert.equal(now[i].metadata.labels['capture.test/added'], 'yes', `${f}#${i}`);
        const expected = docsJS(text) as any[];
        expected[i].metadata.labels = { ...(o.metadata.labels ?? {}), 'capture.test/added': 'yes' };
        assert.deepEqual(now, expected, `${f}#${i}`);
        edited++;
      });
    }
    console.log(`      label insertions: ${edited} objects`);
    assert.ok(edited > 100);
  });
});

describe('capture/yamlEdit list edits over every real-repo workload', function () {
  this.timeout(120000);
  const files = yamlFiles(REAL_REPOS).filter((f) => !readFileSync(f, 'utf8').includes('{{'));

  /** Pod spec of a workload, with the path segments leading to it. */
  function podSpec(o: any): { spec: any; segs: string } | undefined {
    if (o?.kind === 'Pod') return o.spec && { spec: o.spec, segs: 'spec' };
    if (o?.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec && { spec: o.spec.jobTemplate.spec.template.spec, segs: 'spec.jobTemplate.spec.template.spec' };
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'].includes(o?.kind)) return o.spec?.template?.spec && { spec: o.spec.template.spec, segs: 'spec.template.spec' };
    return undefined;
  }

  it('adds an env var to, and removes a container field from, the first container of each workload', () => {
    let edited = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      if (parseAllDocuments(text, { version: '1.1' } as const).some((d) => d.errors.length)) continue;
      const js = docsJS(text) as any[];
      js.forEach((o, i) => {
        const ps = podSpec(o);
        const c = ps?.spec?.containers?.[0];
        if (!c || typeof c.name !== 'string') return;
        const base = `${ps!.segs}.containers[name=${JSON.stringify(c.name)}]`;
        const after = applyYamlEdits(text, i, [
          { op: 'set', path: `${base}.env[name=CAPTURED]`, value: { name: 'CAPTURED', value: 'yes' } },
          { op: 'delete', path: `${base}.image` },
        ]);
        const expected = docsJS(text) as any[];
        const ec = podSpec(expected[i])!.spec.containers[0];
        ec.env = [...(ec.env ?? []), { name: 'CAPTURED', value: 'yes' }];
        delete ec.image;
        assert.deepEqual(docsJS(after), expected, `${f}#${i}`);
        // Lines only in one version (as multisets): the image line (plus the next key pulled onto the dash
        // line when the image came first) go, the env lines come.
        const { gone, came } = lineChanges(text, after);
        assert.ok(gone.length <= 2 && came.length <= 4, `${f}#${i}: ${JSON.stringify({ gone, came })}`);
        edited++;
      });
    }
    console.log(`      container edits: ${edited} workloads`);
    assert.ok(edited > 50);
  });
});
