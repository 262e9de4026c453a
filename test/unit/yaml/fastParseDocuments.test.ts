import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { stringify, type ToStringOptions } from 'yaml';
import { fastParseDocuments, parseManifests, parseYamlDocuments } from '../../../src/core/yaml';

const FIXTURES = path.resolve(__dirname, '../../fixtures');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

/** What the full parser says about each document: value, first line and last non-blank line. */
function fullDocs(text: string) {
  const { docs, lineCounter } = parseYamlDocuments(text);
  return docs.map((d) => {
    const start = lineCounter.linePos(d.contents?.range?.[0] ?? d.range[0]).line;
    let i = Math.min(d.contents?.range?.[1] ?? d.range[1], text.length) - 1;
    while (i > 0 && /\s/.test(text[i])) i--;
    return { value: d.errors.length > 0 ? 'ERROR' : d.toJS({ maxAliasCount: 10000 }), start, end: lineCounter.linePos(Math.max(i, 0)).line };
  });
}

/** Asserts the fast path agrees with the full parser whenever it answers; returns whether it answered. */
function agrees(text: string, label: string): boolean {
  const fast = fastParseDocuments(text);
  if (!fast) return false;
  const full = fullDocs(text);
  assert.equal(fast.length, full.length, `${label}: document count`);
  fast.forEach((d, i) => {
    assert.deepEqual(d.value, full[i].value, `${label}: document ${i} value`);
    assert.equal(d.startLine, full[i].start, `${label}: document ${i} start line`);
    if (d.value !== null) assert.equal(d.endLine, full[i].end, `${label}: document ${i} end line`);
  });
  return true;
}

