// Reconciler.reconcile over an in-memory apiserver (testing/fixture.ts): given these objects, these writes and this status.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelReleaseSpec } from '../api/model-release-schema.js';
import { newModel, newRelease, SHA_B } from '../planner/testing.js';
import { KubeApiError } from '../runtime/kube-client.js';
import { DEPLOYMENTS, HTTP_ROUTES, SERVICES } from '../runtime/resources.js';
import { MODEL_RELEASES } from '../api/resource.js';
import { ANNOTATION_COMMAND_NONCE, commandPatch } from '../api/command-annotation.js';
import { newFixture, type ReconcilerFixture } from './testing/fixture.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STATUS = 'apply ModelRelease/status species';

function fixture(spec: Partial<ModelReleaseSpec> = {}, objects: Array<[typeof SERVICES, KubernetesObject]> = []): ReconcilerFixture {
  return newFixture({ release: newRelease('1.0.0', { spec }), objects });
}

/** A fixture whose release serves 1.0.0, Healthy and converged (the last pass wrote nothing). */
async function healthy(spec: Partial<ModelReleaseSpec> = {}): Promise<ReconcilerFixture> {
  const f = fixture(spec);
  await f.runUntil(() => f.status.phase === 'Healthy');
  await f.run();
  expect(f.writes()).toEqual([]);
  return f;
}

/** Passes (settling after each, moving time as asked) until `done`; returns the writes of the pass that got there. */
async function passUntil(f: ReconcilerFixture, done: () => boolean): Promise<string[]> {
  await f.runUntil(done);
  return f.writes();
}

const weightsOf = (route: Obj | undefined) => (route?.spec.rules[0].backendRefs as Obj[]).map((b) => `${b.name}=${b.weight}`);
const gateway = { traffic: { router: 'gatewayAPI' as const } };

describe('Reconciler fixture: first reconcile', () => {
  it('creates the stable Deployment, then the release and track Services, then writes status once', async () => {
    const f = fixture();
    const result = await f.run();

    expect(f.writes()).toEqual(['apply Deployment species-stable', 'apply Service species', 'apply Service species-stable', STATUS]);
    const deployment = f.written<Obj>('Deployment', 'species-stable');
    expect(deployment?.spec.replicas).toBe(2);
    expect(deployment?.spec.template.metadata.labels['serving.tern.dev/version']).toBe('1.0.0');
    expect(deployment?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ModelRelease', name: 'species', uid: 'uid-1', controller: true })]);
    expect(f.written<Obj>('Service', 'species')?.spec.selector).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'stable' });
    expect(f.status).toMatchObject({ phase: 'Staging', candidate: { version: '1.0.0' } });
    expect(f.events).toEqual(['Normal/RolloutStarted']);
    expect(result).toEqual({ requeueAfterMs: 600_000 }); // the progress deadline: pods becoming ready wake it earlier
  });

  it('goes Healthy once the pods are ready, writing only status', async () => {
    const f = fixture();
    await f.run();
    f.settle();
    await f.run();
    expect(f.writes()).toEqual([STATUS]);
    expect(f.status).toMatchObject({ phase: 'Healthy', stable: { version: '1.0.0' } });
    expect(f.events).toEqual(['Normal/RolloutStarted', 'Normal/CandidateReady', 'Normal/StagingPassed', 'Normal/Promoted']);
  });
});

describe('Reconciler fixture: skip when unchanged', () => {
  it.each([['replicas'], ['gatewayAPI']] as const)('a converged release (%s router) causes no API write, pass after pass', async (router) => {
    const f = await healthy({ traffic: { router } });
    const rv = f.release.metadata.resourceVersion;
    for (let i = 0; i < 3; i++) {
      const result = await f.run();
      expect(f.writes()).toEqual([]);
      expect(result).toEqual({ requeueAfterMs: 60_000 }); // the production watch
      await f.advance(1_000);
    }
    expect(f.release.metadata.resourceVersion).toBe(rv);
  });

  it('a status the informer has not caught up with is not planned from again (no repeated transition)', async () => {
    const f = fixture();
    await f.run();
    f.settle();
    await f.run(); // Staging -> Healthy, written through /status
    const events = f.events.length;
    await f.run({ staleCaches: true }); // the cache still holds the Staging status
    expect(f.writes()).toEqual([]);
    expect(f.events.length).toBe(events);
  });
});

