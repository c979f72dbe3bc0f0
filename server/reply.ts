// Writing a finished answer to a plain node:http response: the same headers express's res.json and
// res.send would set (Content-Type with charset for text, Content-Length), without express on the path.
import type { ServerResponse } from 'node:http';

/** A complete HTTP answer. */
export interface Reply {
  status: number;
  /** Media type; text types get "; charset=utf-8" as express adds it. */
  type: 'application/json' | 'application/octet-stream';
  body: string | Buffer;
  headers?: Record<string, string>;
}

/** A JSON reply of `doc`. */
export const jsonReply = (doc: unknown, status = 200): Reply => ({ status, type: 'application/json', body: JSON.stringify(doc) });

/** Writes `reply` and ends the response. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  res.statusCode = reply.status;
  if (reply.headers) for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
  const text = typeof reply.body === 'string';
  res.setHeader('Content-Type', text ? `${reply.type}; charset=utf-8` : reply.type);
  res.setHeader('Content-Length', text ? Buffer.byteLength(reply.body as string) : reply.body.length);
  res.end(reply.body);
}
