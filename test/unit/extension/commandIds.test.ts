import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMAND_IDS } from '../../../src/extension/commandIds';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));

describe('command table vs package.json', () => {
  it('declares exactly the commands of the table', () => {
    const declared = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(declared, [...COMMAND_IDS].sort());
  });
  it('gives every command a title and the GitOps category', () => {
    for (const c of manifest.contributes.commands) {
      assert.ok(c.title, `${c.command} has a title`);
      assert.equal(c.category, 'GitOps', `${c.command} category`);
    }
  });
  it('only references declared commands in menus', () => {
    const ids = new Set<string>(COMMAND_IDS);
    for (const [menu, items] of Object.entries(manifest.contributes.menus as Record<string, { command: string }[]>)) {
      for (const item of items) assert.ok(ids.has(item.command), `${menu} references undeclared ${item.command}`);
    }
  });
});
