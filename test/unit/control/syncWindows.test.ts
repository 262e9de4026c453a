// Argo CD sync windows (issue 17.13): the cron evaluator (robfig/cron v3 semantics, which Argo CD uses) and the
// window verdicts of SyncWindows.Matches(app).CanSync(isManual).
import { strict as assert } from 'node:assert';
import { cronMatches, lastFiring, nextFiring, parseCron } from '../../../src/core/control/cron';
import { evaluateSyncWindows, globMatch, parseGoDuration, timeZoneOffsetMs, windowMatches, windowState, type SyncWindow } from '../../../src/core/control/syncWindows';

const at = (iso: string) => new Date(iso);
const H = 3_600_000;

describe('control/cron (robfig/cron semantics)', () => {
  it('matches lists, ranges, steps and names', () => {
    const s = parseCron('*/15 9-17 * jan-mar mon-fri');
    assert.ok(cronMatches(s, at('2026-02-03T09:45:00Z')), 'Tuesday 09:45 in February');
    assert.ok(!cronMatches(s, at('2026-02-03T09:50:00Z')), 'not a quarter');
    assert.ok(!cronMatches(s, at('2026-02-07T10:00:00Z')), 'Saturday');
    assert.ok(!cronMatches(s, at('2026-04-07T10:00:00Z')), 'April');
    assert.ok(cronMatches(parseCron('0 22 * * 5,6'), at('2026-12-05T22:00:00Z')), 'Saturday 22:00');
    assert.ok(cronMatches(parseCron('5/20 * * * *'), at('2026-12-05T10:45:00Z')), '"5/20" is 5-59/20: 5, 25, 45');
    assert.ok(!cronMatches(parseCron('5/20 * * * *'), at('2026-12-05T10:40:00Z')));
  });

  it('ORs day-of-month and day-of-week when both are restricted, ANDs when one is a star', () => {
    const both = parseCron('0 0 1 * mon');
    assert.ok(cronMatches(both, at('2026-12-01T00:00:00Z')), 'the 1st (a Tuesday)');
    assert.ok(cronMatches(both, at('2026-12-07T00:00:00Z')), 'a Monday');
    assert.ok(!cronMatches(both, at('2026-12-08T00:00:00Z')));
    const star = parseCron('0 0 * * mon');
    assert.ok(!cronMatches(star, at('2026-12-01T00:00:00Z')), 'only Mondays');
    // "*/2" over the days of the month is not a star for robfig (step > 1 clears the star bit): OR again.
    const stepped = parseCron('0 0 */2 * mon');
    assert.ok(cronMatches(stepped, at('2026-12-07T00:00:00Z')), 'a Monday on an even day? 7th is odd: matched by Monday');
  });

  it('takes the descriptors and refuses what robfig refuses', () => {
    assert.ok(cronMatches(parseCron('@daily'), at('2026-12-05T00:00:00Z')));
    assert.ok(cronMatches(parseCron('@hourly'), at('2026-12-05T13:00:00Z')));
    assert.ok(cronMatches(parseCron('@weekly'), at('2026-12-06T00:00:00Z')), 'Sunday midnight');
    for (const bad of ['* * * *', '60 * * * *', '* * * * 7', '* * 0 * *', '@fortnightly', '*/0 * * * *', 'a * * * *', '1-2-3 * * * *']) {
      assert.throws(() => parseCron(bad), /cron schedule/, bad);
    }
  });

  it('finds the last firing strictly before now within a duration, and the next one', () => {
    const s = parseCron('0 22 * * *');
    assert.deepEqual(lastFiring(s, at('2026-12-05T23:30:00Z'), 2 * H), at('2026-12-05T22:00:00Z'));
    assert.equal(lastFiring(s, at('2026-12-06T00:30:00Z'), 2 * H), undefined, 'the window closed at midnight');
    assert.equal(lastFiring(s, at('2026-12-05T22:00:00Z'), 2 * H), undefined, 'Argo CD: the firing must be before now');
    assert.deepEqual(nextFiring(s, at('2026-12-05T23:30:00Z'), 24 * H), at('2026-12-06T22:00:00Z'));
  });
});

