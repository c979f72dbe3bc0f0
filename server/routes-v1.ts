// POST /v1/predict (classifier predictions with rejections) and GET /v1/drift-stats.
import type { IncomingMessage } from 'node:http';
import { Router, type Request, type Response } from 'express';
import { readBody, requireJson } from './body.js';
import { HttpError } from './http-error.js';
import type { ModelService } from './model-service.js';
import { readClassifierOutputs } from './prediction.js';
import { log } from './log.js';
import { estimateRows, parsePredictBody } from './predict-body.js';
import { writeReply, type Reply } from './reply.js';
import type { Outputs } from './tensor.js';

/**
 * Bodies from this size on (about six 16-value vectors) are parsed in the inference workers, batched; smaller
 * ones cost less to parse here than to hand over.
 */
const PARSE_IN_WORKERS_FROM_BYTES = 2048;

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
  const body = await readBody(req, config.maxBodyBytes);
  let rows: number;
  let outputs: Outputs;
  if (body.length >= PARSE_IN_WORKERS_FROM_BYTES && service.parsesBodies && !config.logInputs) {
    // Parsing is most of this route's work for many vectors: the inference workers do it, batched, off the
    // event loop (the errors are the same).
    ({ rows, outputs } = await service.inferBody(body, estimateRows(body), { input: view.input, features: view.features, maxRows: config.maxRowsPerRequest }));
  } else {
    const batch = parsePredictBody(body, view.features, config.maxRowsPerRequest);
    if (config.logInputs) log('debug', 'predict input', { rows: batch.rows, data: Array.from(batch.data) });
    rows = batch.rows;
    outputs = await service.infer({ [view.input]: { dims: [batch.rows, view.features], data: batch.data } });
  }
  const predictions = service.observe(readClassifierOutputs(view, outputs, rows), config.rejectionThreshold);
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
