// Argo CD's build-environment substitution (argo-cd pkg/apis/application/v1alpha1 Env.Envsubst): Go's os.Expand
// over the ARGOCD_APP_* variables, `$$` giving a literal `$`, unknown variables empty. repo-server applies it to
// kustomize images and commonLabels (always), commonAnnotations (with commonAnnotationsEnvsubst), helm parameter
// values, value file paths and file parameter paths.

const isSpecial = (c: string) => '*#$@!?-0123456789'.includes(c);
const isAlphaNum = (c: string) => /^[A-Za-z0-9_]$/.test(c);

/** Go's os getShellName: the variable name after a `$` and how many characters it took. */
function shellName(s: string): [string, number] {
  if (s[0] === '{') {
    if (s.length > 2 && isSpecial(s[1]) && s[2] === '}') return [s[1], 3];
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '}') return i === 1 ? ['', 2] : [s.slice(1, i), i + 1];
    }
    return ['', 1];
  }
  if (isSpecial(s[0])) return [s[0], 1];
  let i = 0;
  while (i < s.length && isAlphaNum(s[i])) i++;
  return [s.slice(0, i), i];
}

/** os.Expand(s, ...) with Argo's mapping: `$` stays `$` (so `$$` is an escaped dollar), a known variable its value, else ''. */
export function argoEnvsubst(s: string, env: Record<string, string>): string {
  let out = '';
  let i = 0;
  for (let j = 0; j < s.length; j++) {
    if (s[j] === '$' && j + 1 < s.length) {
      out += s.slice(i, j);
      const [name, w] = shellName(s.slice(j + 1));
      if (name === '' && w > 0) {
        // Bad syntax (`${`, `${}`): os.Expand eats it.
      } else if (name === '') {
        out += '$';
      } else {
        out += name === '$' ? '$' : (Object.hasOwn(env, name) ? env[name] : '');
      }
      j += w;
      i = j + 1;
    }
  }
  return out + s.slice(i);
}
