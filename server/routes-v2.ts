// The Open Inference Protocol (KServe v2) REST endpoints: server and model metadata, health, and infer
// with JSON tensors or the binary tensor data extension.
import type { IncomingMessage } from 'node:http';
import { Router, type Request, type Response } from 'express';
import { mediaType, parseJson, readBody, readSplitBody } from './body.js';
import { HttpError } from './http-error.js';
import { cutInput, quoteInput } from './input-text.js';
import type { ModelService } from './model-service.js';
import { readClassifierOutputs } from './prediction.js';
import { encodeInferResponse, oipDatatype, oipShape, parseInferRequest, type EncodedResponse, type InferRequest } from './oip.js';
import { parseInferJson } from './oip-json.js';
import { writeReply, type Reply } from './reply.js';

const HEADER_LENGTH = 'inference-header-content-length';

/** JSON infer bodies from this size on are parsed in the inference workers (as /v1/predict bodies are). */
const PARSE_IN_WORKERS_FROM_BYTES = 2048;

/** 404 unless `name` (and `version`, when given) is the served model. */
function requireServedModel(service: ModelService, name: string | string[] | undefined, version?: string | string[]): void {
  const { config } = service;
  if (name !== config.modelName || (version !== undefined && version !== config.modelVersion)) {
    const what = version === undefined ? `model ${quoteInput(String(name))}` : `model ${quoteInput(String(name))} version ${quoteInput(String(version))}`;
    throw new HttpError(404, `unknown ${what}; this server serves "${config.modelName}" version "${config.modelVersion}"`, 'unknown_model');
  }
}

/** 413 when the encoded reply is over `maxBytes` (the client asked for more than this server answers at once). */
function refuseLargeReply(encoded: EncodedResponse, maxBytes: number): void {
  let bytes = encoded.json.length;
  // A JSON character is at most 3 UTF-8 bytes: count exactly only when that bound is over the limit.
  if (bytes * 3 > maxBytes) bytes = Buffer.byteLength(encoded.json);
  for (const part of encoded.binary) bytes += part.length;
  if (bytes > maxBytes) {
    throw new HttpError(413, `the reply would be ${bytes} bytes; the limit is ${maxBytes} (--max-reply-bytes): send fewer rows, ask for fewer outputs, or binary outputs`, 'reply_too_large');
  }
}

/**
 * Answers one POST /v2/models/{name}[/versions/{version}]/infer (express and the hot path both call this);
 * throws HttpError.
 */
