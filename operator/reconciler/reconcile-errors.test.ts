// The reason and message a reconcile error gives the Synced condition and its Warning event: the
// apiserver's reason survives the reconciler's wrapping (an apply that RBAC forbids says Forbidden).
import { KubeApiError } from '../runtime/kube-client.js';
import { reconcileErrorMessage, reconcileErrorReason, syncedFailed } from './reconcile-errors.js';

describe('reconcileErrorReason', () => {
  const forbidden = new KubeApiError('patch deployments models/species-canary: 403 Forbidden: deployments.apps "species-canary" is forbidden', 403, 'Forbidden');

  it('keeps the apiserver reason of an error the reconciler wrapped (cause chain)', () => {
    const wrapped = new Error(`Deployment models/species-canary apply error: ${forbidden.message}`, { cause: forbidden });
    expect(reconcileErrorReason(wrapped)).toBe('Forbidden');
    expect(reconcileErrorReason(new Error('outer', { cause: wrapped }))).toBe('Forbidden');
  });

  it('uses an error\'s own CamelCase reason first, and ReconcileError when none is found', () => {
    expect(reconcileErrorReason(Object.assign(new Error('x'), { reason: 'OwnershipConflict' }))).toBe('OwnershipConflict');
    expect(reconcileErrorReason(new Error('plain'))).toBe('ReconcileError');
    expect(reconcileErrorReason(Object.assign(new Error('x'), { reason: 'not camel case' }))).toBe('ReconcileError');
    expect(reconcileErrorReason('a string')).toBe('ReconcileError');
    expect(reconcileErrorReason(undefined)).toBe('ReconcileError');
  });

  it('stops on a cause loop', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(reconcileErrorReason(a)).toBe('ReconcileError');
  });

  it('puts reason and the one-line message on Synced=False', () => {
    const [synced] = syncedFailed(undefined, new Error(`apply error:\n  ${forbidden.message}`, { cause: forbidden }), new Date(0), 3);
    expect(synced).toMatchObject({ type: 'Synced', status: 'False', reason: 'Forbidden', observedGeneration: 3 });
    // The wrapper quotes its cause already: the message says it once.
    expect(synced?.message).toBe(`apply error: ${forbidden.message}`);
    expect(reconcileErrorMessage(new Error('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }))).toBe('fetch failed: ECONNREFUSED');
  });
});
