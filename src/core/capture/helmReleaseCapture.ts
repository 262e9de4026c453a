// Capture into a Flux HelmRelease's values (issue 14 item 2): a drifted field of an object the release renders is
// traced to the one chart value that renders it (helmValueProbe: the pinned helm renders the release again with
// that value changed), then written where the release gets that value from:
// - `spec.values` of the HelmRelease sets it → that entry in the HelmRelease manifest;
// - a `valuesFrom` ConfigMap / Secret sets it → refused, naming the object and key (never a Secret's content);
// - the chart's `valuesFiles` set it → the last of those files that sets it;
// - only the chart's own values.yaml sets it → added under the HelmRelease's `spec.values` (a default of the chart
//   is shared by every release of it; this release overrides it).
// The manifest must hold the value the cluster's HelmRelease has: one patched by an overlay or built from a
// substitution variable is refused with where it differs.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { App, FieldChange, KubeObject, ResourceDiff } from '../model';
import { asObj } from '../k8s/json';
import { helmReleaseValues, mergeValues } from '../render/helmReleaseValues';
import { chartDefaultValues, helmReleaseLookup, type HelmReleaseRenderDeps } from '../render/renderFluxHelmRelease';
import { renderApp } from '../render/renderApp';
import type { RenderDeps } from '../render/types';
import type { HelmValueDecision, HelmValueLocator } from './captureTypes';
import type { PathSegment } from './fieldPath';
import { mapFieldsToValues, showPath, valueAtPath, type ValuePath } from './helmValueProbe';
import { readYamlPath } from './yamlEdit';

type Obj = Record<string, unknown>;
const isMap = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const keys = (p: string[]): PathSegment[] => p.map((key) => ({ kind: 'key', key }));

function has(values: unknown, p: ValuePath): boolean {
  return valueAtPath(values, keys(p)) !== undefined;
}

/** A copy of `values` with `p` set (maps created on the way; a scalar in the way is replaced). */
function withValue(values: unknown, p: ValuePath, value: unknown): Obj {
  const root: Obj = structuredClone(isMap(values) ? values : {});
  let cur = root;
  p.forEach((k, i) => {
    if (i === p.length - 1) cur[k] = value;
    else {
      if (!isMap(cur[k])) cur[k] = {};
      cur = cur[k] as Obj;
    }
  });
  return root;
}

