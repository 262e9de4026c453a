// A small standard cron evaluator for Argo CD sync windows: five fields (minute hour day-of-month month day-of-week)
// and the descriptors, with the semantics of robfig/cron v3, which Argo CD uses (`cron.NewParser(Minute | Hour | Dom
// | Month | Dow | Descriptor)`): `*`, `?`, lists, ranges, steps, month and weekday names, day-of-week 0-6 (0 = Sunday;
// 7 is refused as robfig does), and day-of-month OR day-of-week when both are restricted (AND when either is `*`).
import { GitOpsError } from '../model';

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  dom: Set<number>;
  months: Set<number>;
  dow: Set<number>;
  // robfig's star bit: the field was `*` or `?` (not a step of 2 or more over `*`).
  domStar: boolean;
  dowStar: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseValue(s: string, names: string[] | undefined, offset: number, expr: string): number {
  const lower = s.toLowerCase();
  const named = names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + offset;
  if (!/^\d+$/.test(s)) throw new GitOpsError('invalid', `cron schedule "${expr}": "${s}" is not a number`);
  return Number(s);
}

function parseField(field: string, min: number, max: number, names: string[] | undefined, nameOffset: number, expr: string): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of field.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === '') throw new GitOpsError('invalid', `cron schedule "${expr}": bad field "${field}"`);
    let start: number;
    let end: number;
    let partStar = false;
    if (range === '*' || range === '?') {
      start = min;
      end = max;
      partStar = true;
    } else {
      const [lo, hi, more] = range.split('-');
      if (more !== undefined) throw new GitOpsError('invalid', `cron schedule "${expr}": bad range "${range}"`);
      start = parseValue(lo, names, nameOffset, expr);
      end = hi !== undefined ? parseValue(hi, names, nameOffset, expr) : start;
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new GitOpsError('invalid', `cron schedule "${expr}": bad step "${stepText}"`);
      step = Number(stepText);
      // "N/step" means "N-max/step".
      if (!partStar && !range.includes('-')) end = max;
      if (step > 1) partStar = false;
    }
    if (start < min || end > max || start > end) throw new GitOpsError('invalid', `cron schedule "${expr}": "${part}" is out of range ${min}-${max}`);
    for (let v = start; v <= end; v += step) set.add(v);
    star ||= partStar;
  }
  return { set, star };
}

export function parseCron(expr: string): CronSchedule {
  const trimmed = expr.trim();
  const text = DESCRIPTORS[trimmed.toLowerCase()] ?? trimmed;
  if (text.startsWith('@')) throw new GitOpsError('invalid', `cron schedule "${expr}": unknown descriptor`);
  const fields = text.split(/\s+/);
  if (fields.length !== 5) throw new GitOpsError('invalid', `cron schedule "${expr}": expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`);
  const minutes = parseField(fields[0], 0, 59, undefined, 0, expr);
  const hours = parseField(fields[1], 0, 23, undefined, 0, expr);
  const dom = parseField(fields[2], 1, 31, undefined, 0, expr);
  const months = parseField(fields[3], 1, 12, MONTHS, 1, expr);
  const dow = parseField(fields[4], 0, 6, DAYS, 0, expr);
  return { minutes: minutes.set, hours: hours.set, dom: dom.set, months: months.set, dow: dow.set, domStar: dom.star, dowStar: dow.star };
}

/** Does the schedule fire at this wall-clock minute (fields read in UTC: callers shift for a time zone)? */
export function cronMatches(s: CronSchedule, wall: Date): boolean {
  if (!s.minutes.has(wall.getUTCMinutes()) || !s.hours.has(wall.getUTCHours()) || !s.months.has(wall.getUTCMonth() + 1)) return false;
  const domMatch = s.dom.has(wall.getUTCDate());
  const dowMatch = s.dow.has(wall.getUTCDay());
  return s.domStar || s.dowStar ? domMatch && dowMatch : domMatch || dowMatch;
}

const MINUTE = 60_000;

/**
 * The last time the schedule fired in (wallNow - withinMs, wallNow), or undefined (Argo CD: `schedule.Next(now -
 * duration).Before(now)`). Wall-clock times as UTC fields.
 */
export function lastFiring(s: CronSchedule, wallNow: Date, withinMs: number): Date | undefined {
  let start = Math.floor(wallNow.getTime() / MINUTE) * MINUTE;
  if (start === wallNow.getTime()) start -= MINUTE;
  for (let t = start; t > wallNow.getTime() - withinMs; t -= MINUTE) {
    const d = new Date(t);
    if (cronMatches(s, d)) return d;
  }
  return undefined;
}

/** The next time the schedule fires after wallNow, within `withinMs`, or undefined. */
export function nextFiring(s: CronSchedule, wallNow: Date, withinMs: number): Date | undefined {
  const start = Math.floor(wallNow.getTime() / MINUTE) * MINUTE + MINUTE;
  for (let t = start; t <= wallNow.getTime() + withinMs; t += MINUTE) {
    const d = new Date(t);
    if (cronMatches(s, d)) return d;
  }
  return undefined;
}
