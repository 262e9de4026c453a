// Decoding of the protobuf request bodies kubectl's typed commands send (`kubectl create namespace|configmap|
// secret`). Only these simple kinds are understood; anything else gets 415 and a clear message.

type Fields = Map<number, (Buffer | number)[]>;

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    if (b === undefined) throw new Error('truncated varint');
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7;
  }
}

function decode(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = readVarint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let value: Buffer | number;
    if (wire === 0) [value, pos] = readVarint(buf, p1);
    else if (wire === 2) {
      const [len, p2] = readVarint(buf, p1);
      value = buf.subarray(p2, p2 + len);
      pos = p2 + len;
    } else if (wire === 1) [value, pos] = [buf.readDoubleLE(p1), p1 + 8];
    else if (wire === 5) [value, pos] = [buf.readUInt32LE(p1), p1 + 4];
    else throw new Error(`unsupported wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const str = (f: Fields, n: number): string | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};

function map(f: Fields, n: number, asBase64 = false): Record<string, string> | undefined {
  const entries = f.get(n);
  if (!entries) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = decode(e as Buffer);
    const v = kv.get(2)?.[0] as Buffer | undefined;
    out[str(kv, 1) ?? ''] = v ? (asBase64 ? v.toString('base64') : v.toString('utf8')) : '';
  }
  return out;
}

function objectMeta(buf: Buffer | undefined): Record<string, unknown> {
  if (!buf) return {};
  const f = decode(buf);
  const m: Record<string, unknown> = {};
  // gogo-protobuf writes every non-pointer string, empty or not; Go's JSON then omits the empty ones (omitempty).
  const set = (k: string, v: unknown) => v !== undefined && v !== '' && (m[k] = v);
  set('name', str(f, 1));
  set('generateName', str(f, 2));
  set('namespace', str(f, 3));
  set('resourceVersion', str(f, 6));
  set('labels', map(f, 11));
  set('annotations', map(f, 12));
  const finalizers = f.get(14)?.map((b) => (b as Buffer).toString('utf8'));
  set('finalizers', finalizers);
  return m;
}

/** The JSON object of a `k8s\0`-framed protobuf body, for the kinds kubectl's create helpers send. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> | undefined {
  if (body.subarray(0, 4).toString('latin1') !== 'k8s\0') return undefined;
  const unknown = decode(body.subarray(4));
  const typeMeta = decode((unknown.get(1)?.[0] as Buffer) ?? Buffer.alloc(0));
  const apiVersion = str(typeMeta, 1) ?? '';
  const kind = str(typeMeta, 2) ?? '';
  const raw = decode((unknown.get(2)?.[0] as Buffer) ?? Buffer.alloc(0));
  const metadata = objectMeta(raw.get(1)?.[0] as Buffer | undefined);
  const obj: Record<string, unknown> = { apiVersion, kind, metadata };
  if (apiVersion !== 'v1') return undefined;
  if (kind === 'Namespace') return obj;
  if (kind === 'ConfigMap') {
    if (raw.has(2)) obj.data = map(raw, 2);
    if (raw.has(3)) obj.binaryData = map(raw, 3, true);
    if (raw.has(4)) obj.immutable = raw.get(4)![0] === 1;
    return obj;
  }
  if (kind === 'Secret') {
    if (raw.has(2)) obj.data = map(raw, 2, true);
    if (raw.has(3)) obj.type = str(raw, 3);
    if (raw.has(4)) obj.stringData = map(raw, 4);
    if (raw.has(5)) obj.immutable = raw.get(5)![0] === 1;
    return obj;
  }
  return undefined;
}
