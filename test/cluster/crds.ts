// Installs the CustomResourceDefinitions the tests need: the ModelRelease CRD from `crds/` and the
// Gateway API standard-channel CRDs (from the `sigs.k8s.io/gateway-api` Go module, copied into Tern's cache).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KubeError, type KubeHttp } from './kube-http.js';
import type { BinaryDirs } from './paths.js';

/** The Gateway API standard CRD files, copied into Tern's cache by `build-binaries.sh gateway-api` (see paths.ts). */
export function gatewayApiCrdFiles(bins: Pick<BinaryDirs, 'gatewayApi'>): string[] {
  const std = path.join(bins.gatewayApi, 'standard');
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
