/**
 * The Deployment of one track (stable or canary): tern-server running one model, built from
 * spec.serving. Pure: the same release, track and model always give the same object.
 */
import type { ModelRef, Serving } from '../api/model-release-schema.js';
import type { ResolvedRelease } from '../model/resolved-spec.js';
import type { KubeObject } from './kube-object.js';
import { MANAGED_SELECTOR, type OwnedKind } from './owned-kind.js';
import { DEPLOYMENTS } from '../runtime/resources.js';
import { ANNOTATION_REVISION, revisionOf, servingOf } from '../model/pod-serving.js';
import { ownerReference, trackLabels, trackObjectName, trackSelector, type TrackName } from './labels.js';
import { hardenedContainerFields, hardenedPodFields } from './pod-security.js';
import { canonicalAt, rewriteObjectQuantities } from './pod-quantities.js';
import { quantityValueKey } from '../api/quantity.js';

/** tern-server's command line for `model` (flags as in docs/conventions.md). */
export function serverArgs(serving: Serving, model: ModelRef): string[] {
  const args = ['--model-url', model.weightsUrl ?? '', '--model-name', model.name, '--model-version', model.version];
  if (model.sha256) args.push('--sha256', model.sha256);
  if (model.baselineScore !== undefined) args.push('--baseline-score', String(model.baselineScore));
  args.push('--port', String(serving.port), '--execution-provider', serving.executionProvider);
  args.push('--max-batch-size', String(serving.maxBatchSize), '--max-batch-delay-ms', String(serving.maxBatchDelayMs));
  if (serving.rejectionThreshold !== undefined) args.push('--rejection-threshold', String(serving.rejectionThreshold));
  return args;
}

/** `quantities` of spec.serving.resources.`field` in the apiserver's canonical form (1024Mi -> 1Gi: what it reads back). */
function canonicalMap(quantities: Record<string, string> | undefined, field: 'requests' | 'limits'): Record<string, string> {
  return Object.fromEntries(Object.entries(quantities ?? {}).map(([name, text]) => [name, canonicalAt(text, `spec.serving.resources.${field}.${name}`)]));
}

/**
 * Requests and limits of the server container, each in the apiserver's canonical form (any other spelling
 * reads back different, and the reconciler would take that for someone else's edit); spec.serving.gpu
 * becomes nvidia.com/gpu in both. An invalid quantity (the CRD refuses it) throws an error naming its field.
 */
export function containerResources(serving: Serving): { requests?: Record<string, string>; limits?: Record<string, string> } {
  const requests = canonicalMap(serving.resources?.requests, 'requests');
  const limits = canonicalMap(serving.resources?.limits, 'limits');
  if (serving.gpu > 0) {
    requests['nvidia.com/gpu'] = String(serving.gpu);
    limits['nvidia.com/gpu'] = String(serving.gpu);
  }
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

/**
 * The Deployment `<release>-<track>` running `model` with `replicas` pods, with the serving config `model`
 * was released with (its status copy; spec.serving for a model recorded before serving was kept). Its
 * revision annotation names what the template runs (on the Deployment only: adding it rolls no pod).
 * The pods are hardened to Pod Security `restricted` (pod-security.ts); no spec.serving field reaches those fields.
 */
export function buildDeployment(release: ResolvedRelease, track: TrackName, model: ModelRef, replicas: number): KubeObject {
  const name = release.metadata.name;
  const serving = servingOf(model, release.spec.serving);
  const labels = trackLabels(name, track, model);
  const port = serving.port;
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    failureThreshold,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: trackObjectName(name, track),
      namespace: release.metadata.namespace ?? 'default',
      labels,
      annotations: { [ANNOTATION_REVISION]: revisionOf(model, serving) },
      ownerReferences: [ownerReference(release)],
    },
    spec: {
      replicas,
      selector: { matchLabels: trackSelector(name, track) },
      // Never fewer ready pods than asked while a track changes model (promotion updates stable in place).
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      template: {
        metadata: {
          labels,
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' },
        },
        spec: {
          containers: [
            {
              name: 'tern-server',
              image: serving.image,
              command: ['tern-server'],
              args: serverArgs(serving, model),
              ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
              env: serving.env ?? [],
              resources: containerResources(serving),
              readinessProbe: probe('/readyz', 2, 3),
              livenessProbe: { ...probe('/healthz', 10, 6), initialDelaySeconds: 10 },
              ...hardenedContainerFields(),
            },
          ],
          ...hardenedPodFields(serving),
          ...(serving.nodeSelector ? { nodeSelector: serving.nodeSelector } : {}),
          ...(serving.tolerations ? { tolerations: serving.tolerations } : {}),
        },
      },
    },
  };
}

/** A Deployment with its pod quantities read by value (1Gi and 1024Mi alike), for the comparison. */
function quantitiesByValue(obj: KubeObject): KubeObject {
  return rewriteObjectQuantities(obj, quantityValueKey);
}

/** Track Deployments: the subset test decides whether one is applied, with quantities compared by value. */
export const DEPLOYMENT_KIND: OwnedKind = { kind: 'Deployment', resource: DEPLOYMENTS, labelSelector: MANAGED_SELECTOR, comparable: quantitiesByValue };