describe('control/syncWindows', () => {
  const deny = (extra: Partial<SyncWindow> = {}): SyncWindow => ({ kind: 'deny', schedule: '0 22 * * *', duration: '8h', applications: ['*'], ...extra });

  it('parses Go durations', () => {
    assert.equal(parseGoDuration('1h30m'), 1.5 * H);
    assert.equal(parseGoDuration('90s'), 90_000);
    assert.equal(parseGoDuration('1.5h'), 1.5 * H);
    assert.equal(parseGoDuration('300ms'), 300);
    assert.equal(parseGoDuration('1d'), undefined, 'Go has no day unit');
    assert.equal(parseGoDuration('2 hours'), undefined);
  });

  it('matches applications, namespaces and clusters by glob (any of them, or all with andOperator)', () => {
    const app = { name: 'shop-prod', namespace: 'shop', server: 'https://prod.example.com', cluster: 'prod-eu' };
    assert.ok(globMatch('shop-*', 'shop-prod'));
    assert.ok(globMatch('{shop,cart}-prod', 'shop-prod'));
    assert.ok(globMatch('shop-[pq]rod', 'shop-prod'));
    assert.ok(!globMatch('shop', 'shop-prod'));
    assert.ok(globMatch('https://*.example.com', 'https://prod.example.com'), 'a star crosses slashes and dots');
    assert.ok(windowMatches({ ...deny(), applications: ['nope'], namespaces: ['sh*'] }, app), 'OR: the namespace matches');
    assert.ok(!windowMatches({ ...deny(), applications: ['nope'], namespaces: ['sh*'], andOperator: true }, app), 'AND: the app does not');
    assert.ok(windowMatches({ ...deny(), applications: undefined, clusters: ['prod-*'] }, app), 'cluster by destination name');
    assert.ok(windowMatches({ ...deny(), applications: undefined, clusters: ['https://prod.example.com'] }, app), 'cluster by server');
    assert.ok(!windowMatches({ ...deny(), applications: undefined }, app), 'a window that names nothing matches nothing');
  });

  it('is active from the firing for the duration, in the window time zone', () => {
    const s = windowState(deny(), at('2026-12-06T03:00:00Z'));
    assert.equal(s.active, true);
    assert.deepEqual([s.start, s.end], [at('2026-12-05T22:00:00Z'), at('2026-12-06T06:00:00Z')]);
    assert.equal(windowState(deny(), at('2026-12-06T07:00:00Z')).active, false);
    // 22:00 in New York (UTC-5 in December) is 03:00 UTC.
    const ny = deny({ timeZone: 'America/New_York', duration: '1h' });
    assert.equal(timeZoneOffsetMs('America/New_York', at('2026-12-06T03:30:00Z')), -5 * H);
    assert.equal(windowState(ny, at('2026-12-06T03:30:00Z')).active, true);
    assert.deepEqual(windowState(ny, at('2026-12-06T03:30:00Z')).end, at('2026-12-06T04:00:00Z'));
    assert.equal(windowState(ny, at('2026-12-05T22:30:00Z')).active, false, '22:30 UTC is 17:30 in New York');
    assert.match(windowState({ ...deny(), schedule: 'bad' }, at('2026-12-06T03:00:00Z')).error ?? '', /cron schedule/);
  });

  it('denies manual and automated syncs in an active deny window; manualSync allows manual ones only', () => {
    const app = { name: 'shop', namespace: 'shop' };
    const now = at('2026-12-06T03:00:00Z');
    const v = evaluateSyncWindows([deny()], app, now, 'default');
    assert.deepEqual([v.manualAllowed, v.autoAllowed], [false, false]);
    assert.match(v.explanation.join('\n'), /Active deny window "0 22 \* \* \*" for 8h \(UTC\).*AppProject default: syncs are denied until 2026-12-06T06:00Z/);
    assert.match(v.explanation.join('\n'), /Manual syncs are denied too/);
    const manual = evaluateSyncWindows([deny({ manualSync: true })], app, now);
    assert.deepEqual([manual.manualAllowed, manual.autoAllowed], [true, false]);
    assert.match(manual.explanation.join('\n'), /Manual syncs are allowed in this window \(manualSync: true\)/);
    // Every active deny window must allow manual syncs (Argo CD's hasDeny).
    const two = evaluateSyncWindows([deny({ manualSync: true }), deny({ schedule: '0 0 * * *', duration: '4h' })], app, now);
    assert.equal(two.manualAllowed, false);
  });

  it('denies outside every allow window, unless an allow window has manualSync; an active allow window allows', () => {
    const app = { name: 'shop' };
    const allow: SyncWindow = { kind: 'allow', schedule: '0 9 * * 1-5', duration: '8h', applications: ['shop'] };
    const outside = evaluateSyncWindows([allow], app, at('2026-12-05T20:00:00Z'));
    assert.deepEqual([outside.manualAllowed, outside.autoAllowed], [false, false]);
    assert.match(outside.explanation.join('\n'), /Outside every allow window.*syncs are denied until 2026-12-07T09:00Z/);
    const manual = evaluateSyncWindows([{ ...allow, manualSync: true }], app, at('2026-12-05T20:00:00Z'));
    assert.deepEqual([manual.manualAllowed, manual.autoAllowed], [true, false]);
    const inside = evaluateSyncWindows([allow], app, at('2026-12-07T10:00:00Z'));
    assert.deepEqual([inside.manualAllowed, inside.autoAllowed, inside.explanation], [true, true, []]);
    const other = evaluateSyncWindows([{ ...allow, applications: ['other'] }], app, at('2026-12-05T20:00:00Z'));
    assert.deepEqual([other.manualAllowed, other.autoAllowed, other.explanation], [true, true, []], 'windows of other apps do not count');
  });

  it('ignores a window that does not parse, and says so', () => {
    const v = evaluateSyncWindows([deny({ duration: 'forever' })], { name: 'x' }, at('2026-12-06T03:00:00Z'));
    assert.deepEqual([v.manualAllowed, v.autoAllowed], [true, true]);
    assert.match(v.explanation.join('\n'), /Ignored deny window.*not a Go duration/);
  });
});
