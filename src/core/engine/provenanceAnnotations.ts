// Source annotations that follow kustomize provenance (issue 17.8): a drifted field is shown on the line that sets
// its effective desired value (an overlay's `replicas:` / `images:` entry, a patch), naming the app; the shared
// base line an overlay overrides gets only a pointer to that overlay. Plain files behave as annotateSource.
import type { CaptureOrigin } from '../capture/captureTypes';
import type { FieldChange, ResourceDiff } from '../model';
import { fieldSetter, shortPath, type FieldSetter, type ReadText } from './fieldSetter';
import { annotateSource, describeChange } from './sourceAnnotations';

export interface ProvenanceItem {
  diff: ResourceDiff;
  /** The app the drift belongs to (named in the text when the resource comes from kustomize). */
  app: string;
  /** Where the object comes from (engine.captureOrigin); plain annotations without it. */
  origin?: CaptureOrigin;
}

export interface ProvenanceAnnotation {
  /** 1-based line in the annotated file. */
  line: number;
  change: FieldChange;
  item: ProvenanceItem;
  text: string;
  /** The kustomization entry / patch that sets the effective value, when it is not the resource file itself. */
  setter?: FieldSetter;
  /** True on a base line an overlay overrides: the text is only a pointer to the overlay, not drift. */
  pointer: boolean;
  /** True when the field is not in Git and the line is its nearest declared ancestor. */
  atAncestor: boolean;
}

const isKustomize = (o: CaptureOrigin | undefined): o is Extract<CaptureOrigin, { kind: 'kustomize' }> => o?.kind === 'kustomize';

/** The setter of each change of a kustomize item (undefined entries: the resource file sets it, or nothing does). */
export function settersOf(item: ProvenanceItem, read: ReadText): (FieldSetter | undefined)[] {
  const origin = item.origin;
  if (!isKustomize(origin) || item.diff.status !== 'Modified') return item.diff.changes.map(() => undefined);
  return item.diff.changes.map((c) => (c.category === 'live-only' ? undefined : fieldSetter(origin, item.diff, c, read)));
}

/** Annotations for `file` (its text `text`) from every item whose resource lives in it or whose setters point at it. */
export function annotateWithProvenance(file: string, text: string, items: ProvenanceItem[], read: ReadText): ProvenanceAnnotation[] {
  const out: ProvenanceAnnotation[] = [];
  for (const item of items) {
    const { diff } = item;
    const kustomize = isKustomize(item.origin);
    const setters = settersOf(item, read);
    const setterOf = (c: FieldChange) => setters[diff.changes.indexOf(c)];
    if (diff.source?.file === file) {
      for (const ann of annotateSource(text, [diff])) {
        const setter = setterOf(ann.change);
        if (setter && setter.file !== file) {
          // The base value is not what this app deploys: point at the overlay, never show its drift here.
          if (!ann.atAncestor) out.push({ line: ann.line, change: ann.change, item, text: `${item.app}: set in ${shortPath(setter.file, file)}:${setter.line}`, setter, pointer: true, atAncestor: false });
          continue;
        }
        out.push({ line: ann.line, change: ann.change, item, text: kustomize ? `${ann.text} · ${item.app}` : ann.text, setter, pointer: false, atAncestor: ann.atAncestor });
      }
    } else if (kustomize) {
      diff.changes.forEach((c, i) => {
        const setter = setters[i];
        if (setter?.file === file) out.push({ line: setter.line, change: c, item, text: `${describeChange(c)} · ${item.app}`, setter, pointer: false, atAncestor: false });
      });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}
