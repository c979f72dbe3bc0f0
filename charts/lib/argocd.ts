/**
 * Drives the Argo CD health check and actions for ModelRelease (charts/tern/argocd/) with lua5.1.
 * Give it any ModelRelease as JSON, e.g. one read from the cluster by an end-to-end test:
 *   healthOf(release) -> { status: 'Suspended', message: '...' }
 */
import { REPO_ROOT } from './conventions.js';
import { type Json, runLuaScript } from './lua.js';

/** Where the ModelRelease customizations live, in Argo CD's resource_customizations layout. */
export const CUSTOMIZATIONS_DIR = `${REPO_ROOT}charts/tern/argocd/resource_customizations/serving.tern.dev/ModelRelease`;

/** The actions, in the order Argo CD's menu shows them. */
export const ACTION_NAMES = ['promote', 'promote-full', 'abort', 'retry', 'pause', 'resume'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** What health.lua returns. */
export interface HealthStatus {
  status: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
  message: string;
}

/** Argo CD's health of a ModelRelease (health.lua). */
export function healthOf(release: object): HealthStatus {
  return runLuaScript(`${CUSTOMIZATIONS_DIR}/health.lua`, release as Json) as unknown as HealthStatus;
}

/** The actions Argo CD offers for a ModelRelease and whether each is disabled (actions/discovery.lua). */
export function discoverActions(release: object): Record<string, { disabled: boolean; iconClass?: string; displayName?: string }> {
  return runLuaScript(`${CUSTOMIZATIONS_DIR}/actions/discovery.lua`, release as Json) as unknown as Record<string, { disabled: boolean }>;
}

/** The object an action would write back (actions/<name>/action.lua). */
export function runAction(name: ActionName, release: object): { metadata: { annotations?: Record<string, string> } } & Record<string, unknown> {
  return runLuaScript(`${CUSTOMIZATIONS_DIR}/actions/${name}/action.lua`, release as Json) as unknown as {
    metadata: { annotations?: Record<string, string> };
  };
}
