// A tiny Git repository for the controller tests: `web/` holds a Deployment, a Service and a ConfigMap,
// and `web/nested/` one more ConfigMap.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const TEST_REPO_URL = 'https://git.example.test/team/web.git';

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env:
            - name: LOG_LEVEL
              value: info
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
`;

const CONFIG = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  greeting: hello
`;

export function gitCommit(dir: string, message: string): string {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.test', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.test' };
  execFileSync('git', ['add', '-A'], { cwd: dir, env });
  execFileSync('git', ['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', message], { cwd: dir, env });
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
}

export function makeTestRepo(dir: string): string {
  fs.mkdirSync(path.join(dir, 'web'), { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  fs.writeFileSync(path.join(dir, 'web/web.yaml'), WEB);
  fs.writeFileSync(path.join(dir, 'web/config.yaml'), CONFIG);
  // Only rendered with directory.recurse (Argo) or by Flux, which always includes subfolders.
  fs.mkdirSync(path.join(dir, 'web/nested'));
  fs.writeFileSync(path.join(dir, 'web/nested/extra.yaml'), CONFIG.replace('web-config', 'web-extra'));
  gitCommit(dir, 'web app');
  return dir;
}
