/**
 * Drives the Argo CD health check and actions for ModelRelease exactly as argocd-cm.yaml hands them to Argo CD
 * (charts/tern/argocd/; the chart tests check that file is rendered from the Lua sources), in gopher-lua.
 * Give it any ModelRelease as JSON, e.g. one read from the cluster by an end-to-end test:
 *   healthOf(release) -> { status: 'Suspended', message: '...' }
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type Json, runArgocdLua } from './argocd-lua.js';
import { REPO_ROOT } from './conventions.js';

/** Where the ModelRelease customizations live, in Argo CD's resource_customizations layout. */
export const CUSTOMIZATIONS_DIR = `${REPO_ROOT}charts/tern/argocd/resource_customizations/serving.tern.dev/ModelRelease`;
export const ARGOCD_CM = `${REPO_ROOT}charts/tern/argocd/argocd-cm.yaml`;
const KEY = 'serving.tern.dev_ModelRelease';

/** The actions, in the order Argo CD's menu shows them. */
export const ACTION_NAMES = ['promote', 'promote-full', 'abort', 'retry', 'pause', 'resume'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** What health.lua returns. */
export interface HealthStatus {
  status: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
  message: string;
}

/** The scripts of one argocd-cm, for ModelRelease. */
export interface Customizations {
  health: string;
  discovery: string;
  actions: Record<string, string>;
  /** resource.customizations.useOpenLibs.<kind>: every Lua standard library, not only Argo CD's safe subset. */
  openLibs: boolean;
}

/** The ModelRelease scripts of an argocd-cm ConfigMap (YAML text). */
export function customizationsOf(configMapYaml: string): Customizations {
  const data = (parse(configMapYaml) as { data?: Record<string, string> }).data ?? {};
  const health = data[`resource.customizations.health.${KEY}`];
  const actionsYaml = data[`resource.customizations.actions.${KEY}`];
  if (health === undefined || actionsYaml === undefined) throw new Error(`argocd-cm has no health or actions entry for ${KEY}`);
  const actions = parse(actionsYaml) as { 'discovery.lua': string; definitions: { name: string; 'action.lua': string }[] };
  return {
    health,
    discovery: actions['discovery.lua'],
    actions: Object.fromEntries(actions.definitions.map((d) => [d.name, d['action.lua']])),
    openLibs: data[`resource.customizations.useOpenLibs.${KEY}`] === 'true',
  };
}

let shipped: Customizations | undefined;
/** The scripts of charts/tern/argocd/argocd-cm.yaml. */
export function shippedCustomizations(): Customizations {
  shipped ??= customizationsOf(readFileSync(ARGOCD_CM, 'utf8'));
  return shipped;
}

/** Argo CD's health of a ModelRelease. */
export function healthOf(release: object, scripts = shippedCustomizations()): HealthStatus {
  return runArgocdLua({ mode: 'health', script: scripts.health, obj: release as Json, openLibs: scripts.openLibs }) as unknown as HealthStatus;
}

/** The actions Argo CD offers for a ModelRelease and whether each is disabled. */
export function discoverActions(release: object, scripts = shippedCustomizations()): Record<string, { disabled: boolean; iconClass?: string; displayName?: string }> {
  const found = runArgocdLua({ mode: 'discovery', script: scripts.discovery, obj: release as Json, openLibs: scripts.openLibs }) as unknown as
    { name: string; disabled: boolean; iconClass?: string; displayName?: string }[];
  return Object.fromEntries(found.map(({ name, ...action }) => [name, action]));
}

/** The object an action would write back. */
export function runAction(name: ActionName, release: object, scripts = shippedCustomizations()): { metadata: { annotations?: Record<string, string> } } & Record<string, unknown> {
  const script = scripts.actions[name];
  if (script === undefined) throw new Error(`argocd-cm defines no action '${name}'`);
  return runArgocdLua({ mode: 'action', script, obj: release as Json, openLibs: scripts.openLibs }) as unknown as {
    metadata: { annotations?: Record<string, string> };
  };
}
