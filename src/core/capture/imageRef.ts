// Splits container image references the way kustomize's `images:` transformer sees them.

export interface ImageRef {
  /** Registry/repository without tag or digest, e.g. `ghcr.io/stefanprodan/podinfo`. */
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(image: string): ImageRef {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  // A colon before the last slash belongs to a registry port (`localhost:5000/app`), not a tag.
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, digest };
}
