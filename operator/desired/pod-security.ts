/**
 * The hardening of every tern-server pod the operator builds: Pod Security Standards `restricted`
 * (non-root user 65532 of the Dockerfile, RuntimeDefault seccomp, no privilege escalation, no
 * capabilities), a read-only root filesystem with an emptyDir on /tmp (the model cache, Node's scratch),
 * no service-account token (tern-server never calls the API), and a graceful stop: a preStop sleep while
 * the endpoints drop the pod, then SIGTERM and tern-server's own drain, all inside the grace period.
 * None of it is a spec.serving field, so no ModelRelease can turn it off. Pure.
 */
import type { Serving } from '../api/model-release-schema.js';
import { canonicalQuantity } from '../api/quantity.js';

/** The user and group of the tern-server image (Dockerfile `USER 65532:65532`). */
export const SERVER_UID = 65532;

/** Seconds the preStop hook waits before SIGTERM, so kube-proxies and gateways stop sending new connections first. */
export const PRESTOP_SLEEP_SECONDS = 5;

/** Seconds on top of preStop + drain before the kubelet's SIGKILL (worker shutdown, process exit). */
export const GRACE_MARGIN_SECONDS = 5;

/** tern-server's defaults for the two environment twins read here (server/config.ts). */
export const SERVER_SHUTDOWN_TIMEOUT_MS = 25_000;
export const SERVER_MAX_MODEL_BYTES = 2 * 1024 ** 3;

/** /tmp holds the downloaded model (at most --max-model-bytes) plus this much for Node and onnxruntime scratch. */
export const TMP_HEADROOM_BYTES = 1024 ** 3;

const MIB = 1024 ** 2;

/** A positive integer TERN_* variable of spec.serving.env, else `fallback` (tern-server refuses other values at start). */
export function serverEnvInt(serving: Serving, name: string, fallback: number): number {
  const raw = serving.env?.find((e) => e.name === name)?.value;
  return raw !== undefined && /^[1-9][0-9]{0,14}$/.test(raw.trim()) ? Number(raw.trim()) : fallback;
}

/** terminationGracePeriodSeconds: the preStop sleep, then tern-server's SIGTERM drain (--shutdown-timeout-ms), then a margin. */
export function terminationGraceSeconds(serving: Serving): number {
  const drainMs = serverEnvInt(serving, 'TERN_SHUTDOWN_TIMEOUT_MS', SERVER_SHUTDOWN_TIMEOUT_MS);
  return PRESTOP_SLEEP_SECONDS + Math.ceil(drainMs / 1000) + GRACE_MARGIN_SECONDS;
}

/**
 * The /tmp emptyDir's sizeLimit: the largest model tern-server will download (--max-model-bytes) plus
 * headroom, rounded up to whole MiB and written as the apiserver stores it (3072Mi -> 3Gi).
 */
export function tmpSizeLimit(serving: Serving): string {
  const modelBytes = serverEnvInt(serving, 'TERN_MAX_MODEL_BYTES', SERVER_MAX_MODEL_BYTES);
  return canonicalQuantity(`${Math.ceil((modelBytes + TMP_HEADROOM_BYTES) / MIB)}Mi`);
}

/** The pod-level fields: security context, no token, grace period, the /tmp volume. */
export function hardenedPodFields(serving: Serving): Record<string, unknown> {
  return {
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: terminationGraceSeconds(serving),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: SERVER_UID,
      runAsGroup: SERVER_UID,
      // The emptyDir is group-owned by it, whatever user a derived image runs as.
      fsGroup: SERVER_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: tmpSizeLimit(serving) } }],
  };
}

/** The container-level fields: security context, /tmp mount, preStop sleep. */
export function hardenedContainerFields(): Record<string, unknown> {
  return {
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    lifecycle: { preStop: { sleep: { seconds: PRESTOP_SLEEP_SECONDS } } },
  };
}