async function readText(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

/** Locates the values behind changes of objects rendered by a Flux HelmRelease whose chart is in the workspace. */
export function helmReleaseValueLocator(app: App, deps: RenderDeps & HelmReleaseRenderDeps): HelmValueLocator {
  return async (diff: ResourceDiff, changes: FieldChange[], signal?: AbortSignal): Promise<Map<string, HelmValueDecision>> => {
    const out = new Map<string, HelmValueDecision>();
    if (!deps.trusted) {
      for (const c of changes) out.set(c.path, { kind: 'none', reason: 'helm is not run in an untrusted workspace, so the chart value behind it cannot be found; trust the workspace' });
      return out;
    }
    const hr = app.definition as KubeObject;
    const spec = asObj(hr.spec);
    const hrName = `HelmRelease ${hr.metadata.namespace ?? 'flux-system'}/${hr.metadata.name}`;
    const lookup = helmReleaseLookup(app, deps);
    const defaults = await chartDefaultValues(app);
    const released = await helmReleaseValues(hr, lookup, signal);
    const values = mergeValues(defaults, released.values);
    const rdeps: RenderDeps = { ...deps, signal };
    const mappings = await mapFieldsToValues({
      ref: diff.ref,
      values,
      changes,
      signal,
      render: async (p, marker) => {
        const probe: KubeObject = { ...hr, spec: { ...spec, values: withValue(spec.values, p, marker) } };
        const r = await renderApp({ ...app, definition: probe }, rdeps);
        return r.errors.length ? r.errors.map((e) => e.message).join('; ') : r.objects.map((o) => o.object);
      },
    });
    const manifest = app.definedIn && !app.appSet ? app.definedIn : undefined;
    const manifestText = manifest ? await readText(manifest.file) : undefined;
    for (const c of changes) {
      const m = mappings.get(c.path);
      if (!m || m.kind === 'none') {
        out.set(c.path, { kind: 'none', reason: m?.reason ?? 'not probed' });
        continue;
      }
      const name = showPath(m.path);
      const also = m.alsoSets.length ? ` (it also sets ${m.alsoSets.slice(0, 4).join(', ')}${m.alsoSets.length > 4 ? ', …' : ''})` : '';
      const toManifest = (added: boolean): HelmValueDecision => {
        const where = `spec.values.${name} of ${hrName}`;
        if (!manifest || manifestText === undefined) return { kind: 'refuse', reason: `the chart value ${name} renders it: set ${where} (not in the workspace) to ${JSON.stringify(m.value)}` };
        const at = ['spec', 'values', ...m.path];
        const inFile = readYamlPath(manifestText, manifest.documentIndex, keys(at));
        const fileOk = added ? inFile === undefined : inFile !== undefined && String(inFile) === String(m.current);
        if (!fileOk) {
          return {
            kind: 'refuse',
            reason: `the chart value ${name} renders it, but ${path.basename(manifest.file)} ${inFile === undefined ? 'does not set' : `sets ${JSON.stringify(inFile)} for`} spec.values.${name} where the cluster's ${hrName} has ${added ? 'none' : JSON.stringify(m.current)} (an overlay patch or a substitution variable decides it): change it there`,
          };
        }
        return {
          kind: 'edit',
          file: manifest.file,
          documentIndex: manifest.documentIndex,
          path: keys(at),
          value: m.value,
          note: `Helm value ${name} = ${JSON.stringify(m.value)} in ${added ? `${hrName}'s spec.values (overrides the chart default ${JSON.stringify(m.current)})` : `${hrName}'s spec.values`}${also}`,
        };
      };
      if (has(spec.values, m.path)) {
        out.set(c.path, toManifest(false));
        continue;
      }
      const from = await valuesFromSetting(hr, m.path, lookup, signal);
      if (from) {
        out.set(c.path, { kind: 'refuse', reason: `the chart value ${name} renders it and comes from ${from} (valuesFrom); change it there` });
        continue;
      }
      const files = app.helmRelease?.valuesFiles ?? [];
      let fileHit: string | undefined;
      for (const f of [...files].reverse()) {
        const t = await readText(f);
        if (t !== undefined && readYamlPath(t, 0, keys(m.path)) !== undefined) {
          fileHit = f;
          break;
        }
      }
      if (fileHit) {
        out.set(c.path, { kind: 'edit', file: fileHit, documentIndex: 0, path: keys(m.path), value: m.value, note: `Helm value ${name} = ${JSON.stringify(m.value)} in the chart values file ${path.basename(fileHit)}${also}` });
        continue;
      }
      out.set(c.path, toManifest(true));
    }
    return out;
  };
}

/** `ConfigMap ns/name key k` of the last valuesFrom entry that sets the path, if one does. */
async function valuesFromSetting(hr: KubeObject, p: ValuePath, lookup: HelmReleaseRenderDeps['lookupObject'] & object, signal?: AbortSignal): Promise<string | undefined> {
  const spec = asObj(hr.spec);
  const refs = (Array.isArray(spec.valuesFrom) ? spec.valuesFrom : []).filter(isMap);
  const namespace = hr.metadata.namespace ?? 'flux-system';
  for (let i = refs.length - 1; i >= 0; i--) {
    const one: KubeObject = { ...hr, spec: { ...spec, values: undefined, valuesFrom: [refs[i]] } };
    const v = await helmReleaseValues(one, lookup, signal).catch(() => undefined);
    if (v && has(v.values, p)) {
      const key = typeof refs[i].valuesKey === 'string' && refs[i].valuesKey !== '' ? refs[i].valuesKey : 'values.yaml';
      const target = typeof refs[i].targetPath === 'string' && refs[i].targetPath ? `, targetPath ${String(refs[i].targetPath)}` : '';
      return `${String(refs[i].kind)} ${namespace}/${String(refs[i].name)} key ${String(key)}${target}`;
    }
  }
  return undefined;
}
