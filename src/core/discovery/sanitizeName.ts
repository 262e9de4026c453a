/**
 * Argo CD's `utils.SanitizeName` (the ApplicationSet `normalize` template function and the git generator's
 * `basenameNormalized` / `filenameNormalized`): lower case, characters outside `[-a-z0-9.]` to '-', at most 253
 * characters, leading and trailing '-' and '.' trimmed.
 */
export function sanitizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^-a-z0-9.]/g, '-')
    .slice(0, 253)
    .replace(/^[-.]+|[-.]+$/g, '');
}
