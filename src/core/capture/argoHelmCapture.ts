// Capture into an Argo CD helm Application's values (issue 14 items 2 and 6): the chart value behind a drifted field
// is found as for a Flux HelmRelease (helmValueProbe: the app rendered again with one value set by a `--set`
// parameter), then written where repo-server takes it from, highest precedence first:
// - a `spec.source.helm.parameters` entry → its `value` in the Application manifest;
// - `valuesObject` → that entry; the inline `values` text → that entry inside the text (its comments kept);
// - the `valueFiles` → the last of them that sets it;
// - only the chart's values.yaml → a new `valuesObject` entry when the app has one, else a new parameter (the chart's
//   defaults are shared by every app of the chart).
// An ApplicationSet-generated app, a multi-source app, or a manifest that does not hold the value Argo CD renders
// with is refused with where to change it.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { App, FieldChange, KubeObject, ResourceDiff } from '../model';
import { asObj } from '../k8s/json';
import { mergeValues, setPathValue } from '../render/helmReleaseValues';
import { renderApp } from '../render/renderApp';
import type { RenderDeps } from '../render/types';
import { argoHelmOverrideFiles } from '../render/argoSourceOverrides';
import type { HelmValueDecision, HelmValueLocator } from './captureTypes';
import type { PathSegment } from './fieldPath';
import { mapFieldsToValues, showPath, valueAtPath } from './helmValueProbe';
import { applyYamlEdits, readYamlPath } from './yamlEdit';

type Obj = Record<string, unknown>;
const isMap = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const keys = (p: string[]): PathSegment[] => p.map((key) => ({ kind: 'key', key }));
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;
const HELM = ['spec', 'source', 'helm'];

