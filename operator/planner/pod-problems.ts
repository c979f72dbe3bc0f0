/**
 * Candidate pods that are not ready or crashed, said for a person: which pod, the reason Kubernetes or
 * tern-server gave, and what to do about it; a crashed candidate rolls back. Pure (the reconciler reads
 * the problems: reconciler/pod-problems.ts).
 */
import type { Pass } from './pass.js';
import { rollBack } from './transitions.js';
import type { PodProblem } from './types.js';

/** What to do about a pod problem, by its reason. */
export function problemHint(reason: string): string {
  switch (reason) {
    case 'Sha256Mismatch':
      return 'The file at spec.model.weightsUrl is not the one spec.model.sha256 names: publish the right file, or correct spec.model.sha256 (the registry\'s sha256 of that file), then change spec.model or run `tern retry`.';
    case 'NotFound':
      return 'Nothing is served at spec.model.weightsUrl: fix the URL or publish the file, then run `tern retry`.';
    case 'NotOnnx':
    case 'LoadFailed':
    case 'TooLarge':
      return 'tern-server cannot load that file: export the model to ONNX (within --max-model-bytes) and release the new file.';
    case 'CrashLoopBackOff':
    case 'Restarted':
      return 'The candidate\'s server crashed: see the log of the crashed container (`kubectl logs --previous`), fix the model or its serving settings, then release again.';
    case 'Unschedulable':
      return 'No node can take the pod: free capacity (or add nodes), or lower spec.serving.gpu / spec.serving.resources; then run `tern retry`.';
    default:
      return 'See the pod\'s events and log (`kubectl describe pod`, `kubectl logs`).';
  }
}

/** "pod NAME: REASON: MESSAGE" for the first problems (at most `limit`), joined with "; ". */
export function describeProblems(problems: PodProblem[], limit = 2): string {
  const said = problems.slice(0, limit).map((p) => `pod ${p.pod}: ${p.message.startsWith(`${p.reason}:`) ? p.message : `${p.reason}: ${p.message}`}`);
  const more = problems.length > limit ? `; ${problems.length - limit} more` : '';
  return `${said.join('; ')}${more}`;
}

/** The problem that decides: a permanent one first, else the first. */
export function decisiveProblem(problems: PodProblem[]): PodProblem | undefined {
  return problems.find((p) => p.permanent) ?? problems[0];
}

/**
 * A candidate pod whose container restarted during the release is failing, whatever analysis says (a
 * crash loses the requests in flight, which no server counter records, and a crash-looping pod drops out
 * of the measured pods): roll back now. True when it did.
 */
export function failOnCandidateRestart(pass: Pass): boolean {
  const crashed = (pass.input.candidateProblems ?? []).find((p) => (p.restarts ?? 0) > 0);
  if (!crashed) return false;
  const version = pass.status.candidate?.version ?? pass.spec.model.version;
  rollBack(pass, {
    conditionReason: 'CandidateRestarted',
    metricReason: 'CandidateRestarts',
    message: `${version} crashed: ${describeProblems([crashed])}. ${problemHint(crashed.reason)}`,
  });
  return true;
}
