// ApplicationSet goTemplate: the hand-written evaluator (src/core/discovery/goTemplate.ts) against the real Go
// text/template + Sprig v3 as Argo CD's ApplicationSet controller configures them (test/gotemplate, built by
// `npm run tools`). Each template gives the same text, or an error on both sides; the constructs not evaluated
// locally must be refused (an error naming them), never rendered differently.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { GoTemplateError, renderGoTemplate } from '../../../src/core/discovery/goTemplate';
import { requireTool } from '../../cluster/tools';

const data = {
  path: { path: 'apps/team-a/web', basename: 'web', basenameNormalized: 'web', segments: ['apps', 'team-a', 'web'] },
  name: 'My App_1.',
  cluster: { name: 'prod-eu', server: 'https://10.0.0.1', labels: { env: 'prod' } },
  replicas: 3,
  big: 100000000,
  million: 1000000,
  huge: 1e21,
  near: 123456789012345680000,
  ratio: 0.5,
  tiny: 0.00001,
  small: 0.0001,
  flag: true,
  off: false,
  empty: '',
  none: null,
  list: ['a', 'b'],
  nested: { a: { b: 'deep' } },
  values: { region: 'eu-west-1' },
};

const SAME: string[] = [
  '{{.path.basename}}',
  'prefix-{{ .path.path }}-suffix',
  '{{index .path.segments 1}}',
  '{{.name | normalize}}',
  '{{ normalize .name }}',
  '{{.missing}}',
  '{{.none}}',
  '{{.nested.a.b}}',
  '{{.nested.x.y}}',
  '{{.none.y}}',
  '{{ 1234567.5 }} {{ 123456.5 }} {{ 0.00012 }} {{ -2.5 }} {{ 1e-7 }}',
  '{{.name.x}}',
  '{{.replicas}}',
  '{{.big}}',
  '{{.million}}',
  '{{.huge}}',
  '{{.near}}',
  '{{.ratio}}',
  '{{.tiny}}',
  '{{.small}}',
  '{{.flag}} {{.off}}',
  '{{.list}}',
  '{{.cluster.labels}}',
  '{{.nested}}',
  '{{ upper .name }}',
  '{{ lower .name | trunc 4 }}',
  '{{ trunc -3 .name }}',
  '{{ .name | replace " " "-" }}',
  '{{ title "hello world-x o\'neil été_x 2nd" }}',
  '{{ default "main" .missing }}',
  '{{ default "main" .empty }}',
  '{{ .values.region | default "us" }}',
  '{{ if eq .cluster.labels.env "prod" }}main{{ else }}HEAD{{ end }}',
  'a {{- if .flag -}} yes {{- end }} b',
  '{{ if not .flag }}x{{ else if .flag }}y{{ end }}',
  '{{ if .empty }}x{{ else if .off }}y{{ else }}z{{ end }}',
  '{{ printf "%s-%s" .cluster.name .path.basename }}',
  '{{ printf "%d" .replicas }}',
  '{{ printf "%d" (len .list) }}',
  '{{ printf "%v %q" .list .name }}',
  '{{ printf "%s" }}',
  '{{ len .list }}',
  '{{ len .name }}',
  '{{ add 1 2 }}',
  '{{ add .replicas 1 }}',
  '{{ sub 5 .replicas }}',
  '{{ mul 2 3 4 }}',
  '{{ add1 .replicas }}',
  '{{ eq .replicas 3 }}',
  '{{ eq .replicas 3.0 }}',
  '{{ eq .name "x" "My App_1." }}',
  '{{ quote .name }}',
  '{{ squote .name }}',
  '{{ join "," .list }}',
  '{{ splitList "/" .path.path | last }}',
  '{{ base .path.path }}',
  '{{ dir .path.path }}',
  '{{ ext "a/b.yaml" }}',
  '{{ clean "a//b/../c/" }}',
  '{{ trimPrefix "apps/" .path.path }}',
  '{{ trimSuffix "/web" .path.path }}',
  '{{ hasPrefix "apps" .path.path }}',
  '{{ hasSuffix "web" .path.path }}',
  '{{ contains "team" .path.path }}',
  '{{ ternary "a" "b" .flag }}',
  '{{ coalesce .missing .empty "z" }}',
  '{{ cat "a" .replicas "b" }}',
  '{{ substr 0 3 .name }}',
  '{{ substr 2 99 .name }}',
  '{{ nospace .name }}',
  '{{ repeat 2 "ab" }}',
  '{{ (index .path.segments 0) | upper }}',
  '{{ print "a" 1 2 "b" }}',
  '{{/* a comment */}}x',
  '{{ .name | lower | normalize }}',
  '{{ and .flag .name }}',
  '{{ or .empty "fallback" }}',
  '{{ index .cluster.labels "env" }}',
  '{{ index .cluster.labels "nope" }}',
  '{{ index .list 5 }}',
  '{{ toString .replicas }}',
  '{{ atoi "42" }}',
  '{{ int "7" }}',
  '{{ first .list }}',
  '{{ trimAll "/" "/a/b/" }}',
  '{{ trim "  x  " }}',
  '{{ lt 1 2 }} {{ gt "b" "a" }} {{ ne .name "x" }} {{ le 2 2 }} {{ ge 1 2 }}',
  '{{ lt .name 2 }}',
  '{{ "raw" }}-{{ `back\\tick` }}-{{ "esc\\t\\"q\\"" }}',
  '{{ .name',
  '{{ end }}',
  '{{ if .flag }}unclosed',
  '{{ .path.basename 1 }}',
];

