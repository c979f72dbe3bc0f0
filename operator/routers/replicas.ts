/**
 * The `replicas` router (default; no mesh or gateway needed). The release Service selects both
 * tracks' pods, so a weight becomes the candidate's share of the ready pods behind it:
 *
 *   candidate pods = round(weight / 100 × spec.serving.replicas), at least 1, and at most replicas − 1
 *   while the weight is below 100; stable pods = the rest.
 *
 * Granularity is therefore 1 / spec.serving.replicas: with 2 replicas every weight from 1 to 99 gives
 * 1 candidate pod of 2 (50 %); with 20 replicas the steps are 5 %. Use the gatewayAPI router for exact
 * percentages. Stable pods go away only once the candidate pods that replace them are ready, so the
 * Service never has zero ready pods during the shift. At weight 0 (staging, rollback, no rollout) the
 * Service selects the stable track alone, so a staging candidate (1 pod) gets no live traffic; at weight
 * 100 (the last step, promotion) the candidate track alone, so the previous track's warm pod of the old
 * model and stable pods being re-templated get none. During a warm restore (weights.previous) it selects
 * the previous track alone.
 */
import type { ResolvedRelease } from '../model/resolved-spec.js';
import type { KubeObject } from '../desired/kube-object.js';
import { LABEL_RELEASE, LABEL_TRACK } from '../desired/labels.js';
import { buildReleaseService } from '../desired/service.js';
import type { ReadyPods, ScaleInput, Weights } from '../model/traffic.js';
import type { TrafficRouter } from './router.js';

/** Candidate pods for `weight` out of `total` (see the file header for the rounding rule). */
export function candidatePodsFor(weight: number, total: number): number {
  if (weight <= 0) return 0;
  if (weight >= 100) return total;
  const share = Math.max(1, Math.round((weight / 100) * total));
  return total > 1 ? Math.min(share, total - 1) : share;
}

/**
 * The one track the release Service selects, or undefined for both weighted tracks (`{release}`).
 * `{release}` also selects the previous track, which at a 100 % step, during promotion and in the bake
 * keeps an older model warm, so it is used only for a split below 100 % (then the previous track runs the
 * stable model, or nothing). Weight 100 selects the candidate track alone (while it has a ready pod);
 * weight 0 the stable track alone, unless it has no ready pod and the candidate has (a rollback from 100 %
 * with no warm fallback: the candidate keeps serving until stable pods are ready; never an empty Service).
 */
export function selectedTrack(weights: Weights, ready: ReadyPods): 'stable' | 'canary' | undefined {
  if (weights.candidate >= 100) return ready.candidate > 0 || ready.stable === 0 ? 'canary' : 'stable';
  if (weights.candidate <= 0) return ready.stable > 0 || ready.candidate === 0 ? 'stable' : 'canary';
  return undefined;
}

export const replicasRouter: TrafficRouter = {
  name: 'replicas',
  // Only the release Service (desired/service.ts's kind).
  ownedKinds: [],

  scale({ total, planned, weights, stage, ready }: ScaleInput) {
    if (planned.candidate === 0) return planned;
    if (stage === 'staging') return { stable: planned.stable, candidate: Math.min(planned.candidate, 1) };
    if (stage !== 'canary' || planned.stable === 0) return planned;
    const candidate = candidatePodsFor(weights.candidate, total);
    // Shrink stable only by the candidate pods already ready: the Service never runs out of ready pods.
    const stable = Math.min(planned.stable, total - Math.min(candidate, ready.candidate));
    return { stable, candidate };
  },

  routingObjects(release: ResolvedRelease, weights: Weights, ready: ReadyPods): KubeObject[] {
    const name = release.metadata.name;
    // A warm restore: the previous track alone, while it has ready pods.
    if ((weights.previous ?? 0) > 0 && (ready.previous ?? 0) > 0) return [buildReleaseService(release, { [LABEL_RELEASE]: name, [LABEL_TRACK]: 'previous' })];
    const track = selectedTrack(weights, ready);
    const selector: Record<string, string> = track ? { [LABEL_RELEASE]: name, [LABEL_TRACK]: track } : { [LABEL_RELEASE]: name };
    // Track Services are not routing here: they come with their track's Deployment (desired-objects.ts).
    return [buildReleaseService(release, selector)];
  },
};
