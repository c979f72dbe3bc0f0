/**
 * The serving config a track's pods run, kept per model in status (ModelRef.serving) so that a change of
 * spec.serving is released like a model change: the stable track keeps its config while the candidate
 * runs the new one (docs/serving-changes.md). Also the revision that names exactly what a Deployment's
 * pods run (model artifact + pod serving config), written on the Deployment so that the planner can tell
 * two templates of the same model version apart. Pure.
 */
import { createHash } from 'node:crypto';
import type { ModelRef, PodServing, Serving } from '../api/model-release-schema.js';

/** spec.serving fields that apply directly to every track, with no release: they change how many pods run, not what a pod runs. */
export const DIRECT_SERVING_FIELDS = ['replicas'] as const;

/** Deployment annotation: the revision of what the pod template runs (see revisionOf). */
export const ANNOTATION_REVISION = 'serving.tern.dev/revision';

/** spec.serving without the fields that apply directly (a copy). */
export function podServing(serving: Serving): PodServing {
  const { replicas: _direct, ...rest } = serving;
  return JSON.parse(JSON.stringify(rest)) as PodServing;
}

/** The serving config `ref`'s pods run: its own (status) or, for a ref recorded before serving was kept, spec.serving's; replicas always from spec. */
export function servingOf(ref: ModelRef, spec: Serving): Serving {
  return { ...(ref.serving ?? podServing(spec)), replicas: spec.replicas };
}

/** JSON with object keys sorted, so equal configs give equal text whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether two pod serving configs are the same (key order does not count). */
export function sameServing(a: PodServing | undefined, b: PodServing | undefined): boolean {
  return canonical(a ?? null) === canonical(b ?? null);
}

/** 12 hex digits naming what pods of `ref` with `serving` run: the model artifact and the pod serving config. */
export function revisionOf(ref: ModelRef, serving: PodServing): string {
  const { replicas: _direct, ...pod } = serving as PodServing & { replicas?: number };
  const model = { name: ref.name, version: ref.version, weightsUrl: ref.weightsUrl, sha256: ref.sha256, baselineScore: ref.baselineScore };
  return createHash('sha256').update(canonical({ model, serving: pod })).digest('hex').slice(0, 12);
}

const shown = (v: unknown): string => (v === undefined ? 'unset' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * What changed from `from` to `to`, one phrase per field ("rejectionThreshold 0.5 -> 0.9", "image a -> b",
 * "env TERN_WORKERS changed"). Env values are never shown (they may be secrets); lists and maps are named only.
 */
export function servingChanges(from: PodServing | undefined, to: PodServing | undefined): string[] {
  if (!from || !to) return [];
  const a = from as Record<string, unknown>;
  const b = to as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const out: string[] = [];
  for (const key of keys) {
    if (canonical(a[key] ?? null) === canonical(b[key] ?? null)) continue;
    if (key === 'env') {
      out.push(`env ${envChanges(from.env, to.env).join(', ')} changed`);
    } else if ((typeof a[key] === 'object' && a[key] !== null) || (typeof b[key] === 'object' && b[key] !== null)) {
      out.push(`${key} changed`);
    } else {
      out.push(`${key} ${shown(a[key])} -> ${shown(b[key])}`);
    }
  }
  return out;
}

function envChanges(from: PodServing['env'], to: PodServing['env']): string[] {
  const before = new Map((from ?? []).map((e) => [e.name, e.value]));
  const after = new Map((to ?? []).map((e) => [e.name, e.value]));
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changed = names.filter((n) => before.get(n) !== after.get(n));
  return changed.length > 0 ? changed : ['order'];
}
