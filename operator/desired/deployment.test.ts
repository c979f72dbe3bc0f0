// The track Deployments and Services: labels, ownerReferences, tern-server flags, GPU, probes.
import type { ModelReleaseSpec } from '../api/model-release-schema.js';
import { toModelRef } from '../planner/models.js';
import { newModel, newRelease, SHA_A } from '../planner/testing.js';
import { buildDeployment, containerResources } from './deployment.js';
import { ANNOTATION_REVISION, podServing, revisionOf } from '../model/pod-serving.js';
import { buildTrackService } from './service.js';
import { PRESTOP_SLEEP_SECONDS, SERVER_SHUTDOWN_TIMEOUT_MS } from './pod-security.js';

type Container = { image: string; command: string[]; args: string[]; resources: unknown; readinessProbe: { httpGet: { path: string } }; livenessProbe: { httpGet: { path: string } } };
type PodSpec = { containers: Container[]; nodeSelector?: unknown; tolerations?: unknown };
type Template = { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: PodSpec };

describe('track Deployment', () => {
  const serving = {
    gpu: 1,
    resources: { requests: { cpu: '500m' }, limits: { memory: '1Gi' } },
    nodeSelector: { pool: 'gpu' },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    rejectionThreshold: 0.3,
    executionProvider: 'cuda',
  } as unknown as NonNullable<ModelReleaseSpec['serving']>;
  const release = newRelease('1.1.0', { spec: { serving } });
  const deployment = buildDeployment(release, 'canary', toModelRef(newModel('1.1.0')), 3);
  const template = deployment.spec?.template as Template;
  const container = template.spec.containers[0]!;

  it('carries the labels of docs/conventions.md and an ownerReference', () => {
    expect(deployment.metadata).toMatchObject({ name: 'species-canary', namespace: 'ml' });
    expect(template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'tern-server',
      'app.kubernetes.io/instance': 'species',
      'app.kubernetes.io/managed-by': 'tern-operator',
      'app.kubernetes.io/version': '1.1.0',
      'serving.tern.dev/release': 'species',
      'serving.tern.dev/track': 'canary',
      'serving.tern.dev/version': '1.1.0',
      'serving.tern.dev/model': 'species-classifier',
    });
    expect(deployment.metadata.ownerReferences).toEqual([
      { apiVersion: 'serving.tern.dev/v1alpha1', kind: 'ModelRelease', name: 'species', uid: 'uid-1', controller: true, blockOwnerDeletion: true },
    ]);
    expect(deployment.spec?.selector).toEqual({ matchLabels: { 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'canary' } });
    expect(deployment.spec?.replicas).toBe(3);
  });

  it('runs tern-server with the model URL, digest, baseline and version', () => {
    expect(container.command).toEqual(['tern-server']);
    expect(container.image).toBe('ghcr.io/tern-dev/tern-server:0.1.0');
    expect(container.args).toEqual([
      '--model-url', 'http://127.0.0.1:9000/species-classifier/1.1.0/model.onnx',
      '--model-name', 'species-classifier', '--model-version', '1.1.0',
      '--sha256', SHA_A, '--baseline-score', '0.8',
      '--port', '8080', '--execution-provider', 'cuda',
      '--max-batch-size', '64', '--max-batch-delay-ms', '2',
      '--rejection-threshold', '0.3',
    ]);
  });

  it('asks for GPUs as nvidia.com/gpu requests and limits, with node placement', () => {
    expect(container.resources).toEqual({ requests: { cpu: '500m', 'nvidia.com/gpu': '1' }, limits: { memory: '1Gi', 'nvidia.com/gpu': '1' } });
    expect(template.spec.nodeSelector).toEqual({ pool: 'gpu' });
    expect(template.spec.tolerations).toEqual(serving.tolerations);
  });

  it('probes /readyz and /healthz and is scraped by Prometheus', () => {
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' });
  });

  it('runs the serving config its model was released with, and names it in a Deployment annotation (not on the pods)', () => {
    const ref = { ...toModelRef(newModel('1.1.0')), serving: { ...podServing(release.spec.serving), rejectionThreshold: 0.9, image: 'ghcr.io/tern-dev/tern-server:0.1.1' } };
    const own = buildDeployment(release, 'stable', ref, 3);
    const c = (own.spec?.template as Template).spec.containers[0]!;
    expect(c.image).toBe('ghcr.io/tern-dev/tern-server:0.1.1');
    expect(c.args.slice(-2)).toEqual(['--rejection-threshold', '0.9']);
    const revision = own.metadata.annotations?.[ANNOTATION_REVISION];
    expect(revision).toMatch(/^[0-9a-f]{12}$/);
    expect(revision).not.toBe(deployment.metadata.annotations?.[ANNOTATION_REVISION]);
    // replicas are not part of it; the pod template carries no revision (adding it rolled no pod)
    expect(buildDeployment(release, 'stable', ref, 7).metadata.annotations?.[ANNOTATION_REVISION]).toBe(revision);
    expect((own.spec?.template as Template).metadata.annotations).not.toHaveProperty(ANNOTATION_REVISION);
    // a ref without a serving config (recorded before it was kept) runs spec.serving
    expect(deployment.metadata.annotations?.[ANNOTATION_REVISION]).toBe(revisionOf(toModelRef(newModel('1.1.0')), podServing(release.spec.serving)));
  });

  it('hardens the pods to Pod Security restricted: non-root 65532, RuntimeDefault seccomp, no escalation or capabilities, read-only root with /tmp, no token', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the fields asserted are outside the Template type on purpose
    const spec = template.spec as any;
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    // /tmp holds the model cache: the largest model tern-server downloads (2 GiB by default) + 1 GiB
    // written in the apiserver's canonical form (3072Mi would read back as 3Gi: a difference on every pass)
    expect(spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '3Gi' } }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    // the user's overrides still apply next to the hardening (resources, placement: asserted above)
    expect(spec.nodeSelector).toEqual({ pool: 'gpu' });
  });

  it('sleeps in preStop while endpoints drop the pod, then leaves tern-server its whole SIGTERM drain inside the grace period', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    const spec = template.spec as any;
    expect(spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: PRESTOP_SLEEP_SECONDS } } });
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(PRESTOP_SLEEP_SECONDS + SERVER_SHUTDOWN_TIMEOUT_MS / 1000);
    expect(spec.terminationGracePeriodSeconds).toBe(35);
    // a longer drain or a larger model limit set through spec.serving.env moves the grace period and /tmp with it
    const env = [{ name: 'TERN_SHUTDOWN_TIMEOUT_MS', value: '60000' }, { name: 'TERN_MAX_MODEL_BYTES', value: String(8 * 1024 ** 3) }];
    const tuned = newRelease('1.1.0', { spec: { serving: { ...serving, env } } });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    const tunedSpec = (buildDeployment(tuned, 'stable', toModelRef(newModel('1.1.0')), 1).spec?.template as any).spec;
    expect(tunedSpec.terminationGracePeriodSeconds).toBe(70);
    expect(tunedSpec.volumes[0].emptyDir.sizeLimit).toBe('9Gi');
    const odd = newRelease('1.1.0', { spec: { serving: { ...serving, env: [{ name: 'TERN_MAX_MODEL_BYTES', value: '1000000000' }] } } });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    expect((buildDeployment(odd, 'stable', toModelRef(newModel('1.1.0')), 1).spec?.template as any).spec.volumes[0].emptyDir.sizeLimit).toBe('1978Mi');
    // a value tern-server would refuse keeps the defaults (the pod then fails visibly at start)
    const bad = newRelease('1.1.0', { spec: { serving: { ...serving, env: [{ name: 'TERN_SHUTDOWN_TIMEOUT_MS', value: '-1' }] } } });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    expect((buildDeployment(bad, 'stable', toModelRef(newModel('1.1.0')), 1).spec?.template as any).spec.terminationGracePeriodSeconds).toBe(35);
  });

  it('writes resource quantities as the apiserver stores them, and names the field of one that is not a quantity', () => {
    const asked = { ...serving, resources: { requests: { memory: '1024Mi', cpu: '0.5' }, limits: { memory: '1536Mi', cpu: '1000m', 'ephemeral-storage': '2000k' } } };
    expect(containerResources(asked)).toEqual({
      requests: { memory: '1Gi', cpu: '500m', 'nvidia.com/gpu': '1' },
      limits: { memory: '1536Mi', cpu: '1', 'ephemeral-storage': '2M', 'nvidia.com/gpu': '1' },
    });
    const invalid = { ...serving, resources: { limits: { memory: 'lots' } } };
    expect(() => containerResources(invalid)).toThrow('spec.serving.resources.limits.memory: "lots" is not a quantity');
    const negative = { ...serving, resources: { requests: { cpu: '-500m' } } };
    expect(() => containerResources(negative)).toThrow('spec.serving.resources.requests.cpu: "-500m" is negative; a resource quantity must be 0 or more');
  });

  it('has a Service per track selecting exactly that track', () => {
    expect(buildTrackService(release, 'stable').spec?.selector).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'stable' });
  });
});
