/**
 * Status conditions (Ready, Progressing, Degraded, and Synced, which the reconciler sets once a pass has
 * failed) with Kubernetes semantics: lastTransitionTime changes only when the condition's status
 * changes, so an idle release writes an identical status.
 */
import type { Condition } from '../api/model-release-schema.js';

export type ConditionType = 'Ready' | 'Progressing' | 'Degraded' | 'Synced';

export interface ConditionUpdate {
  type: ConditionType;
  status: Condition['status'];
  reason: string;
  message: string;
}

/** `conditions` with `update` set: replaced in place, transition time kept unless the status flips. */
export function setCondition(conditions: Condition[], update: ConditionUpdate, now: Date, generation: number | undefined): Condition[] {
  const previous = conditions.find((c) => c.type === update.type);
  const next: Condition = {
    ...update,
    lastTransitionTime: previous && previous.status === update.status ? previous.lastTransitionTime : now.toISOString(),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  const others = conditions.filter((c) => c.type !== update.type);
  const order: ConditionType[] = ['Ready', 'Progressing', 'Degraded', 'Synced'];
  return [...others, next].sort((a, b) => order.indexOf(a.type as ConditionType) - order.indexOf(b.type as ConditionType));
}

/** The condition of `type`, if set. */
export function getCondition(conditions: Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