async function readText(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

function yamlMap(text: string | undefined): Obj {
  try {
    const v = text === undefined ? undefined : (parse(text) as unknown);
    return isMap(v) ? v : {};
  } catch {
    return {};
  }
}

interface Parameter {
  name: string;
  value: string;
  forceString?: boolean;
}

/** Locates the values behind changes of objects rendered by a single-source Argo CD helm Application. */
export function argoHelmValueLocator(app: App, deps: RenderDeps): HelmValueLocator {
  return async (diff: ResourceDiff, changes: FieldChange[], signal?: AbortSignal): Promise<Map<string, HelmValueDecision>> => {
    const out = new Map<string, HelmValueDecision>();
    if (!deps.trusted) {
      for (const c of changes) out.set(c.path, { kind: 'none', reason: 'helm is not run in an untrusted workspace, so the chart value behind it cannot be found; trust the workspace' });
      return out;
    }
    // A parameter override file in the chart folder (`argocd app set`, Image Updater) is merged over the Application:
    // a value written into the Application would lose to it.
    const overrideFiles = await argoHelmOverrideFiles(app);
    if (overrideFiles.length) {
      const named = overrideFiles.map((f) => path.relative(path.dirname(app.path as string), f)).join(' and ');
      for (const c of changes) out.set(c.path, { kind: 'refuse', reason: `${named} overrides the helm settings of ${app.name} (Argo CD merges it over the Application); change the value there` });
      return out;
    }
    const def = app.definition as KubeObject;
    const spec = asObj(def.spec);
    const source = asObj(spec.source);
    const helm = asObj(source.helm);
    const chartDir = app.path as string;
    const params = (Array.isArray(helm.parameters) ? helm.parameters : []).filter(isMap).map((p) => ({ name: String(p.name ?? ''), value: String(p.value ?? ''), forceString: p.forceString === true }));
    const valueFiles = (Array.isArray(helm.valueFiles) ? helm.valueFiles : []).filter((f): f is string => typeof f === 'string' && !/^https?:\/\//.test(f) && !f.startsWith('$')).map((f) => path.resolve(chartDir, f));
    const inline = isMap(helm.valuesObject) ? helm.valuesObject : typeof helm.values === 'string' ? yamlMap(helm.values) : {};
    let values = yamlMap(await readText(path.join(chartDir, 'values.yaml')));
    for (const f of valueFiles) values = mergeValues(values, yamlMap(await readText(f)));
    values = mergeValues(values, inline);
    for (const p of params) {
      try {
        setPathValue(values, p.name, p.value, p.forceString);
      } catch {
        // A parameter helm reads differently (lists, escapes) is not a candidate.
      }
    }
    const rdeps: RenderDeps = { ...deps, signal };
    const mappings = await mapFieldsToValues({
      ref: diff.ref,
      values,
      changes,
      signal,
      render: async (p, marker) => {
        if (!p.every((k) => PLAIN_KEY.test(k))) return `${showPath(p)} cannot be set as a parameter`;
        const probe: Parameter = { name: p.join('.'), value: String(marker), ...(typeof marker === 'string' ? { forceString: true } : {}) };
        const definition: KubeObject = { ...def, spec: { ...spec, source: { ...source, helm: { ...helm, parameters: [...params, probe] } } } };
        const r = await renderApp({ ...app, definition }, rdeps);
        return r.errors.length ? r.errors.map((e) => e.message).join('; ') : r.objects.map((o) => o.object);
      },
    });

    const name = `Application ${def.metadata.namespace ?? 'argocd'}/${def.metadata.name}`;
    const manifest = app.definedIn && !app.appSet ? app.definedIn : undefined;
    const text = manifest ? await readText(manifest.file) : undefined;
    for (const c of changes) {
      const m = mappings.get(c.path);
      if (!m || m.kind === 'none') {
        out.set(c.path, { kind: 'none', reason: m?.reason ?? 'not probed' });
        continue;
      }
      const vp = showPath(m.path);
      const also = m.alsoSets.length ? ` (it also sets ${m.alsoSets.slice(0, 4).join(', ')}${m.alsoSets.length > 4 ? ', …' : ''})` : '';
      const at = (where: string) => `the chart value ${vp} renders it; set it in ${where} to ${JSON.stringify(m.value)}`;
      const edit = (segs: PathSegment[], value: unknown, where: string, file = manifest?.file, documentIndex = manifest?.documentIndex): HelmValueDecision =>
        file === undefined || documentIndex === undefined ? { kind: 'refuse', reason: at(`${where} of ${app.appSet ? `the template of ApplicationSet ${app.appSet}` : `${name} (not in the workspace)`}`) } : { kind: 'edit', file, documentIndex, path: segs, value, note: `Helm value ${vp} = ${JSON.stringify(m.value)} in ${where}${also}` };
      const mismatch = (found: unknown, where: string): HelmValueDecision => ({
        kind: 'refuse',
        reason: `the chart value ${vp} renders it, but ${manifest ? path.basename(manifest.file) : 'the manifest'} has ${found === undefined ? 'no' : JSON.stringify(found)} ${where} where Argo CD renders with ${JSON.stringify(m.current)}: change it where that comes from`,
      });
      const paramIndex = params.map((p) => p.name).lastIndexOf(m.path.join('.'));
      if (paramIndex >= 0) {
        const segs: PathSegment[] = [...keys(HELM), { kind: 'key', key: 'parameters' }, { kind: 'index', index: paramIndex }, { kind: 'key', key: 'value' }];
        const inFile = text !== undefined && manifest ? readYamlPath(text, manifest.documentIndex, segs) : undefined;
        if (text !== undefined && String(inFile) !== params[paramIndex].value) out.set(c.path, mismatch(inFile, `parameter ${vp}`));
        else out.set(c.path, edit(segs, String(m.value), `${name}'s helm parameter ${vp}`));
        continue;
      }
      if (isMap(helm.valuesObject) && valueAtPath(helm.valuesObject, keys(m.path)) !== undefined) {
        const segs = keys([...HELM, 'valuesObject', ...m.path]);
        const inFile = text !== undefined && manifest ? readYamlPath(text, manifest.documentIndex, segs) : undefined;
        if (text !== undefined && String(inFile) !== String(m.current)) out.set(c.path, mismatch(inFile, `valuesObject.${vp}`));
        else out.set(c.path, edit(segs, m.value, `${name}'s helm valuesObject`));
        continue;
      }
      if (!isMap(helm.valuesObject) && typeof helm.values === 'string' && valueAtPath(inline, keys(m.path)) !== undefined) {
        const segs = keys([...HELM, 'values']);
        const inFile = text !== undefined && manifest ? readYamlPath(text, manifest.documentIndex, segs) : undefined;
        if (text !== undefined && inFile !== helm.values) out.set(c.path, mismatch(undefined, 'the same inline values'));
        else {
          let updated: string | undefined;
          try {
            updated = applyYamlEdits(helm.values, 0, [{ op: 'set', path: keys(m.path), value: m.value }]);
          } catch {
            updated = undefined;
          }
          out.set(c.path, updated === undefined ? { kind: 'refuse', reason: at(`the inline helm values of ${name}`) } : edit(segs, updated, `${name}'s inline helm values`));
        }
        continue;
      }
      let fileHit: string | undefined;
      for (const f of [...valueFiles].reverse()) {
        const t = await readText(f);
        if (t !== undefined && readYamlPath(t, 0, keys(m.path)) !== undefined) {
          fileHit = f;
          break;
        }
      }
      if (fileHit) {
        out.set(c.path, { kind: 'edit', file: fileHit, documentIndex: 0, path: keys(m.path), value: m.value, note: `Helm value ${vp} = ${JSON.stringify(m.value)} in the value file ${path.basename(fileHit)}${also}` });
        continue;
      }
      // A chart default: this app overrides it (other apps of the chart keep theirs).
      if (isMap(helm.valuesObject)) {
        out.set(c.path, edit(keys([...HELM, 'valuesObject', ...m.path]), m.value, `${name}'s helm valuesObject (overrides the chart default ${JSON.stringify(m.current)})`));
      } else if (!m.path.every((k) => PLAIN_KEY.test(k))) {
        out.set(c.path, { kind: 'refuse', reason: at(`the helm values of ${name}`) });
      } else {
        const param: Parameter = { name: m.path.join('.'), value: String(m.value), ...(typeof m.value === 'string' ? { forceString: true } : {}) };
        out.set(c.path, edit([...keys(HELM), { kind: 'key', key: 'parameters' }, { kind: 'match', match: { name: param.name } }], param, `${name}'s helm parameters (overrides the chart default ${JSON.stringify(m.current)})`));
      }
    }
    return out;
  };
}
