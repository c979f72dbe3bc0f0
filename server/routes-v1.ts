// POST /v1/predict (classifier predictions with rejections) and GET /v1/drift-stats.
import type { IncomingMessage } from 'node:http';
import { Router, type Request, type Response } from 'express';
import { readBody, requireJson } from './body.js';
import { HttpError } from './http-error.js';
import { readClassifierOutputs, type ModelService } from './model-service.js';
import { log } from './log.js';
import { parsePredictBody } from './predict-body.js';
import { writeReply, type Reply } from './reply.js';

/** Most feature vectors in one /v1/predict request. */
const MAX_ROWS_PER_REQUEST = 4096;

/** Answers one POST /v1/predict (express and the hot path both call this); throws HttpError. */
export async function predictV1(service: ModelService, req: IncomingMessage): Promise<Reply> {
  const started = process.hrtime.bigint();
  const { config } = service;
  const { spec } = service.requireReady();
  const view = spec.classifier;
  if (!view) {
    throw new HttpError(400, `model ${config.modelName} is not a classifier with one [batch, N] float input; use POST /v2/models/${config.modelName}/infer`);
  }
  requireJson(req);
  const batch = parsePredictBody(await readBody(req, config.maxBodyBytes), view.features, MAX_ROWS_PER_REQUEST);
  if (config.logInputs) log('debug', 'predict input', { rows: batch.rows, data: Array.from(batch.data) });
  const outputs = await service.infer({ [view.input]: { dims: [batch.rows, view.features], data: batch.data } });
  const predictions = service.observe(readClassifierOutputs(view, outputs, batch.rows), config.rejectionThreshold);
  return { status: 200, type: 'application/json', body: service.predictEncoder.encode(predictions, Number(process.hrtime.bigint() - started) / 1e6) };
}

/** Routes under /v1. */
export function v1Routes(service: ModelService): Router {
  const router = Router();

  router.post('/v1/predict', async (req: Request, res: Response) => {
    writeReply(res, await predictV1(service, req));
  });

  router.get('/v1/drift-stats', (_req: Request, res: Response) => {
    res.json(service.drift.stats());
  });

  return router;
}
