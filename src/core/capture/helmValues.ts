// Finds the chart value behind a rendered field when the chart says so unambiguously: exactly one template of the
// object's kind, exactly one line for the field, and that line is nothing but `{{ .Values.x.y }}`.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FieldChange } from '../model';
import { throwIfAborted } from '../ports';
import { parseFieldPath } from './fieldPath';
import { parseImageRef } from './imageRef';
import { readYamlPath } from './yamlEdit';

export interface HelmValueWrite {
  file: string;
  /** Dot path in the values file, e.g. `image.tag`. */
  path: string;
  value: unknown;
}

const VALUES_REF = String.raw`\{\{-?\s*\.Values\.([A-Za-z0-9_.]+)\s*(?:\|\s*quote\s*)?-?\}\}`;

async function templatesOf(chartDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  await walk(path.join(chartDir, 'templates'));
  return out;
}

/**
 * The values write that reproduces `change.live`, or a reason it is ambiguous. `valuesFiles` are the release's
 * values files (later wins, as in helm); the chart's own values.yaml is the fallback.
 */
export async function inferHelmValue(
  chartDir: string,
  kind: string,
  change: FieldChange,
  valuesFiles: string[] = [],
  signal?: AbortSignal,
): Promise<HelmValueWrite | string> {
  const segs = parseFieldPath(change.path);
  const last = segs[segs.length - 1];
  if (last.kind !== 'key' || change.live === undefined || (typeof change.live === 'object' && change.live !== null)) return 'only scalar fields map to chart values';
  const kindRe = new RegExp(`^kind:\\s*${kind}\\s*$`, 'm');
  const templates: string[] = [];
  for (const t of await templatesOf(chartDir)) if (kindRe.test(await readFile(t, { encoding: 'utf8', signal }))) templates.push(t);
  if (templates.length !== 1) return templates.length ? `${templates.length} templates render a ${kind}` : `no template renders a ${kind}`;
  const text = await readFile(templates[0], 'utf8');
  const lines = text.split('\n').filter((l) => new RegExp(`^\\s*(?:-\\s+)?${last.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`).test(l));
  if (lines.length !== 1) return `${path.basename(templates[0])} has ${lines.length} \`${last.key}:\` lines`;
  const line = lines[0].replace(/^\s*(?:-\s+)?[^:]+:\s*/, '').trim();

  const whole = new RegExp(`^"?${VALUES_REF}"?$`).exec(line);
  const image = new RegExp(`^"?${VALUES_REF}:${VALUES_REF}"?$`).exec(line);
  let valuePath: string;
  let value: unknown = change.live;
  if (whole) valuePath = whole[1];
  else if (image && last.key === 'image' && typeof change.live === 'string') {
    const live = parseImageRef(change.live);
    const desired = typeof change.desired === 'string' ? parseImageRef(change.desired) : undefined;
    if (!desired || desired.name !== live.name || live.tag === undefined || live.digest) return 'the image repository changed too';
    valuePath = image[2];
    value = live.tag;
  } else return `\`${lines[0].trim()}\` is not a plain value reference`;

  const candidates = [...valuesFiles].reverse().concat(path.join(chartDir, 'values.yaml'));
  for (const f of candidates) {
    throwIfAborted(signal);
    const t = await readFile(f, 'utf8').catch(() => undefined);
    if (t !== undefined && readYamlPath(t, 0, valuePath) !== undefined) return { file: f, path: valuePath, value };
  }
  return `no values file sets ${valuePath}`;
}
