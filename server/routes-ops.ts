// Operational endpoints: /healthz (live), /readyz (ready, or why not; the GPUs the pod was given), /metrics (Prometheus).
import { Router } from 'express';
import { gpuDevicesJson, type GpuDevices } from './gpu-devices.js';
import { stateReason, type ModelService } from './model-service.js';

/** Health, readiness and metrics routes. */
export function opsRoutes(service: ModelService, isDraining: () => boolean, beforeScrape: () => void, gpus?: GpuDevices): Router {
  const router = Router();
  const gpuField = gpus ? { gpus: gpuDevicesJson(gpus) } : {};
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const { config } = service;
    const model = { name: config.modelName, version: config.modelVersion, provider: service.provider };
    if (isDraining()) {
      res.status(503).json({ ready: false, reason: 'shutting down', model, ...gpuField });
    } else if (service.state.phase === 'ready') {
      res.json({ ready: true, model, ...gpuField });
    } else {
      res.status(503).json({ ready: false, phase: service.state.phase, reason: stateReason(service.state), model, ...gpuField });
    }
  });
  router.get('/metrics', async (_req, res) => {
    beforeScrape();
    const { registry } = service.metrics;
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
