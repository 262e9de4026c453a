// Production guard helper: which kube contexts need the typed-name confirmation.

/**
 * `pattern` is a regular expression (case-insensitive, unanchored), e.g. `prod|prd`; an invalid expression is
 * matched as plain text, so a typo in a setting still guards rather than silently disabling the guard.
 */
export function isProductionContext(contextName: string, pattern: string | undefined): boolean {
  const p = pattern?.trim();
  if (!p || !contextName) return false;
  try {
    return new RegExp(p, 'i').test(contextName);
  } catch {
    return contextName.toLowerCase().includes(p.toLowerCase());
  }
}
