// argoEnvsubst is Argo CD's Env.Envsubst (pkg/apis/application/v1alpha1/types.go): os.Expand with `$` mapped to `$`.
// The expected column is what Go 1.26's os.Expand printed for each input with that mapping and env {A: x,
// ARGOCD_APP_NAME: app} (a throw-away Go program; the cases cover every branch of Go's getShellName).
import assert from 'node:assert/strict';
import { argoEnvsubst } from '../../../src/core/render/argoEnvsubst';

const GO_OS_EXPAND: [string, string][] = [
  ['$A', 'x'],
  ['${A}', 'x'],
  ['$$5', '$5'],
  ['a$', 'a$'],
  ['$1', ''],
  ['${}', ''],
  ['${A', 'A'],
  ['$-', ''],
  ['x$ARGOCD_APP_NAME-y', 'xapp-y'],
  ['${ARGOCD_APP_NAME}z', 'appz'],
  ['$B.c', '.c'],
  ['$$', '$'],
  ['$ {A}', '$ {A}'],
  ['${#}', ''],
  ['$.', '$.'],
  ['é$A', 'éx'],
];

describe('render/argoEnvsubst (Argo CD Env.Envsubst = Go os.Expand)', () => {
  for (const [input, expected] of GO_OS_EXPAND) {
    it(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(argoEnvsubst(input, { A: 'x', ARGOCD_APP_NAME: 'app' }), expected);
    });
  }
});
