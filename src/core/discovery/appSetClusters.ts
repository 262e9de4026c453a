// ApplicationSet `clusters` generator, as Argo CD's applicationset/generators/cluster.go expands it: the cluster
// Secrets of the Argo CD namespace (label `argocd.argoproj.io/secret-type: cluster`) matching the generator's
// selector, plus the in-cluster (`in-cluster`, https://kubernetes.default.svc) when the selector is empty and no
// Secret already names that server. Only the fields that become parameters are ever kept from a Secret (name,
// server, project, labels, annotations): its `config` (credentials) is dropped where the Secret is read.
import type { KubeObject } from '../model';
import { type JsonObject as Obj, asObj } from '../k8s/json';
import { renderGoTemplate, type GoTemplateOptions } from './goTemplate';
import { sanitizeName } from './sanitizeName';

export const SECRET_TYPE_LABEL = 'argocd.argoproj.io/secret-type';
export const IN_CLUSTER_NAME = 'in-cluster';
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
/** Holds the whole object as applied (a Secret's data too): never a parameter here. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** What the generator reads of one cluster Secret; nothing else of the Secret is kept. */
export interface ClusterSecret {
  namespace?: string;
  name: string;
  server: string;
  /** The Secret's `project` field, when it has one. */
  project?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * The cluster Secrets an ApplicationSet in `namespace` sees, or why they are not known (a string): read from the
 * cluster, or from the workspace's manifests when there is no cluster.
 */
export type ClusterSecretsOf = (namespace: string) => ClusterSecret[] | string;

const strings = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(asObj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));

/** Whether a Secret (as listed, or as a workspace manifest) is an Argo CD cluster Secret. */
export function isClusterSecret(o: KubeObject): boolean {
  return o.kind === 'Secret' && (o.apiVersion ?? 'v1') === 'v1' && strings(o.metadata?.labels)[SECRET_TYPE_LABEL] === 'cluster';
}

/** The parameter fields of a cluster Secret (`data` base64, or a manifest's `stringData`); its credentials are not read. */
export function clusterSecretOf(o: KubeObject): ClusterSecret {
  const data = asObj((o as { data?: unknown }).data);
  const stringData = asObj((o as { stringData?: unknown }).stringData);
  const field = (k: string): string | undefined => {
    if (typeof stringData[k] === 'string') return stringData[k] as string;
    return typeof data[k] === 'string' ? Buffer.from(data[k] as string, 'base64').toString('utf8') : undefined;
  };
  const annotations = strings(o.metadata?.annotations);
  delete annotations[LAST_APPLIED];
  const project = field('project');
  return { namespace: o.metadata?.namespace, name: field('name') ?? '', server: field('server') ?? '', ...(project !== undefined ? { project } : {}), labels: strings(o.metadata?.labels), annotations };
}

/**
 * metav1.LabelSelectorAsSelector over a Secret's labels: matchLabels and matchExpressions (In, NotIn, Exists,
 * DoesNotExist) all hold. Throws what Kubernetes rejects (an unknown operator, In/NotIn without values).
 */
export function selectorMatches(selector: Obj, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(asObj(selector.matchLabels))) if (labels[k] !== String(v)) return false;
  for (const r of (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []).map(asObj)) {
    const key = String(r.key ?? '');
    const values = (Array.isArray(r.values) ? r.values : []).map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (r.operator) {
      case 'In':
      case 'NotIn': {
        if (!values.length) throw new Error(`selector: values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty`);
        const inSet = has && values.includes(labels[key]);
        if (r.operator === 'In' ? !inSet : inSet) return false;
        break;
      }
      case 'Exists':
      case 'DoesNotExist':
        if (values.length) throw new Error(`selector: values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`);
        if (r.operator === 'Exists' ? !has : has) return false;
        break;
      default:
        throw new Error(`selector: "${String(r.operator)}" is not a valid label selector operator`);
    }
  }
  return true;
}

/** fasttemplate as Argo's Render.Replace uses it: `{{ key }}` is a flat string parameter, else left as written. */
export function fastTemplate(text: string, params: Obj): string {
  return text.replace(/\{\{([\s\S]*?)\}\}/g, (m, tag: string) => {
    const v = params[tag.trim()];
    return tag.trim() !== '' && typeof v === 'string' ? v : m;
  });
}

