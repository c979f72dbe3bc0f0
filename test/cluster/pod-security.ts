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

/** The tern-server image (it has `sh` and `node`): what test pods on the real node run. */
export const SERVER_IMAGE = 'ghcr.io/tern-dev/tern-server:0.1.0';

/**
 * A Pod that meets `restricted` running `command` in the tern-server image: non-root 65532, no privilege
 * escalation, no capabilities, RuntimeDefault seccomp, read-only root with a writable /tmp, no token.
 */
export function restrictedPod(
  namespace: string,
  name: string,
  command: string[],
  extra: { limits?: Record<string, string>; labels?: Record<string, string>; port?: number } = {},
): { apiVersion: 'v1'; kind: 'Pod'; metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: Record<string, unknown> } {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name, ...extra.labels } },
    spec: {
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'main', image: SERVER_IMAGE, imagePullPolicy: 'Never', command,
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
        resources: { limits: { memory: '256Mi', ...extra.limits } },
        ...(extra.port ? { ports: [{ containerPort: extra.port }] } : {}),
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      }],
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }],
    },
  };
}
