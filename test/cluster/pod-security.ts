// Pod Security Admission in the cluster tests: the namespace labels that make the real kube-apiserver's
// PodSecurity plugin enforce `restricted`, and a server-side dry-run create of a Pod (enforce acts on Pods,
// not on Deployments) that says whether admission lets it in, with the refusal's message.
import { KubeError, type KubeHttp } from './kube-http.js';

/** Labels of a namespace whose pods must meet Pod Security Standards `restricted` (latest version). */
export const RESTRICTED_NAMESPACE_LABELS: Record<string, string> = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
};

/** A pod template as a Deployment carries it. */
export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** What admission said about one Pod: admitted, or refused with the apiserver's message. */
export type Admission = { admitted: true } | { admitted: false; status: number; message: string };

/** Creates a Pod from `template` in `namespace` with dryRun=All: every admission plugin runs, nothing is stored. */
export async function dryRunPod(kube: KubeHttp, namespace: string, name: string, template: PodTemplate): Promise<Admission> {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...(template.metadata ?? {}), name, namespace }, spec: template.spec };
  try {
    await kube.request('POST', `/api/v1/namespaces/${namespace}/pods?dryRun=All`, pod);
    return { admitted: true };
  } catch (err) {
    if (err instanceof KubeError) return { admitted: false, status: err.status, message: err.message };
    throw err;
  }
}