describe('Reconciler fixture: canary steps', () => {
  it('gatewayAPI: a step change moves the HTTPRoute weights and writes status; Deployments stay', async () => {
    const f = await healthy(gateway);
    f.setModel(newModel('1.1.0', { sha256: SHA_B }));
    await passUntil(f, () => f.status.phase === 'Canary' && f.status.currentStep === 0);
    expect(weightsOf(f.object(HTTP_ROUTES, 'species'))).toEqual(['species-stable=99', 'species-canary=1']);

    const writes = await passUntil(f, () => f.status.currentStep === 1);
    expect(writes).toEqual(['apply HTTPRoute species', STATUS]);
    expect(weightsOf(f.written('HTTPRoute', 'species'))).toEqual(['species-stable=95', 'species-canary=5']);
    expect(f.status).toMatchObject({ phase: 'Canary', currentStep: 1, canaryWeight: 5 });
    expect(f.events.filter((e) => e === 'Normal/StepStarted')).toHaveLength(2);
  });

  it('gatewayAPI: analysis failing in the shadow step rolls back; the mirror filter goes although the weights stay 100/0', async () => {
    const f = await healthy({ ...gateway, rollout: { shadow: { mirrorPercent: 50, duration: '1m' } } as ModelReleaseSpec['rollout'] });
    f.setModel(newModel('1.1.0', { sha256: SHA_B }));
    await passUntil(f, () => f.status.phase === 'Canary' && f.status.mirrorPercent === 50);
    expect(f.object<Obj>(HTTP_ROUTES, 'species')?.spec.rules[0].filters).toEqual([
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'species-canary', port: 80 }, percent: 50 } },
    ]);

    f.analysis.outcome = 'Failed';
    const writes = await passUntil(f, () => f.status.phase === 'RolledBack');
    expect(writes).toEqual(['apply HTTPRoute species', STATUS]);
    const route = f.object<Obj>(HTTP_ROUTES, 'species');
    expect(route?.spec.rules[0].filters).toBeUndefined();
    expect(weightsOf(route)).toEqual(['species-stable=100', 'species-canary=0']);
    expect(f.events).toContain('Warning/RolledBack');
  });

  it('replicas: a step that needs more candidate pods grows the candidate first and shrinks stable only once they are ready', async () => {
    const f = await healthy({ serving: { replicas: 4 } as ModelReleaseSpec['serving'] });
    f.setModel(newModel('1.1.0', { sha256: SHA_B }));
    await passUntil(f, () => f.status.currentStep === 2); // 25 %: 1 candidate pod of 4

    const grow = await passUntil(f, () => f.status.currentStep === 3); // 50 %: 2 of 4
    expect(grow).toEqual(['apply Deployment species-canary', STATUS]);
    expect(f.written<Obj>('Deployment', 'species-canary')?.spec.replicas).toBe(2);
    expect(f.object<Obj>(DEPLOYMENTS, 'species-stable')?.spec.replicas).toBe(3);

    await f.run(); // the candidate's second pod is ready now (settled)
    expect(f.writes()).toContain('apply Deployment species-stable');
    expect(f.written<Obj>('Deployment', 'species-stable')?.spec.replicas).toBe(2);
  });

  it('replicas: the first step widens the release Service selector (a label the operator stops sending is a change)', async () => {
    const f = await healthy();
    f.setModel(newModel('1.1.0', { sha256: SHA_B }));
    const writes = await passUntil(f, () => f.status.phase === 'Canary');
    expect(writes).toContain('apply Service species');
    expect(f.object<Obj>(SERVICES, 'species')?.spec.selector).toEqual({ 'serving.tern.dev/release': 'species' });
  });
});

