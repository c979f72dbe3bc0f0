// The hot routes (GET /healthz, POST /v1/predict, POST /v2/models/{name}[/versions/{version}]/infer) served
// straight from node:http, ahead of express: express's per-request setup and router walk cost more than a
// /healthz answer itself and delay health checks under load. Only exact paths are taken here (no
// percent-escapes, no trailing slash, exact case; any query string is ignored as express does); anything
// else goes on to express, which still has every route. Metrics, the fault switch, the draining header
// and error answers are the ones the express app gives (app.ts shares them).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterFaultDelay, type Faults } from './faults.js';
import type { ModelService } from './model-service.js';
import { jsonReply, writeReply, type Reply } from './reply.js';
import { predictV1 } from './routes-v1.js';
import { inferV2 } from './routes-v2.js';

/** What the hot path shares with the express app. */
export interface HotRouteHooks {
  /** Called once per request as the response finishes (the same recorder express's middleware uses). */
  record: (route: string, method: string, status: number, start: bigint) => void;
  isDraining: () => boolean;
  /** The injected faults of inference routes (faults.ts). */
  faults: Faults;
  /** Turns a thrown error into the answer express's error handler would give. */
  errorReply: (err: unknown, req: IncomingMessage) => Reply;
}

/** Route pattern and handler of a matched hot request. */
interface Match {
  route: string;
  inference: boolean;
  handle: () => Promise<Reply> | Reply;
}

const HEALTHZ = jsonReply({ status: 'ok' });
const FAULT = jsonReply({ error: 'injected fault (--fault-5xx-ratio); not a real failure' }, 503);

function match(service: ModelService, req: IncomingMessage, path: string): Match | undefined {
  if (req.method === 'GET') return path === '/healthz' ? { route: '/healthz', inference: false, handle: () => HEALTHZ } : undefined;
  if (req.method !== 'POST') return undefined;
  if (path === '/v1/predict') return { route: '/v1/predict', inference: true, handle: () => predictV1(service, req) };
  if (!path.startsWith('/v2/models/') || !path.endsWith('/infer')) return undefined;
  const parts = path.slice('/v2/models/'.length, -'/infer'.length).split('/');
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length === 1) return { route: '/v2/models/:name/infer', inference: true, handle: () => inferV2(service, req, parts[0], undefined) };
  if (parts.length === 3 && parts[1] === 'versions') {
    return { route: '/v2/models/:name/versions/:version/infer', inference: true, handle: () => inferV2(service, req, parts[0], parts[2]) };
  }
  return undefined;
}

/** Returns a handler that answers hot requests and returns true, or returns false and touches nothing. */
export function hotRoutes(service: ModelService, hooks: HotRouteHooks): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path.includes('%')) return false;
    const found = match(service, req, path);
    if (!found) return false;
    const start = process.hrtime.bigint();
    if (hooks.isDraining()) res.setHeader('Connection', 'close');
    res.on('finish', () => hooks.record(found.route, req.method as string, res.statusCode, start));
    const send = (reply: Reply): void => writeReply(res, reply);
    const fail = (err: unknown): void => {
      if (res.headersSent) {
        res.destroy(err as Error);
        return;
      }
      send(hooks.errorReply(err, req));
    };
    const answer = (): void => {
      if (found.inference && hooks.faults.shouldFail?.()) return send(FAULT);
      try {
        const reply = found.handle();
        if (reply instanceof Promise) reply.then(send, fail);
        else send(reply);
      } catch (err) {
        fail(err);
      }
    };
    if (found.inference) {
      hooks.faults.countForCrash?.();
      afterFaultDelay(hooks.faults, answer);
    }
    else answer();
    return true;
  };
}
