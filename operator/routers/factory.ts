/**
 * Picks the TrafficRouter named by spec.traffic.router (after Flagger's pkg/router/factory.go).
 */
import type { Scale } from '../model/traffic.js';
import { gatewayApiRouter } from './gateway-api.js';
import { replicasRouter } from './replicas.js';
import type { RouterName, TrafficRouter } from './router.js';

const ROUTERS: Record<RouterName, TrafficRouter> = { replicas: replicasRouter, gatewayAPI: gatewayApiRouter };

/** The router called `name`; throws naming the known routers for anything else. */
export function routerFor(name: string): TrafficRouter {
  const router = ROUTERS[name as RouterName];
  if (!router) throw new Error(`unknown traffic router "${name}": use one of ${Object.keys(ROUTERS).join(', ')}`);
  return router;
}

/** The pod scaling of the router called `name`: what the reconciler injects into the planner's plan(). */
export function scaleOf(name: string): Scale {
  const router = routerFor(name);
  return (input) => router.scale(input);
}

/** Every router, for what is derived from all of them (the owned kinds the operator watches and applies). */
export function allRouters(): TrafficRouter[] {
  return Object.values(ROUTERS);
}