describe('Reconciler fixture: rollback, commands, production watch, deletion', () => {
  it('replicas: a failed check rolls back at once (Service to stable) and scales the candidate to 0 only after the drain delay', async () => {
    const f = await healthy();
    f.setModel(newModel('1.1.0', { sha256: SHA_B }));
    await passUntil(f, () => f.status.phase === 'Canary');
    f.analysis.outcome = 'Failed';
    const writes = await passUntil(f, () => f.status.phase === 'RolledBack');
    expect(writes).toEqual(['apply Deployment species-stable', 'apply Service species', STATUS]); // stable grows back first
    expect(f.written<Obj>('Deployment', 'species-stable')?.spec.replicas).toBe(2);
    expect(f.object<Obj>(SERVICES, 'species')?.spec.selector).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'stable' });
    expect(f.object<Obj>(DEPLOYMENTS, 'species-canary')?.spec.replicas).toBe(1); // in-flight requests finish

    const result = await f.run();
    expect(f.writes()).toEqual([]);
    expect(result.requeueAfterMs).toBeLessThanOrEqual(5_000);
    await f.advance(result.requeueAfterMs ?? 0);
    await f.run();
    expect(f.writes()).toEqual(['apply Deployment species-canary']);
    expect(f.written<Obj>('Deployment', 'species-canary')?.spec.replicas).toBe(0);
  });

  it('a command annotation is handled once per nonce (tern promote-full during a canary step)', async () => {
    const f = await healthy();
    f.setModel(newModel('1.1.0', { sha256: SHA_B }));
    await passUntil(f, () => f.status.phase === 'Canary');
    const { annotations } = commandPatch('promote-full').metadata;
    f.cluster.edit(MODEL_RELEASES, 'ml', 'species', (obj) => {
      (obj['metadata'] as Obj).annotations = annotations;
    });
    await f.run();
    expect(f.status).toMatchObject({ phase: 'Promoting', lastCommandNonce: annotations[ANNOTATION_COMMAND_NONCE] });
    const promoting = f.events.filter((e) => e === 'Normal/Promoting').length;
    await f.runUntil(() => f.status.phase === 'Healthy');
    expect(f.events.filter((e) => e === 'Normal/Promoting').length).toBe(promoting);
  });

  it('the production watch measures the stable track every productionInterval by the reconciler\'s own clock', async () => {
    const f = await healthy();
    expect(f.analysis.measured).toEqual([]);
    await f.advance(59_000);
    await f.run();
    expect(f.analysis.measured).toEqual([]);
    await f.advance(1_000);
    await f.run();
    expect(f.analysis.measured).toEqual(['stable']);
    expect(f.writes()).toEqual([]); // a steady production watch keeps its measurements out of status
  });

  it('a deleted release: nothing is written and its gauge series go', async () => {
    const f = await healthy();
    expect(await f.metrics.metrics()).toMatch(/tern_release_phase\{namespace="ml",release="species"/);
    f.cluster.remove(MODEL_RELEASES, 'ml', 'species');
    expect(await f.run()).toEqual({});
    expect(f.writes()).toEqual([]);
    expect(await f.metrics.metrics()).not.toMatch(/tern_release_(phase|canary_weight)\{[^}]*release="species"/); // gauges go, counters stay
  });
});

