import { strict as assert } from 'node:assert';
import { parseTimeSpan } from '../../../src/core/control/timeSpan';

// Issue 17: the editor rejected `90s`, the CLI rejected `2min`; both now use this parser.
describe('control/parseTimeSpan (breakglass expiry, --timeout)', () => {
  const S = 1000;
  const M = 60 * S;
  const H = 60 * M;
  const table: [string, 's' | 'm', number | undefined][] = [
    ['90s', 'm', 90 * S],
    ['2min', 'm', 2 * M],
    ['30m', 'm', 30 * M],
    ['1h', 'm', H],
    ['4h', 's', 4 * H],
    ['1.5h', 'm', 1.5 * H],
    ['1h30m', 'm', 90 * M],
    ['1h 30m', 'm', 90 * M],
    ['4 hours', 'm', 4 * H],
    ['2 Minutes', 'm', 2 * M],
    ['1d', 'm', 24 * H],
    ['45', 'm', 45 * M],
    ['300', 's', 300 * S],
    [' 10m ', 's', 10 * M],
    ['', 'm', undefined],
    ['0', 'm', undefined],
    ['0m', 'm', undefined],
    ['abc', 'm', undefined],
    ['5x', 'm', undefined],
    ['m5', 'm', undefined],
    ['-5m', 'm', undefined],
    ['1h30', 'm', undefined],
  ];
  for (const [input, unit, want] of table) {
    it(`${JSON.stringify(input)} (bare number in ${unit}) → ${want ?? 'invalid'}`, () => assert.equal(parseTimeSpan(input, unit), want));
  }
});
