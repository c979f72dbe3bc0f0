// Reads a request body into one Buffer with a size limit (413) and checks the content type (415).
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';
import { quoteInput } from './input-text.js';

/** The media type without parameters, lower case ('' when absent). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** 415 unless the request is JSON (a missing content type is read as JSON). */
export function requireJson(req: IncomingMessage): void {
  const type = mediaType(req);
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    throw new HttpError(415, `unsupported content type ${quoteInput(type)}; send application/json`);
  }
}

/** A 413 when the declared Content-Length is over `maxBytes` (the body is drained unread); else undefined. */
function refuseDeclaredOver(req: IncomingMessage, declared: number, maxBytes: number): Promise<never> | undefined {
  if (!(declared > maxBytes)) return undefined;
  req.resume();
  return Promise.reject(new HttpError(413, `request body of ${declared} bytes is over the ${maxBytes}-byte limit`));
}

/**
 * Reads the whole body; 413 as soon as it exceeds maxBytes. With `alignAt`, when the request declares its
 * Content-Length the body lands in its own buffer placed so that byte `alignAt` of the body starts on a
 * 4-byte boundary: float32 tensors that follow a JSON header can then be viewed in place, without a copy.
 */
export function readBody(req: IncomingMessage, maxBytes: number, alignAt?: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  const tooLarge = refuseDeclaredOver(req, declared, maxBytes);
  if (tooLarge) return tooLarge;
  const declaredHeader = req.headers['content-length'];
  if (alignAt !== undefined && declaredHeader !== undefined && Number.isSafeInteger(declared) && declared > 0) {
    return readDeclared(req, declared, (4 - (alignAt % 4)) % 4);
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        chunks.length = 0;
        reject(new HttpError(413, `request body is over the ${maxBytes}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on('error', (err) => {
      if (!failed) reject(new HttpError(400, `could not read the request body: ${err.message}`));
    });
  });
}

/** Reads a body of exactly `size` declared bytes into a fresh buffer that starts `pad` bytes into its memory. */
function readDeclared(req: IncomingMessage, size: number, pad: number): Promise<Buffer> {
  const body = Buffer.from(new ArrayBuffer(pad + size), pad, size);
  return fillParts(req, size, [body]).then(() => body);
}

/**
 * Reads a body with a declared Content-Length whose first `headBytes` bytes are a header (the OIP binary
 * extension's JSON) into two buffers: the header, and the rest in a buffer over the whole ArrayBuffer that
 * `tailBuffer(bytes)` gives (e.g. a reused one). A tensor there can be handed to a worker thread without a copy.
 * Callers check that Content-Length is declared and larger than `headBytes`.
 */
export function readSplitBody(req: IncomingMessage, maxBytes: number, headBytes: number, tailBuffer: (bytes: number) => ArrayBuffer): Promise<{ head: Buffer; tail: Buffer }> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = refuseDeclaredOver(req, declared, maxBytes);
  if (tooLarge) return tooLarge;
  const head = Buffer.allocUnsafe(headBytes);
  const tailBytes = declared - headBytes;
  const memory = tailBuffer(tailBytes);
  if (memory.byteLength !== tailBytes) throw new Error(`tailBuffer gave ${memory.byteLength} bytes for ${tailBytes}`);
  const tail = Buffer.from(memory);
  return fillParts(req, declared, [head, tail]).then(() => ({ head, tail }));
}

/** Copies a declared-length body of `size` bytes into `parts` in order (their lengths add up to `size`). */
function fillParts(req: IncomingMessage, size: number, parts: Buffer[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let filled = 0;
    let part = 0;
    let inPart = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      // Node's HTTP parser never delivers more than Content-Length; guard anyway.
      if (filled + chunk.length > size) {
        failed = true;
        reject(new HttpError(400, `request body is longer than its Content-Length (${size})`));
        return;
      }
      filled += chunk.length;
      let at = 0;
      while (at < chunk.length) {
        const target = parts[part] as Buffer;
        if (target.length === 0) {
          part++;
          continue;
        }
        const n = Math.min(target.length - inPart, chunk.length - at);
        target.set(at === 0 && n === chunk.length ? chunk : chunk.subarray(at, at + n), inPart);
        at += n;
        inPart += n;
        if (inPart === target.length) {
          part++;
          inPart = 0;
        }
      }
    });
    req.on('end', () => {
      if (failed) return;
      if (filled !== size) reject(new HttpError(400, `request body ended after ${filled} of ${size} declared bytes`));
      else resolve();
    });
    req.on('error', (err) => {
      if (!failed) reject(new HttpError(400, `could not read the request body: ${err.message}`));
    });
  });
}

/** JSON.parse with a 400 that quotes the parser's complaint. */
export function parseJson(body: Buffer | string, what = 'request body'): unknown {
  if (body.length === 0) throw new HttpError(400, `${what} is empty; expected JSON`);
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(400, `${what} is not valid JSON: ${(err as Error).message}`);
  }
}
