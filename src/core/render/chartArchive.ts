// Unpacks a Helm chart archive (`helm package`: a gzipped tar with one top folder, the chart) into a folder, so that
// it renders like a chart in the workspace. Only regular files and folders are written; names are checked to stay
// inside the destination (no absolute paths, no `..`, no links), and the size is bounded.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GitOpsError } from '../model';

const MAX_BYTES = 64 * 1024 * 1024;
const unzip = promisify(gunzip);

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? raw.length : nul).toString('utf8');
}

/** PAX extended header records (`<len> key=value\n`). */
function paxPath(data: Buffer): string | undefined {
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.subarray(i, sp).toString('utf8'));
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (rec.slice(0, eq) === 'path') return rec.slice(eq + 1);
    i += len;
  }
  return undefined;
}

/** Extracts the archive into `dest`; returns the chart folder (the archive's single top folder). */
export async function extractChartArchive(archive: string, dest: string): Promise<string> {
  const fail = (why: string) => new GitOpsError('parse', `chart archive ${archive} cannot be read: ${why}`, { file: archive });
  let tar: Buffer;
  try {
    tar = await unzip(await fs.readFile(archive), { maxOutputLength: MAX_BYTES });
  } catch (e) {
    throw fail((e as Error).message);
  }
  const tops = new Set<string>();
  let longName: string | undefined;
  for (let off = 0; off + 512 <= tar.length; ) {
    const block = tar.subarray(off, off + 512);
    if (block.every((b) => b === 0)) break;
    const size = parseInt(field(block, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(block[156] || 0x30);
    const data = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (!Number.isFinite(size) || size < 0 || data.length < size) throw fail('truncated');
    if (type === 'x') {
      longName = paxPath(data);
      continue;
    }
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(block, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
    longName = undefined;
    if (type !== '0' && type !== '5') continue; // links and devices are never written
    const rel = path.posix.normalize(name.replace(/\\/g, '/')).replace(/\/+$/, '');
    if (!rel || rel === '.' || path.posix.isAbsolute(rel) || rel.split('/').includes('..')) throw fail(`entry ${JSON.stringify(name)} leaves the archive`);
    tops.add(rel.split('/')[0]);
    const target = path.join(dest, ...rel.split('/'));
    if (type === '5') await fs.mkdir(target, { recursive: true });
    else {
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, data);
    }
  }
  if (tops.size !== 1) throw fail(tops.size ? 'more than one top folder' : 'empty');
  const chart = path.join(dest, [...tops][0]);
  if (!(await fs.stat(path.join(chart, 'Chart.yaml')).catch(() => undefined))) throw fail('no Chart.yaml in its top folder');
  return chart;
}
