// Installs the CustomResourceDefinitions the tests need: the ModelRelease CRD from `crds/` and the
// Gateway API standard-channel CRDs from the `sigs.k8s.io/gateway-api` Go module (module cache).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KubeError, type KubeHttp } from './kube-http.js';

/** The Gateway API release whose standard CRDs are installed. */
export const GATEWAY_API_VERSION = 'v1.4.1';

/** The `config/crd/standard/*.yaml` files of the Gateway API module (downloaded through the Go module proxy once). */
export function gatewayApiCrdFiles(version = GATEWAY_API_VERSION): string[] {
  const out = execFileSync('go', ['mod', 'download', '-json', `sigs.k8s.io/gateway-api@${version}`], { encoding: 'utf8', cwd: '/' });
  const dir = (JSON.parse(out) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download sigs.k8s.io/gateway-api@${version} printed no Dir: ${out}`);
  const std = path.join(dir, 'config', 'crd', 'standard');
  return fs.readdirSync(std).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(std, f));
}

/** The ModelRelease CRD files in `crds/` (none until the api branch adds them). */
export function modelReleaseCrdFiles(root: string): string[] {
  const dir = path.join(root, 'crds');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
}

/** Applies manifest files with our kubectl (server-side apply: big CRDs exceed the last-applied annotation). */
export function kubectlApply(kubectl: string, kubeconfig: string, files: string[]): void {
  if (files.length === 0) return;
  execFileSync(kubectl, ['--kubeconfig', kubeconfig, 'apply', '--server-side', '--force-conflicts', ...files.flatMap((f) => ['-f', f])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface CrdList {
  items: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }>;
}

/** Waits until every CRD is Established (its API is served). */
export async function waitCrdsEstablished(kube: KubeHttp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending: string[] = [];
  while (Date.now() < deadline) {
    try {
      const list = await kube.request<CrdList>('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
      pending = list.items
        .filter((c) => !c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'))
        .map((c) => c.metadata.name);
      if (pending.length === 0) return;
    } catch (err) {
      if (!(err instanceof KubeError)) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`CRDs not Established after ${timeoutMs} ms: ${pending.join(', ')}`);
}
