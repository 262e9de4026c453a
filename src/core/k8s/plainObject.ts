// Reading untyped YAML/JSON objects (manifests, API answers) without trusting their shape.

export type Obj = Record<string, unknown>;

/** The value as a plain object (a mapping), else an empty one. */
export const asObj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

/** The value when it is a non-empty string, else undefined. */
export const nonEmptyString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
