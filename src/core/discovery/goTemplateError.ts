/** A goTemplate that cannot be evaluated (an error in Go too, or a construct not evaluated locally). */
export class GoTemplateError extends Error {
  override name = 'GoTemplateError';
}
