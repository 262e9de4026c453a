// A throw-away view of the file system in which one folder's kustomization file is replaced, so a controller's
// in-place edits (Flux writes its spec fields into the app's kustomization.yaml; Argo CD runs `kustomize edit` in
// the app folder) can be reproduced without touching the workspace. `<tmp>/<absolute path>` mirrors the real tree:
// every folder from `/` down to the app folder is a real folder of symlinks to the real entries, so relative
// references (`../base`, `../../components/x`) resolve exactly as they do in the repository.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KUSTOMIZATION_FILES } from './detectSourceType';

export interface ShadowTree {
  /** The app folder inside the shadow tree (build here). */
  dir: string;
  /** The shadow root; `toReal` strips it. */
  root: string;
  /** A path inside the shadow tree as the real path it stands for. */
  toReal(p: string): string;
  /** Writes the app folder's kustomization file (replacing the linked one). */
  writeKustomization(text: string, name?: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function createShadowTree(appDir: string): Promise<ShadowTree> {
  const real = path.resolve(appDir);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-shadow-'));
  const chain: string[] = [];
  for (let d = real; ; d = path.dirname(d)) {
    chain.unshift(d);
    if (path.dirname(d) === d) break;
  }
  const inShadow = (p: string) => path.join(root, p);
  try {
    for (let i = 0; i < chain.length; i++) {
      const dir = chain[i];
      const next = chain[i + 1];
      await fs.mkdir(inShadow(dir), { recursive: true });
      const entries = await fs.readdir(dir);
      for (const e of entries) {
        const p = path.join(dir, e);
        if (p === next) continue;
        // The app folder's kustomization file is written by the caller, not linked.
        if (i === chain.length - 1 && (KUSTOMIZATION_FILES as readonly string[]).includes(e)) continue;
        if (p === root || isInsideDir(root, p)) continue; // never link the shadow tree into itself
        await fs.symlink(p, inShadow(p));
      }
    }
  } catch (e) {
    await fs.rm(root, { recursive: true, force: true });
    throw e;
  }
  const dir = inShadow(real);
  return {
    dir,
    root,
    toReal: (p) => (p === root || isInsideDir(p, root) ? path.join('/', path.relative(root, p)) : p),
    writeKustomization: async (text, name = 'kustomization.yaml') => {
      const file = path.join(dir, name);
      await fs.writeFile(file, text);
      return file;
    },
    dispose: () => fs.rm(root, { recursive: true, force: true }),
  };
}

function isInsideDir(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