export async function inferV2(service: ModelService, req: IncomingMessage, name: string | string[] | undefined, version: string | string[] | undefined): Promise<Reply> {
  const { config } = service;
  requireServedModel(service, name, version);
  const { spec } = service.requireReady();
  const headerLength = req.headers[HEADER_LENGTH];
  const type = mediaType(req);
  if (headerLength === undefined && type !== '' && type !== 'application/json') {
    throw new HttpError(415, `unsupported content type ${quoteInput(type)}; send application/json, or binary tensors with an Inference-Header-Content-Length header`);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  const headBytes = Number(headerLength);
  let doc: unknown;
  let binary: Buffer | undefined;
  let request: InferRequest;
  if (Number.isSafeInteger(headBytes) && headBytes > 0 && Number.isSafeInteger(declared) && declared > headBytes && (declared - headBytes) % 4 === 0) {
    // The usual binary request: the tensor bytes land in a buffer of their own (reused from earlier
    // batches), so one FP32 input goes on to a worker without another copy.
    const { head, tail } = await readSplitBody(req, config.maxBodyBytes, headBytes, (bytes) => service.tensorBuffer(bytes));
    doc = parseJson(head, 'inference header');
    binary = tail;
  } else if (headerLength !== undefined) {
    // Binary tensors follow the JSON header: read the body so that they start 4-byte aligned.
    const body = await readBody(req, config.maxBodyBytes, Number.isSafeInteger(headBytes) && headBytes >= 0 ? headBytes : undefined);
    const n = Number(headerLength);
    if (!Number.isInteger(n) || n <= 0 || n > body.length) {
      throw new HttpError(400, `Inference-Header-Content-Length ${cutInput(String(headerLength))} must be an integer between 1 and the body size (${body.length})`);
    }
    doc = parseJson(body.subarray(0, n), 'inference header');
    binary = body.subarray(n);
  }
  if (binary !== undefined) {
    request = parseInferRequest(doc, binary, spec, config.maxRowsPerRequest);
  } else {
    // JSON tensors: their data goes straight from the bytes into float32 (oip-json.ts), in the inference
    // workers for all but small bodies, so that one large JSON request never holds up this thread.
    // alignAt 0: with a declared Content-Length the body lands in a buffer of its own, which a worker can take
    // without another copy.
    const body = await readBody(req, config.maxBodyBytes, 0);
    const ownBuffer = Number.isSafeInteger(declared) && declared > 0;
    request = body.length >= PARSE_IN_WORKERS_FROM_BYTES && service.parsesInferJson
      ? await service.parseInferJson(body, ownBuffer)
      : parseInferJson(body, spec, config.maxRowsPerRequest);
  }
  const outputs = await service.infer(request.feeds);
  const view = spec.classifier;
  if (view && request.feeds[view.input]) {
    const rows = request.feeds[view.input]?.dims[0] ?? 0;
    service.observe(readClassifierOutputs(view, outputs, rows), 0);
  }
  const encoded = encodeInferResponse(config.modelName, config.modelVersion, request.id, outputs, request.outputs);
  refuseLargeReply(encoded, config.maxReplyBytes);
  if (encoded.binary.length === 0) return { status: 200, type: 'application/json', body: encoded.json };
  const header = Buffer.from(encoded.json, 'utf8');
  return {
    status: 200, type: 'application/octet-stream', body: Buffer.concat([header, ...encoded.binary]),
    headers: { 'Inference-Header-Content-Length': String(header.length) },
  };
}

/** Routes under /v2. */
export function v2Routes(service: ModelService, serverVersion: string): Router {
  const router = Router();
  const { config } = service;

  const requireModel = (name: string | string[] | undefined, version?: string | string[]): void => requireServedModel(service, name, version);
  const ready = (): boolean => service.state.phase === 'ready';

  router.get('/v2', (_req, res) => {
    res.json({ name: 'tern-server', version: serverVersion, extensions: ['binary_tensor_data'] });
  });
  router.get('/v2/health/live', (_req, res) => {
    res.json({ live: true });
  });
  router.get('/v2/health/ready', (_req, res) => {
    res.status(ready() ? 200 : 503).json({ ready: ready() });
  });

  const metadata = (req: Request, res: Response): void => {
    requireModel(req.params['name'], req.params['version']);
    const spec = service.spec;
    if (!spec) throw new HttpError(503, `model ${config.modelName} is not loaded yet`, 'not_ready');
    res.json({
      name: config.modelName,
      versions: [config.modelVersion],
      platform: 'onnxruntime_onnx',
      inputs: spec.inputs.map((t) => ({ name: t.name, datatype: oipDatatype(t.type), shape: oipShape(t) })),
      outputs: spec.outputs.map((t) => ({ name: t.name, datatype: oipDatatype(t.type), shape: oipShape(t) })),
    });
  };
  router.get('/v2/models/:name', metadata);
  router.get('/v2/models/:name/versions/:version', metadata);

  const modelReady = (req: Request, res: Response): void => {
    requireModel(req.params['name'], req.params['version']);
    res.status(ready() ? 200 : 503).json({ name: config.modelName, ready: ready() });
  };
  router.get('/v2/models/:name/ready', modelReady);
  router.get('/v2/models/:name/versions/:version/ready', modelReady);

  const infer = async (req: Request, res: Response): Promise<void> => {
    writeReply(res, await inferV2(service, req, req.params['name'], req.params['version']));
  };
  router.post('/v2/models/:name/infer', infer);
  router.post('/v2/models/:name/versions/:version/infer', infer);

  return router;
}