describe('yaml/fastParseDocuments', () => {
  it('agrees with the full parser on every fixture file it accepts, and accepts most of them', () => {
    const files = yamlFiles(FIXTURES);
    assert.ok(files.length > 100, `found ${files.length} fixture files`);
    const accepted = files.filter((f) => agrees(readFileSync(f, 'utf8'), f));
    assert.ok(accepted.length > files.length * 0.6, `fast path took ${accepted.length} of ${files.length}`);
  });

  it('resolves YAML 1.1 scalars, quotes, escapes and literal blocks like the full parser', () => {
    const cases = [
      'a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: ~\ng: null\nh:\ni: 0644\nj: 0x1F\nk: 1_000\nl: -12\nm: +3\nexp: 1.5e3\no: .inf\np: -.Inf\nq: .NaN\nr: 22:22\ns: 2024-01-02\nt: 0b101\nu: 1.0\nv: 09\n',
      'a: "x\\ty\\n\\"q\\" \\u00e9 \\x41 \\\\"\nb: \'it\'\'s\'\nc: "yes"\n"d e": 1\n\'f\': 2\ng: a#b\nh: a #comment\ni: http://x:80/p\nj: "0644"\nk: \'\'\nl: ""\n',
      'a: |\n  line 1\n\n    indented\n  # not a comment\n  last\nb: |-\n  stripped\n\n\nc: |+\n  kept\n\n\nd: 1\ne: |\n  at eof',
      'list:\n- a\n- - nested\n',
      'list:\n- name: x\n  ports:\n  - containerPort: 80\n    protocol: TCP\n  args: []\n  env: {}\n-\n  name: y\n- \n- "quoted": 1\n  other: 2\ntop: 1\n',
      '# lead\n---\n---\n# only a comment\n---\napiVersion: v1\nkind: A\n\n---\n',
      'apiVersion: v1\nkind: A\n# trailing comment\n\n---\n',
      'a: 1\n  b: 2\n',
      'a: multi\n  line plain\n',
      'a: [1, 2]\n',
      'command: ["sh", "-c", \'echo it\'\'s\']\nports: [ 80 , 0x1F, yes, ~, 1.5 ] # c\nlist:\n- [a b, c]\n- []\n',
      'bad: [a, ]\n',
      'a: &x 1\nb: *x\n',
      'key: value\t\t\nother:\t1\n',
      'a:\r\n  b: "crlf"\r\n',
      'y: 1\n',
      'a: b: c\n',
      '- top\n- level\n',
      '--- # marker comment\na: 1\n--- !tag\nb: 2\n',
      '\ta: 1\n',
      'a: "unterminated\n  b"\n',
      'a: >\n  folded\n  text\n',
    ];
    const accepted = cases.filter((c, i) => agrees(c, `case ${i}`));
    assert.ok(accepted.length >= 10, `fast path took ${accepted.length} cases`);
    assert.ok(accepted.some((c) => c.startsWith('command: [')), 'one-line flow sequences take the fast path');
  });

  it('round-trips strings that need quoting, as written by yaml.stringify', () => {
    const nasty = ['yes', 'No', 'on', '0644', '1:20', '~', '', 'null', ' lead', 'trail ', 'a: b', 'a #b', '#x', '- x', '"q"', "'s'", 'é ✓', '\ttab', 'multi\nline\n', 'multi\nline', 'x\n\n', '1e3', '0x1F', '.inf', '@at', '*star', '&amp', '!bang', '%pct', '[x]', '{x}', 'a\\b', 'true', 'Y', '=', '<<'];
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n' }, data: Object.fromEntries(nasty.map((v, i) => [`k${i}`, v])), list: nasty };
    const text = stringify(obj, { version: '1.1', lineWidth: 0 });
    assert.ok(agrees(text, 'stringify 1.1'), 'fast path taken');
    assert.deepEqual(parseManifests(text, 'x.yaml').docs[0].object.data, obj.data);
    // YAML 1.2 output leaves `yes` and `0644` unquoted: still read the kubectl (1.1) way, same as the full parser.
    agrees(stringify(obj, { version: '1.2', lineWidth: 0 }), 'stringify 1.2');
  });

  it('takes the fast path for kustomize-style output and gives up on anchors, flow maps, nested or multi-line flow sequences and folded scalars', () => {
    const kustomized = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    app: web\n  name: web\n  namespace: prod\nspec:\n  template:\n    spec:\n      containers:\n      - args:\n        - --port=8080\n        image: nginx:1.27\n        name: web\n',
      'apiVersion: v1\ndata:\n  app.conf: |\n    level: info\n    # comment inside\nkind: ConfigMap\nmetadata:\n  name: cfg\n',
    ].join('---\n');
    const docs = fastParseDocuments(kustomized);
    assert.ok(docs, 'fast path taken');
    assert.deepEqual(
      docs.map((d) => [(d.value as { kind: string }).kind, d.startLine, d.endLine]),
      [
        ['Deployment', 1, 15],
        ['ConfigMap', 17, 24],
      ],
    );
    assert.equal((docs[1].value as { data: Record<string, string> }).data['app.conf'], 'level: info\n# comment inside\n');
    for (const text of ['a: &x 1\nb: *x\n', 'a: [[1], 2]\n', 'a: [1,\n  2]\n', 'a: [b: 1]\n', 'a: {b: 1}\n', 'a: >\n  x\n', 'a: !!str 1\n', '<<: {a: 1}\n', '%YAML 1.1\n---\na: 1\n']) {
      assert.equal(fastParseDocuments(text), undefined, text);
    }
  });

  it('parseManifests gives the same result with and without the fast path, errors and skips included', () => {
    const text = ['# c', '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: a', '---', 'foo: bar', '---', '---', 'apiVersion: v1', 'kind: List', 'items:', '- apiVersion: v1', '  kind: Secret', '  metadata:', '    name: s', '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: 12', ''].join('\n');
    assert.ok(fastParseDocuments(text));
    const fast = parseManifests(text, 'm.yaml');
    assert.deepEqual(fast, parseManifests(text, 'm.yaml', { fastPath: false }));
    assert.deepEqual(fast.docs.map((d) => d.object.metadata.name), ['a', 's']);
    assert.equal(fast.errors.length, 1);
    assert.match(fast.errors[0].message, /metadata\.name must be a string/);
  });

  it('agrees with the full parser on 3,000 seeded random documents written in many styles and then mangled', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const scalars = ['yes', 'no', 'On', 'y', 'n', '~', 'null', '', ' ', '0644', '0x1F', '1_000', '1e3', 'e3', '.', '1.5', '-.inf', '22:22', '2024-01-02', 'a: b', 'a #b', '# c', '- x', '"q"', "'s'", 'x\ny', 'x\n', 'x\n\n', '\nlead', 'tail ', ' lead', '\tt', 'é', '[a]', '{b}', '&a', '*a', '!t', '%', '@', '|', '>', 'plain text', 'http://x:80/p', '<<', '---', '...', 'k: v\n- i'];
    const value = (depth: number): unknown => {
      const r = rnd();
      if (depth > 3 || r < 0.45) return pick<unknown>([...scalars, 0, 1, -7, 3.25, true, false, null]);
      if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, () => [pick([...scalars, 'name', 'spec', 'k1', 'k2']), value(depth + 1)]));
    };
    const mangle = (text: string): string =>
      text
        .split('\n')
        .flatMap((l) => {
          const r = rnd();
          if (r < 0.04) return [l, `${' '.repeat(Math.floor(rnd() * 6))}# comment`];
          if (r < 0.08) return [l, ' '.repeat(Math.floor(rnd() * 3))];
          if (r < 0.1) return [`${l}  `];
          if (r < 0.11) return [`${l}\t`];
          if (r < 0.12) return [`${l} # trailing`];
          return [l];
        })
        .join('\n');
    let fast = 0;
    for (let n = 0; n < 3000; n++) {
      const docs = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `n${n}` }, data: value(0) }));
      const opts: ToStringOptions = {
        indent: pick([2, 4]),
        indentSeq: rnd() < 0.5,
        lineWidth: pick([0, 20, 80]),
        defaultStringType: pick(['PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL'] as const),
        defaultKeyType: pick([null, 'PLAIN', 'QUOTE_DOUBLE'] as const),
      };
      let text = docs.map((d) => stringify(d, { version: pick(['1.1', '1.2'] as const), ...opts })).join(pick(['---\n', '---\n\n', '--- # sep\n']));
      if (rnd() < 0.5) text = mangle(text);
      if (agrees(text, `random ${n}: ${JSON.stringify(text)}`)) fast++;
    }
    assert.ok(fast > 1000, `fast path took ${fast} of 3000`);
  });
});