/** Go renders these; the evaluator must refuse them (naming what it does not evaluate), never guess. */
const REFUSED = ['{{ range .list }}{{.}}{{ end }}', '{{ $x := 1 }}{{ $x }}', '{{ regexReplaceAll "[0-9]" .name "x" }}', '{{ sha256sum "a" }}', '{{ with .nested }}{{ .a.b }}{{ end }}', '{{ (index .nested "a").b }}'];

interface Outcome {
  out?: string;
  error?: string;
}

function referee(jobs: { template: string; data: unknown; options?: string[] }[]): Outcome[] {
  const out = execFileSync(requireTool('gotemplate-referee'), [], { input: JSON.stringify(jobs), encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out) as Outcome[];
}

function local(template: string, missingKeyError = false): Outcome {
  try {
    return { out: renderGoTemplate(template, data, { missingKeyError }) };
  } catch (e) {
    if (!(e instanceof GoTemplateError)) throw e;
    return { error: e.message };
  }
}

describe('goTemplate against text/template + Sprig (the ApplicationSet controller)', () => {
  it('renders the same text, or fails on both sides', () => {
    const go = referee(SAME.map((template) => ({ template, data })));
    const wrong: string[] = [];
    SAME.forEach((t, i) => {
      const mine = local(t);
      if (go[i].error !== undefined ? mine.error === undefined : mine.out !== go[i].out) {
        wrong.push(`${t}\n    go:   ${go[i].error !== undefined ? `error ${go[i].error}` : JSON.stringify(go[i].out)}\n    mine: ${mine.error !== undefined ? `error ${mine.error}` : JSON.stringify(mine.out)}`);
      }
    });
    assert.deepEqual(wrong, []);
  });

  it('missingkey=error: a missing key is an error, a present one is not', () => {
    const go = referee([
      { template: '{{ .missing }}', data, options: ['missingkey=error'] },
      { template: '{{ .path.basename }}', data, options: ['missingkey=error'] },
    ]);
    assert.ok(go[0].error, 'Go fails');
    assert.ok(local('{{ .missing }}', true).error);
    assert.equal(local('{{ .path.basename }}', true).out, go[1].out);
  });

  it('refuses what it does not evaluate (Go renders it)', () => {
    const go = referee(REFUSED.map((template) => ({ template, data })));
    REFUSED.forEach((t, i) => {
      assert.equal(go[i].error, undefined, `Go renders ${t}`);
      assert.ok(local(t).error, `refused: ${t}`);
    });
  });
});
