// The desired state that needs no rendering: what Helm last installed, as stored in its release Secret
// (`sh.helm.release.v1.<release>.v<revision>`, type `helm.sh/release.v1`, `data.release` = base64 of
// base64(gzip(release JSON)); the JSON's `manifest` is the rendered YAML). helm-controller's drift detection
// compares exactly these objects with live. Nothing here logs or returns the Secret's raw data.
import { gunzipSync } from 'node:zlib';
import { GitOpsError, type KubeObject } from '../model';
import { parseManifests } from '../yaml/parseManifests';
import { defaultNamespace } from './clusterScoped';

export const HELM_RELEASE_SECRET_TYPE = 'helm.sh/release.v1';
const NAME = /^sh\.helm\.release\.v1\.(.+)\.v(\d+)$/;

export interface HelmReleaseRecord {
  name: string;
  namespace: string;
  revision: number;
  /** deployed, superseded, failed, pending-install, … */
  status: string;
  chart?: { name?: string; version?: string; appVersion?: string };
  /** The manifest's objects, namespaced ones defaulted to the release namespace (as Helm applies them). */
  objects: KubeObject[];
}

export function isHelmReleaseSecret(o: KubeObject): boolean {
  return o.kind === 'Secret' && o.apiVersion === 'v1' && (o as { type?: string }).type === HELM_RELEASE_SECRET_TYPE && NAME.test(o.metadata.name ?? '');
}

const gzipMagic = (b: Buffer) => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Decodes one release Secret; throws a GitOpsError naming the Secret (never its content) when it cannot. */
export function decodeHelmRelease(secret: KubeObject): HelmReleaseRecord {
  const where = `${secret.metadata.namespace ?? ''}/${secret.metadata.name ?? ''}`;
  const raw = (secret as { data?: Record<string, string> }).data?.release;
  if (typeof raw !== 'string') throw new GitOpsError('parse', `Helm release Secret ${where} has no data.release`);
  let json: Record<string, unknown>;
  try {
    // data.release is base64 (the Secret encoding) of Helm's own base64 text.
    let bytes = Buffer.from(Buffer.from(raw, 'base64').toString('utf8'), 'base64');
    if (gzipMagic(bytes)) bytes = gunzipSync(bytes, { maxOutputLength: 64 * 1024 * 1024 });
    json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new GitOpsError('parse', `Helm release Secret ${where} cannot be decoded (${(e as Error).name})`);
  }
  const namespace = typeof json.namespace === 'string' ? json.namespace : (secret.metadata.namespace ?? '');
  const info = (json.info ?? {}) as { status?: string };
  const meta = ((json.chart ?? {}) as { metadata?: Record<string, string> }).metadata ?? {};
  const parsed = parseManifests(typeof json.manifest === 'string' ? json.manifest : '', `helm release ${where}`);
  if (parsed.errors.length > 0) throw new GitOpsError('parse', `Helm release ${where}: its manifest cannot be parsed: ${parsed.errors[0].message}`);
  const m = NAME.exec(secret.metadata.name ?? '');
  return {
    name: typeof json.name === 'string' ? json.name : (m?.[1] ?? ''),
    namespace,
    revision: typeof json.version === 'number' ? json.version : Number(m?.[2] ?? 0),
    status: info.status ?? secret.metadata.labels?.status ?? 'unknown',
    chart: { name: meta.name, version: meta.version, appVersion: meta.appVersion },
    objects: parsed.docs.map((d) => defaultNamespace(d.object, namespace)),
  };
}

/**
 * The release Helm currently considers installed: the highest revision whose status is `deployed` (from the
 * Secrets' labels, so only that one is decoded). Undefined when there is none.
 */
export function currentHelmRelease(secrets: KubeObject[], releaseName: string, namespace: string): HelmReleaseRecord | undefined {
  const mine = secrets
    .filter(isHelmReleaseSecret)
    .filter((s) => (s.metadata.namespace ?? '') === namespace && NAME.exec(s.metadata.name ?? '')?.[1] === releaseName)
    .sort((a, b) => Number(NAME.exec(b.metadata.name ?? '')?.[2]) - Number(NAME.exec(a.metadata.name ?? '')?.[2]));
  const deployed = mine.find((s) => s.metadata.labels?.status === 'deployed') ?? mine.find((s) => !s.metadata.labels?.status);
  return deployed ? decodeHelmRelease(deployed) : undefined;
}
