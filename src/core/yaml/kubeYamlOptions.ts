// The YAML dialect kubectl reads, shared by the full parser and the fast path.
import type { DocumentOptions, ParseOptions, SchemaOptions, Tags } from 'yaml';

/**
 * kubectl decodes with go-yaml v2 (YAML 1.1: `0644` octal, yes/no/on/off booleans, `<<` merge keys), but leaves
 * timestamps as strings when decoding into untyped maps and has no base-60 numbers (`1:20` stays a string,
 * which matters for port mappings), so those tags are dropped.
 */
export const kubeYamlOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  merge: true,
  uniqueKeys: false,
  // Unquoted Go templates (`name: {{ .Name }}`) make maps with map keys; we report those, not log them.
  logLevel: 'error',
  customTags: (tags: Tags) =>
    tags.filter((t) => !(typeof t === 'object' && (t.tag === 'tag:yaml.org,2002:timestamp' || ('format' in t && t.format === 'TIME')))).map(withGoFloatTest),
};

/**
 * The `yaml` package's YAML 1.1 floats accept numbers without a digit (`e3`, `E5`, `.`, `-.`), resolving them to
 * NaN; go-yaml v2 needs a digit (`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` once `_` are removed),
 * so `name: e2` must stay a string.
 */
const GO_FLOAT_EXP = /^[-+]?(?:\.[0-9_]*[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)[eE][-+]?[0-9]+$/;
const GO_FLOAT = /^[-+]?(?:\.[0-9_]*[0-9][0-9_]*|[0-9][0-9_]*\.[0-9_]*)$/;

function withGoFloatTest<T>(t: T): T {
  if (typeof t !== 'object' || t === null || (t as { tag?: string }).tag !== 'tag:yaml.org,2002:float') return t;
  const test = (t as { test?: RegExp }).test;
  if (!test || /inf|nan/i.test(test.source)) return t;
  return { ...t, test: test.source.includes('[eE]') ? GO_FLOAT_EXP : GO_FLOAT };
}
