// Identifying list items by their SSA key (map lists) or value (sets).
import type { ListType } from '../k8s/listKeys';
import type { PathElement } from '../k8s/fieldsV1';
import { canonicalJson, isObject, type JsonObject } from '../k8s/json';

/** Key object of a map-list item, missing key fields filled from schema defaults (protocol → TCP). */
export function itemKey(item: unknown, lt: Extract<ListType, { type: 'map' }>): JsonObject | undefined {
  if (!isObject(item)) return undefined;
  const key: JsonObject = {};
  for (const k of lt.keys) {
    const v = item[k] ?? lt.keyDefaults?.[k];
    if (v !== undefined) key[k] = v;
  }
  return Object.keys(key).length ? key : undefined;
}

/** Path element naming an item, and its identity string; index fallback when the item has no key. */
export function itemElement(item: unknown, index: number, lt: ListType): { el: PathElement; id: string } {
  if (lt.type === 'map') {
    const key = itemKey(item, lt);
    if (key) return { el: { key }, id: `k:${canonicalJson(key)}` };
  } else if (lt.type === 'set') {
    return { el: { value: item }, id: `v:${canonicalJson(item)}` };
  }
  return { el: { index }, id: `i:${index}` };
}

/** Items by identity; later duplicates lose (the server would reject them anyway). */
export function indexItems(list: unknown[], lt: ListType): Map<string, { item: unknown; el: PathElement; pos: number }> {
  const out = new Map<string, { item: unknown; el: PathElement; pos: number }>();
  list.forEach((item, pos) => {
    const { el, id } = itemElement(item, pos, lt);
    if (!out.has(id)) out.set(id, { item, el, pos });
  });
  return out;
}