describe('Reconciler fixture: promotion', () => {
  it('re-templates the stable track, then returns traffic to it, scales the candidate to 0 and records the promotion', async () => {
    const f = await healthy({ serving: { replicas: 4 } as ModelReleaseSpec['serving'] });
    f.setModel(newModel('1.1.0', { sha256: SHA_B }));
    await passUntil(f, () => f.status.phase === 'Promoting');
    expect(f.object<Obj>(DEPLOYMENTS, 'species-stable')?.spec.template.metadata.labels['serving.tern.dev/version']).toBe('1.1.0');

    const writes = await passUntil(f, () => f.status.phase === 'Healthy');
    expect(writes).toEqual(['apply Service species', 'apply Deployment species-canary', STATUS]);
    expect(f.written<Obj>('Service', 'species')?.spec.selector).toEqual({ 'serving.tern.dev/release': 'species', 'serving.tern.dev/track': 'stable' });
    expect(f.written<Obj>('Deployment', 'species-canary')?.spec.replicas).toBe(0);
    expect(f.status).toMatchObject({ phase: 'Healthy', stable: { version: '1.1.0' }, previousStable: { version: '1.0.0' } });
    expect(f.status.candidate).toBeUndefined();
    expect(f.status.bake).toBeDefined();
    expect(f.events.filter((e) => e === 'Normal/Promoted')).toHaveLength(2); // 1.0.0 (first release), 1.1.0
    expect(f.object<Obj>(DEPLOYMENTS, 'species-previous')?.spec.template.metadata.labels['serving.tern.dev/version']).toBe('1.0.0');
  });
});

describe('Reconciler fixture: adopting an HTTPRoute', () => {
  const existing = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'shop', namespace: 'ml', annotations: { 'team.example.com/owner': 'web' } },
    spec: {
      parentRefs: [{ name: 'public-gateway' }],
      hostnames: ['shop.example.com'],
      rules: [{ backendRefs: [{ name: 'legacy-shop', port: 80 }] }],
    },
  };
  const adopt = { traffic: { router: 'gatewayAPI' as const, gatewayAPI: { httpRouteName: 'shop' } } };

  it('takes the rules, keeps what others set, adds no ownerReference, and then leaves it alone', async () => {
    const f = newFixture({ release: newRelease('1.0.0', { spec: adopt }), objects: [[HTTP_ROUTES, existing]] });
    await f.run();
    expect(f.writes()).toContain('apply HTTPRoute shop');
    const sent = f.written<Obj>('HTTPRoute', 'shop');
    expect(sent?.metadata.ownerReferences).toBeUndefined();
    expect(sent?.spec.parentRefs).toBeUndefined();
    const live = f.object<Obj>(HTTP_ROUTES, 'shop');
    expect(live?.metadata.annotations).toEqual({ 'team.example.com/owner': 'web' });
    expect(live?.metadata.ownerReferences).toBeUndefined();
    expect(live?.spec.parentRefs).toEqual([{ name: 'public-gateway' }]);
    expect(live?.spec.hostnames).toEqual(['shop.example.com']);
    expect(weightsOf(live)).toEqual(['species-stable=100', 'species-canary=0']);

    await f.runUntil(() => f.status.phase === 'Healthy');
    await f.run();
    expect(f.writes()).toEqual([]);
  });
});

