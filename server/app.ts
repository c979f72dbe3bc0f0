// tern-server's HTTP handler: one node:http request listener that tries the hot routes (hot-routes.ts)
// and hands every other request to the express app, untouched. The express app: request metrics,
// availability, the optional faults (faults.ts), the routes, and an error handler that turns every problem
// into a JSON `{ error }` with the right status; the hot routes share its metrics, faults and error answers.
import type { IncomingMessage, RequestListener } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AvailabilityWindow } from './availability.js';
import { afterFaultDelay, faultsOf } from './faults.js';
import type { GpuDevices } from './gpu-devices.js';
import { hotRoutes } from './hot-routes.js';
import { HttpError, INTERNAL_ERROR } from './http-error.js';
import { cutInput } from './input-text.js';
import { log } from './log.js';
import type { ServerMetrics } from './metrics.js';
import type { ModelService } from './model-service.js';
import { jsonReply, writeReply, type Reply } from './reply.js';
import { opsRoutes } from './routes-ops.js';
import { v1Routes } from './routes-v1.js';
import { v2Routes } from './routes-v2.js';

const INFERENCE_ROUTES = new Set(['/v1/predict', '/v2/models/:name/infer', '/v2/models/:name/versions/:version/infer']);

/**
 * The answer to an error thrown by a route: its HttpError status, a 4xx it carries, or a 500. Anything that
 * is not an HttpError is a fault of this server (never of the input, which parsing refuses with a 4xx): it is
 * logged and counted in tern_server_internal_errors_total.
 */
function errorReply(err: unknown, req: IncomingMessage, metrics: ServerMetrics): Reply {
  if (err instanceof HttpError) {
    if (err.reason === INTERNAL_ERROR) {
      metrics.internalErrors.inc();
      log('error', 'internal error', { method: req.method, path: cutInput((req.url ?? '').split('?')[0] ?? ''), error: err.message });
    }
    return jsonReply({ error: err.message }, err.status);
  }
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return jsonReply({ error: (err as Error).message }, status);
  metrics.internalErrors.inc();
  const path = cutInput((req.url ?? '').split('?')[0] ?? '');
  log('error', 'unexpected error', { method: req.method, path, error: (err as Error).stack ?? String(err) });
  return jsonReply({ error: `internal error: ${(err as Error).message}` }, 500);
}

/** Everything app() needs besides the model. */
export interface AppOptions {
  serverVersion: string;
  isDraining: () => boolean;
  availability?: AvailabilityWindow;
  /** The GPUs NVIDIA_VISIBLE_DEVICES names (gpu-devices.ts); undefined when it is unset. */
  gpus?: GpuDevices;
}

/** Builds the request listener for one model service: the hot routes first, then the express app. */
export function createApp(service: ModelService, options: AppOptions): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const availability = options.availability ?? new AvailabilityWindow();
  const { metrics, config } = service;
  const faults = faultsOf(config);

  const record = (route: string, method: string, status: number, start: bigint): void => {
    const labels = { route, method, code: String(status) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    if (INFERENCE_ROUTES.has(route)) {
      availability.record(status);
      if (status >= 400 && status < 500 && route === '/v1/predict' && status !== 404) {
        metrics.rejections.inc({ reason: 'invalid_input' });
      }
    }
  };

  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    if (options.isDraining()) res.setHeader('Connection', 'close');
    res.on('finish', () => {
      const route = req.route ? `${req.baseUrl}${(req.route as { path: string }).path}` : 'unmatched';
      record(route, req.method, res.statusCode, start);
    });
    next();
  });

  if (faults.shouldFail || faults.delayMs > 0 || faults.countForCrash) {
    const fault = (_req: Request, res: Response, next: NextFunction): void => {
      faults.countForCrash?.();
      afterFaultDelay(faults, () => {
        if (faults.shouldFail?.()) res.status(503).json({ error: 'injected fault (--fault-5xx-ratio); not a real failure' });
        else next();
      });
    };
    for (const route of INFERENCE_ROUTES) app.post(route, fault);
  }

  app.use(v1Routes(service));
  app.use(v2Routes(service, options.serverVersion));
  if (options.gpus?.count !== undefined) metrics.reportGpuDevices(options.gpus.count);
  app.use(opsRoutes(service, options.isDraining, () => metrics.availability.set(availability.ratio()), options.gpus));

  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: `no route for ${req.method} ${cutInput(req.path)}; see /v1/predict, /v2/models/${config.modelName}/infer, /healthz, /readyz, /metrics` });
  });
  // Express recognises error handlers by their four parameters.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    writeReply(res, errorReply(err, req, metrics));
  });

  // The hot routes skip express (hot-routes.ts); express's own routes above still serve every other form.
  const hot = hotRoutes(service, {
    record, isDraining: options.isDraining, faults,
    errorReply: (err, req) => errorReply(err, req, metrics),
  });
  return (req, res) => {
    if (!hot(req, res)) app(req, res);
  };
}
