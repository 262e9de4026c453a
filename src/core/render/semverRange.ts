// Semantic version constraints as Helm and Flux's helm-controller read a chart `version` (Masterminds/semver v3):
// `*`, exact and partial versions (`1.2` = `1.2.x`), x-ranges, `~` / `~>`, `^`, comparisons, hyphen ranges,
// `,` or space for AND, `||` for OR. Pre-releases match only a constraint that names one. `highestMatching` picks
// the version helm-controller installs: the highest one the constraint allows.

interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: string[];
  text: string;
}

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), pre: m[4] ? m[4].split('.') : [], text };
}

export function compareVersions(a: Version, b: Version): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  if (!a.pre.length || !b.pre.length) return a.pre.length === b.pre.length ? 0 : a.pre.length ? -1 : 1;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) < Number(y) ? -1 : 1;
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

type Test = (v: Version) => boolean;
const WILD = /^[xX*]$/;

/** One comparator (`>=1.2`, `~1.2.3`, `1.x`, `^0.3`) as a test; undefined when it cannot be read. */
function comparator(text: string): { test: Test; pre: boolean } | undefined {
  const m = /^(=|!=|>=|<=|>|<|~>|~|\^)?\s*v?([0-9xX*]+)(?:\.([0-9xX*]+))?(?:\.([0-9xX*]+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text);
  if (!m) return undefined;
  const op = m[1] ?? '';
  const parts = [m[2], m[3], m[4]];
  // How many leading parts are given numbers (the rest are wildcards or missing).
  let fixed = 0;
  while (fixed < 3 && parts[fixed] !== undefined && !WILD.test(parts[fixed] as string)) fixed++;
  const n = parts.map((p, i) => (i < fixed ? Number(p) : 0));
  const pre = m[5] ? m[5].split('.') : [];
  const base: Version = { major: n[0], minor: n[1], patch: n[2], pre, text };
  const cmp = (v: Version) => compareVersions(v, base);
  const bump = (i: number): Version => ({ major: i === 0 ? n[0] + 1 : n[0], minor: i === 1 ? n[1] + 1 : i === 0 ? 0 : n[1], patch: i === 2 ? n[2] + 1 : 0, pre: ['0'], text: '' });
  const below = (upper: Version) => (v: Version) => compareVersions(v, upper) < 0;
  const range = (upper: Version): Test => (v) => cmp(v) >= 0 && below(upper)(v);
  let test: Test;
  if (fixed === 0) test = op === '<' || op === '>' || op === '!=' ? () => false : () => true;
  else if (op === '' || op === '=') test = fixed === 3 ? (v) => cmp(v) === 0 : range(bump(fixed - 1));
  else if (op === '!=') test = fixed === 3 ? (v) => cmp(v) !== 0 : (v) => !range(bump(fixed - 1))(v);
  else if (op === '>') test = fixed === 3 ? (v) => cmp(v) > 0 : (v) => compareVersions(v, bump(fixed - 1)) >= 0;
  else if (op === '>=') test = (v) => cmp(v) >= 0;
  else if (op === '<') test = (v) => cmp(v) < 0;
  else if (op === '<=') test = fixed === 3 ? (v) => cmp(v) <= 0 : below(bump(fixed - 1));
  else if (op === '~' || op === '~>') test = range(bump(fixed === 1 ? 0 : 1));
  else {
    // ^: the leftmost non-zero part stays.
    const keep = n[0] !== 0 || fixed === 1 ? 0 : n[1] !== 0 || fixed === 2 ? 1 : 2;
    test = range(bump(keep));
  }
  return { test, pre: pre.length > 0 };
}

/** A constraint as a test; undefined when some part cannot be read (the caller says so). */
export function parseConstraint(text: string): Test | undefined {
  const groups: { tests: Test[]; pre: boolean }[] = [];
  for (const raw of (text.trim() || '*').split('||')) {
    let g = raw.trim().replace(/(\S+)\s+-\s+(\S+)/g, '>=$1,<=$2');
    g = g.replace(/(=|!=|>=|<=|>|<|~>|~|\^)\s+/g, '$1');
    const tests: Test[] = [];
    let pre = false;
    for (const c of g.split(/[\s,]+/).filter(Boolean)) {
      const r = comparator(c);
      if (!r) return undefined;
      tests.push(r.test);
      pre ||= r.pre;
    }
    if (!tests.length) return undefined;
    groups.push({ tests, pre });
  }
  return (v) => groups.some((g) => (g.pre || !v.pre.length) && g.tests.every((t) => t(v)));
}

/** The highest of `versions` the constraint allows (undefined: none, or the constraint cannot be read). */
export function highestMatching(constraint: string | undefined, versions: string[]): string | undefined {
  const test = parseConstraint(constraint ?? '*');
  if (!test) return undefined;
  let best: Version | undefined;
  for (const t of versions) {
    const v = parseVersion(t);
    if (v && test(v) && (!best || compareVersions(v, best) > 0)) best = v;
  }
  return best?.text;
}
