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
  customTags: (tags: Tags) => tags.filter((t) => !(typeof t === 'object' && (t.tag === 'tag:yaml.org,2002:timestamp' || ('format' in t && t.format === 'TIME')))),
};
