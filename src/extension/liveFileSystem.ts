// Live objects as editable documents: reading GETs the object, saving server-side-applies only the edited fields
// as field manager `gitops-drift-breakglass`, with the resourceVersion it was opened at as a precondition.
// URI: gitops-drift-live:/<context>/<group|_core>/<kind>/<namespace|_>/<name>.yaml
import * as vscode from 'vscode';
import { parse } from 'yaml';
import { isCancelled, liveSaveFlow } from '../core/flows';
import { toDisplayYaml } from '../core/engine/displayYaml';
import { liveEditBody } from '../core/control/liveEditBody';
import { maskSecretForDisplay } from '../core/engine/maskSecret';
import { GitOpsError, type KubeObject, type ObjectRef } from '../core/model';
import type { DriftSession } from './driftSession';
import { describeError } from './errors';
import { vscodeFlowDeps } from './vscodePrompter';

export const LIVE_SCHEME = 'gitops-drift-live';

export function liveUri(context: string, ref: ObjectRef): vscode.Uri {
  const parts = [context, ref.group || '_core', ref.kind, ref.namespace || '_', `${ref.name}.yaml`].map(encodeURIComponent);
  return vscode.Uri.from({ scheme: LIVE_SCHEME, path: '/' + parts.join('/') });
}

export function parseLiveUri(uri: vscode.Uri): { context: string; ref: ObjectRef } {
  const parts = uri.path.split('/').slice(1).map(decodeURIComponent);
  if (parts.length !== 5) throw vscode.FileSystemError.FileNotFound(uri);
  const [context, group, kind, namespace, file] = parts;
  return { context, ref: { group: group === '_core' ? '' : group, kind, namespace: namespace === '_' ? '' : namespace, name: file.replace(/\.yaml$/, '') } };
}

/** What the editor shows: no managedFields or server bookkeeping, but the resourceVersion it was read at. */
function forEditing(obj: KubeObject): KubeObject {
  const { managedFields: _m, uid: _u, creationTimestamp: _c, generation: _g, selfLink: _s, ...metadata } = obj.metadata as Record<string, unknown>;
  return maskSecretForDisplay({ ...obj, metadata: metadata as KubeObject['metadata'] });
}

export class LiveFileSystem implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  /** The object as last read per URI: the base a save is compared with. */
  private readonly opened = new Map<string, KubeObject>();

  constructor(
    private readonly session: DriftSession,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => {});
  }

  async stat(_uri: vscode.Uri): Promise<vscode.FileStat> {
    return { type: vscode.FileType.File, ctime: 0, mtime: Date.now(), size: 0 };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const { context, ref } = parseLiveUri(uri);
    try {
      const obj = (await this.session.client(context).get(ref)) as KubeObject;
      const shown = forEditing(obj);
      this.opened.set(uri.toString(), shown);
      return new TextEncoder().encode(toDisplayYaml(shown));
    } catch (e) {
      throw vscode.FileSystemError.Unavailable(describeError(e));
    }
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const { context, ref } = parseLiveUri(uri);
    const base = this.opened.get(uri.toString());
    if (!base) throw vscode.FileSystemError.Unavailable('Reopen the live object before saving');
    if (ref.kind === 'Secret' && ref.group === '') throw vscode.FileSystemError.NoPermissions('Secrets are shown masked and cannot be saved from here; use kubectl');
    let edited: KubeObject;
    try {
      edited = parse(new TextDecoder().decode(content), { version: '1.1' }) as KubeObject;
    } catch (e) {
      throw vscode.FileSystemError.Unavailable(`Not valid YAML: ${(e as Error).message}`);
    }
    if (edited?.metadata?.name !== ref.name || edited.kind !== ref.kind) throw vscode.FileSystemError.NoPermissions('The kind and name of a live object cannot be changed');
    const { body, removedPaths } = liveEditBody(base, edited);
    if (removedPaths.length) {
      throw vscode.FileSystemError.NoPermissions(`Removing fields is not applied from here (${removedPaths.join(', ')}); change values instead, or use kubectl`);
    }
    if (!body) return;
    const app = this.session.index.allApps().find((a) => (a.drift.liveContext ?? a.context) === context && a.drift.resources.some((r) => r.ref.kind === ref.kind && r.ref.name === ref.name && r.ref.namespace === ref.namespace));
    try {
      const saved = await liveSaveFlow(vscodeFlowDeps(this.log, this.session.settings.productionContextPattern), {
        client: this.session.client(context),
        context,
        body,
        resourceVersion: base.metadata.resourceVersion as string | undefined,
        inBreakglass: !!app?.drift.state.breakglass?.active,
      });
      if (isCancelled(saved)) throw vscode.FileSystemError.NoPermissions('Not applied');
      this.opened.set(uri.toString(), forEditing(saved));
      this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
      void this.session.refresh({ quiet: true, reuseLive: true });
    } catch (e) {
      if (e instanceof vscode.FileSystemError) throw e;
      this.log.error(`live edit of ${ref.kind} ${ref.name} failed: ${describeError(e)}`);
      if (e instanceof GitOpsError && e.reason === 'conflict') throw vscode.FileSystemError.Unavailable(`${describeError(e)} (revert the file to reload it)`);
      throw vscode.FileSystemError.Unavailable(describeError(e));
    }
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }
  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('Live objects only');
  }
  delete(): void {
    throw vscode.FileSystemError.NoPermissions('Deleting live objects is not done from here');
  }
  rename(): void {
    throw vscode.FileSystemError.NoPermissions('Live objects cannot be renamed');
  }

  dispose(): void {
    this.changed.dispose();
  }
}