/**
 * The generator's `values`, each rendered with the parameters gathered so far (not with other values: Argo CD
 * allows no interpolation between them): `values.<key>` flat, or a `values` map with goTemplate.
 */
export function withTemplatedValues(params: Obj, values: Obj, goTemplate: boolean, opts: GoTemplateOptions): Obj {
  const rendered = Object.entries(values).map(([k, v]) => [k, goTemplate ? renderGoTemplate(String(v), params, opts) : fastTemplate(String(v), params)] as const);
  if (!rendered.length) return params;
  return goTemplate ? { ...params, values: Object.fromEntries(rendered) } : { ...params, ...Object.fromEntries(rendered.map(([k, v]) => [`values.${k}`, v])) };
}

function paramsOf(s: ClusterSecret, goTemplate: boolean): Obj {
  const p: Obj = { name: s.name, nameNormalized: sanitizeName(s.name), server: s.server, project: s.project ?? '' };
  if (goTemplate) {
    const meta: Obj = {};
    if (Object.keys(s.annotations).length) meta.annotations = { ...s.annotations };
    if (Object.keys(s.labels).length) meta.labels = { ...s.labels };
    p.metadata = meta;
  } else {
    for (const [k, v] of Object.entries(s.annotations)) p[`metadata.annotations.${k}`] = v;
    for (const [k, v] of Object.entries(s.labels)) p[`metadata.labels.${k}`] = v;
  }
  return p;
}

export interface ClusterExpansion {
  params: Obj[];
  /** Why the generator could not be expanded (no Secrets known, an unreadable list, an invalid selector). */
  notExpanded?: string;
}

/**
 * One `clusters` generator's parameter sets from the Secrets of the set's namespace. goTemplate errors in `values`
 * throw (GoTemplateError), as they fail the set in Argo CD.
 */
export function clusterGenerator(g: Obj, secrets: ClusterSecret[] | string, goTemplate: boolean, opts: GoTemplateOptions = {}): ClusterExpansion {
  if (typeof secrets === 'string') return { params: [], notExpanded: `clusters (${secrets})` };
  const selector = asObj(g.selector);
  const values = asObj(g.values);
  // A selector (anything in it) leaves the in-cluster out: it has no Secret, so no labels to match.
  const ignoreLocal = Object.keys(asObj(selector.matchLabels)).length > 0 || (Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0);
  const withType: Obj = { ...selector, matchLabels: { ...asObj(selector.matchLabels), [SECRET_TYPE_LABEL]: 'cluster' } };
  // Keyed by the cluster name, as getSecretsByClusterName does (a later Secret of the same name wins).
  const byName = new Map<string, ClusterSecret>();
  try {
    for (const s of secrets) if (selectorMatches(withType, s.labels)) byName.set(s.name, s);
  } catch (e) {
    return { params: [], notExpanded: `clusters (${(e as Error).message})` };
  }
  const out: Obj[] = [];
  if (!ignoreLocal && ![...byName.values()].some((s) => s.server === IN_CLUSTER_SERVER)) {
    out.push(withTemplatedValues({ name: IN_CLUSTER_NAME, nameNormalized: IN_CLUSTER_NAME, server: IN_CLUSTER_SERVER, project: '' }, values, goTemplate, opts));
  }
  for (const s of [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))) out.push(withTemplatedValues(paramsOf(s, goTemplate), values, goTemplate, opts));
  return { params: g.flatList === true ? [{ clusters: out }] : out };
}

/** Whether an ApplicationSet has a `clusters` generator, at the top or inside matrix / merge. */
export function usesClusterGenerator(appSet: KubeObject): boolean {
  const walk = (gens: unknown): boolean =>
    (Array.isArray(gens) ? gens : []).map(asObj).some((g) => !!g.clusters || walk(asObj(g.matrix).generators) || walk(asObj(g.merge).generators));
  return walk(asObj(appSet.spec).generators);
}

/** The cluster Secrets of a set of manifests (the workspace's), by the namespace an ApplicationSet looks in. */
export function clusterSecretsFromManifests(objects: KubeObject[]): ClusterSecretsOf | undefined {
  const secrets = objects.filter(isClusterSecret).map(clusterSecretOf);
  if (!secrets.length) return undefined;
  // A manifest without a namespace takes the one it is applied to (often set by a kustomization): any.
  return (namespace) => secrets.filter((s) => !s.namespace || s.namespace === namespace);
}
