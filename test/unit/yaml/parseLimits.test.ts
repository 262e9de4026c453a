import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collectKustomizeOrigins, renderDirectory } from '../../../src/core/render';
import { parseManifests } from '../../../src/core/yaml';

/** "Billion laughs": 9 levels of 9 aliases, 9^9 strings once expanded, under 1 kB of text. */
function aliasBomb(indent = ''): string {
  const lines = [`${indent}l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i < 9; i++) lines.push(`${indent}l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(',')}]`);
  return lines.join('\n');
}

describe('yaml limits and non-object documents (issue 18 items 13/14)', () => {
  it('refuses an alias bomb as an error naming the file and line, and keeps the other documents', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${aliasBomb('  ')}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after\n`;
    const r = parseManifests(text, 'bomb.yaml');
    assert.deepEqual(r.docs.map((d) => d.object.metadata.name), ['ok', 'after']);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].line, 6);
    assert.match(r.errors[0].message, /^bomb\.yaml:6: document refused: /);
  });

  it('refuses a wide alias expansion that stays under the alias count', () => {
    // 60 anchors of 60 aliases of the previous one: few aliases, 60^k values.
    const lines = ['a0: &a0 [1]'];
    for (let i = 1; i < 5; i++) lines.push(`a${i}: &a${i} [${Array(60).fill(`*a${i - 1}`).join(',')}]`);
    const r = parseManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wide\ndata:\n${lines.map((l) => `  ${l}`).join('\n')}\n`, 'wide.yaml');
    assert.deepEqual(r.docs, []);
    assert.match(r.errors[0]?.message ?? '', /^wide\.yaml:1: document refused: its aliases expand to more than/);
  });

  it('reports a document that is a list or a scalar as an error with its line, not a silent skip', () => {
    const r = parseManifests('- a\n- b\n---\njust text\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n', 'odd.yaml');
    assert.deepEqual(r.docs.map((d) => d.object.metadata.name), ['ok']);
    assert.deepEqual(r.skipped, []);
    assert.deepEqual(
      r.errors.map((e) => [e.line, e.message]),
      [
        [1, 'odd.yaml:1: not a Kubernetes object: the document is a list, not a map with apiVersion and kind'],
        [4, 'odd.yaml:4: not a Kubernetes object: the document is a string, not a map with apiVersion and kind'],
      ],
    );
  });

  describe('through the renderers', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'yaml-limits-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('a folder with an alias bomb and a list file renders its other files and reports both files', async () => {
      writeFileSync(path.join(dir, 'a.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${aliasBomb('  ')}\n`);
      writeFileSync(path.join(dir, 'b.yaml'), '- apiVersion: v1\n  kind: ConfigMap\n');
      writeFileSync(path.join(dir, 'c.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n');
      const r = await renderDirectory(dir);
      assert.deepEqual(r.objects.map((o) => o.object.metadata.name), ['ok']);
      assert.deepEqual(r.errors.map((e) => [path.basename(e.details?.file ?? ''), e.details?.line]), [
        ['a.yaml', 1],
        ['b.yaml', 1],
      ]);
    });

    it('a kustomization with an alias bomb fails with the file and line', async () => {
      writeFileSync(path.join(dir, 'kustomization.yaml'), `resources: []\n${aliasBomb()}\n`);
      const err = await collectKustomizeOrigins(dir).then(() => undefined, (e: unknown) => e as Error);
      assert.match(err?.message ?? '', new RegExp(`^${path.join(dir, 'kustomization.yaml').replace(/[.]/g, '\\.')}:1: `));
    });
  });
});
