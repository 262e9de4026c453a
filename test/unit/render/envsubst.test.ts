// Flux's post-build substitution syntax (fluxcd/pkg/envsubst v1.7.1); expectations from its eval_test.go cases.
import assert from 'node:assert/strict';
import { envsubst, EnvsubstError } from '../../../src/core/render/envsubst';

const vars = new Map([
  ['var', 'value'],
  ['empty', ''],
  ['path', 'a/b/c.txt'],
  ['name', 'HeLLo'],
]);
const sub = (s: string, strict = false) => envsubst(s, vars, { strict });

describe('render/envsubst (Flux post-build substitution syntax)', () => {
  it('substitutes ${var} only, never $var, and $$ is a literal $', () => {
    assert.equal(sub('a ${var} b'), 'a value b');
    assert.equal(sub('a $var b'), 'a $var b');
    assert.equal(sub('$${var}'), '${var}');
    assert.equal(sub('cost: $5 and $$'), 'cost: $5 and $');
  });

  it('unknown variables are empty, or an error in strict mode', () => {
    assert.equal(sub('[${nope}]'), '[]');
    assert.throws(() => sub('${nope}', true), EnvsubstError);
  });

  it('defaults: ${var:=d} ${var:-d} ${var=d}, used when unset or empty; defaults may nest', () => {
    assert.equal(sub('${nope:=dflt}'), 'dflt');
    assert.equal(sub('${nope:-dflt}'), 'dflt');
    assert.equal(sub('${empty:-dflt}'), 'dflt');
    assert.equal(sub('${var:-dflt}'), 'value');
    assert.equal(sub('${nope=dflt}'), 'dflt');
    assert.equal(sub('${nope:=${var}}'), 'value');
    assert.equal(sub('${nope:=us-east-1}'), 'us-east-1');
    assert.equal(sub('${nope:=}'), '');
    // Default operators never fail in strict mode.
    assert.equal(sub('${nope:-x}', true), 'x');
  });

  it('${var-d} is a parse error, as in Flux (missing closing brace)', () => {
    assert.throws(() => sub('${var-d}'), /missing closing brace/);
    assert.throws(() => sub('${var'), EnvsubstError);
  });

  it('string functions: length, casing, substrings, trims, replaces', () => {
    assert.equal(sub('${#var}'), '5');
    assert.equal(sub('${name,,}/${name^^}/${var^}/${name,}'), 'hello/HELLO/Value/heLLo');
    assert.equal(sub('${var:1}/${var:1:2}/${var:-3}'), 'alue/al/value');
    assert.equal(sub('${path#*/}/${path##*/}'), 'b/c.txt/c.txt');
    assert.equal(sub('${path%.*}/${path%%/*}'), 'a/b/c/a');
    assert.equal(sub('${var/l/L}|${path//\\//-}|${var/#v/V}|${var/%e/E}'), 'vaLue|a-b-c.txt|Value|valuE');
  });
});