describe('Reconciler fixture: conflicts and API errors', () => {
  it('a 409 on the status write fails the pass; the retry writes status alone and records each event once', async () => {
    const f = fixture();
    f.cluster.failNext({ verb: 'apply', resource: 'modelreleases/status' }, new KubeApiError('apply status of modelreleases ml/species: Conflict', 409, 'Conflict'));
    const err = await f.runError();
    expect(err.message).toMatch(/Conflict/);
    expect(f.writes()).toEqual(['apply Deployment species-stable', 'apply Service species', 'apply Service species-stable', `${STATUS} (failed)`, STATUS]);
    expect(f.status.phase).toBeUndefined();
    expect(f.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Synced', status: 'False', reason: 'Conflict' })])); // the error reaches the release (reconcile-errors.ts)

    await f.run();
    expect(f.writes()).toEqual([STATUS]);
    expect(f.status.phase).toBe('Staging');
    expect(f.events.filter((e) => e.startsWith('Normal/'))).toEqual(['Normal/RolloutStarted']); // not twice: recorded after the status write
  });

  it('a failed Deployment apply stops the pass before routing and status; the retry writes only what is missing', async () => {
    const f = await healthy();
    f.setModel(newModel('1.1.0', { sha256: SHA_B }));
    f.cluster.failNext({ verb: 'apply', kind: 'Deployment', name: 'species-canary' }, 500);
    const err = await f.runError();
    expect(err.message).toMatch(/^Deployment ml\/species-canary apply error: injected failure \(HTTP 500\)/);
    expect(f.writes()).toEqual(['apply Deployment species-canary (failed)', STATUS]);
    expect(f.status.phase).toBe('Healthy');
    // The error reaches the release (reconcile-errors.ts) with the apiserver's reason (HTTP 500: InternalError).
    expect(f.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Synced', status: 'False', reason: 'InternalError' })]));

    await f.run();
    expect(f.writes()).toEqual(['apply Deployment species-canary', 'apply Service species-canary', STATUS]);
    expect(f.status).toMatchObject({ phase: 'Staging', candidate: { version: '1.1.0' } });
    expect(f.events.filter((e) => e === 'Normal/RolloutStarted')).toHaveLength(2);
  });

  it('router gatewayAPI without the Gateway API CRDs: the error names the route and the fix', async () => {
    const f = newFixture({ release: newRelease('1.0.0', { spec: gateway }), missing: [HTTP_ROUTES] });
    const err = await f.runError();
    expect(err.message).toMatch(/^HTTPRoute ml\/species read error: get httproutes: .*\(router gatewayAPI needs the Gateway API CRDs installed\)$/);
    expect(f.writes()).toEqual([STATUS]); // only the Synced condition: no phase, no objects
    expect(f.status.phase).toBeUndefined();
    // The error reaches the release (reconcile-errors.ts) with the apiserver's reason for the missing resource.
    expect(f.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Synced', status: 'False', reason: 'NotFound' })]));
  });

  it('a Deployment of the same name that the release does not own is an error: nothing but the release Synced condition is written', async () => {
    const foreign = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'species-stable', namespace: 'ml', labels: { 'app.kubernetes.io/managed-by': 'tern-operator' } }, spec: { replicas: 1 } };
    const f = fixture({}, [[DEPLOYMENTS, foreign]]);
    const err = await f.runError();
    expect(err.message).toBe('Deployment ml/species-stable exists and is not owned by ModelRelease ml/species (made by hand or another tool): delete or rename that object');
    expect(f.writes()).toEqual([STATUS]); // only the Synced condition
    expect(f.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Synced', status: 'False', reason: 'OwnershipConflict' })])); // the error reaches the release (reconcile-errors.ts)
  });
});

describe('Reconciler fixture: owned objects deleted behind its back', () => {
  it.each([
    ['Service', 'species-stable', SERVICES, {}],
    ['Service', 'species', SERVICES, {}],
    ['HTTPRoute', 'species', HTTP_ROUTES, gateway],
  ] as const)('a deleted %s %s is recreated by one apply, and nothing else is written', async (kind, name, type, spec) => {
    const f = await healthy(spec);
    f.cluster.remove(type, 'ml', name);
    await f.run();
    expect(f.writes()).toEqual([`apply ${kind} ${name}`]);
    await f.run();
    expect(f.writes()).toEqual([]);
  });

  it('a deleted stable Deployment is recreated; status says the stable track is not ready until its pods are', async () => {
    const f = await healthy();
    f.cluster.remove(DEPLOYMENTS, 'ml', 'species-stable');
    await f.run();
    expect(f.writes()).toEqual(['apply Deployment species-stable', STATUS]);
    expect(f.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'StableNotReady' });
    f.settle();
    await f.run();
    expect(f.writes()).toEqual([STATUS]);
    expect(f.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
  });
});
