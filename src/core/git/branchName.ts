// Capture branch names: a user pattern with placeholders, sanitized to a valid git ref.

export const DEFAULT_BRANCH_PATTERN = 'breakglass/<app>-<kind>-<name>-<yyyymmdd-hhmm>';

export interface BranchNameInput {
  pattern?: string;
  app?: string;
  kind: string;
  name: string;
  namespace?: string;
  now: Date;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Fills `<app> <kind> <name> <namespace> <yyyymmdd-hhmm> <yyyymmdd> <hhmm>` (UTC) and makes the result ref-safe. */
export function buildBranchName(input: BranchNameInput): string {
  const d = input.now;
  const ymd = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const hm = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
  const values: Record<string, string> = {
    app: input.app || 'app',
    kind: input.kind.toLowerCase(),
    name: input.name,
    namespace: input.namespace || 'cluster',
    'yyyymmdd-hhmm': `${ymd}-${hm}`,
    yyyymmdd: ymd,
    hhmm: hm,
  };
  const filled = (input.pattern || DEFAULT_BRANCH_PATTERN).replace(/<([a-z-]+)>/g, (m, k: string) => (k in values ? segment(values[k]) : m));
  return sanitizeRef(filled);
}

/** Placeholder values may not introduce path separators (an app id like `argo:ns/app`). */
function segment(v: string): string {
  return v.replace(/[/:]+/g, '-');
}

/** Applies git check-ref-format rules conservatively. */
export function sanitizeRef(ref: string): string {
  const out = ref
    .replace(/[\s~^:?*[\\\x00-\x1f\x7f<>]+/g, '-')
    .replace(/@\{/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/\/{2,}/g, '/')
    .split('/')
    .map((c) => c.replace(/^\.+/, '').replace(/\.lock$/i, '-lock').replace(/\.+$/, ''))
    .filter((c) => c !== '')
    .join('/')
    .replace(/-{2,}/g, '-');
  return out === '' || out === '@' ? 'capture' : out;
}
