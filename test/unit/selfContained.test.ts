// The repository runs and tests with nothing beside it: the lint check that guards it finds references to a
// sibling folder, leaves vendored data and provenance files alone, and the repository itself has none.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const { findReferences, isExempt } = require('../../scripts/check-self-contained.js');
const ROOT = path.resolve(__dirname, '../..');
const SIBLING = ['..', 'shared'].join('/');

describe('self-contained repository check', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'self-contained-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };

  it('names the file and line of a path into a sibling folder', () => {
    write('test/unit/a.test.ts', `const ok = 1;\nconst X = path.resolve(__dirname, '${SIBLING}/crds');\n`);
    write('src/b.ts', `// see /${'shared'}/reference/doc.md\n`);
    write('src/c.ts', `// a kustomization may pull in ${SIBLING}-config/cm.yaml or ../common/cm.yaml\n`);
    const hits: string[] = findReferences(dir, ['test/unit/a.test.ts', 'src/b.ts', 'src/c.ts']);
    assert.equal(hits.length, 2, hits.join('\n'));
    assert.match(hits[0], /^test\/unit\/a\.test\.ts:2: /);
    assert.match(hits[1], /^src\/b\.ts:1: /);
  });

  it('leaves vendored fixtures and SOURCES / notice files alone', () => {
    for (const rel of ['test/fixtures/real-repos/SOURCES.md', 'test/fixtures/peer-diff/cases.json', 'test/emulator/demo/crds/SOURCES.md', 'THIRD_PARTY_NOTICES.md']) {
      assert.ok(isExempt(rel), rel);
      write(rel, `copied from ${SIBLING}/crds\n`);
    }
    assert.ok(!isExempt('test/emulator/demo/seed-demo-world.ts'));
    assert.deepEqual(findReferences(dir, ['test/fixtures/real-repos/SOURCES.md', 'THIRD_PARTY_NOTICES.md']), []);
  });

  it('finds none in this repository', () => {
    assert.deepEqual(findReferences(ROOT), []);
  });
});
