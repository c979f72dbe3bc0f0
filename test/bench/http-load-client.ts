// A lean HTTP/1.1 load client for the benchmarks: one keep-alive loopback connection per concurrent caller,
// each request pre-encoded once (request line, headers and body in one Buffer written with one write), and
// responses read by counting bytes (status line, Content-Length, body) without building header objects or
// response streams. The load generator shares the machine's cores with the server it measures; node:http's
// client costs about as much CPU per request as the server itself, which the server then cannot use.
// Only what tern-server answers is understood: responses with a Content-Length (no chunked encoding).
import { connect, type Socket } from 'node:net';

/** Encodes one complete HTTP/1.1 request (keep-alive) into a single Buffer. */
export function encodeRequest(method: string, path: string, host: string, headers: Record<string, string>, body?: Buffer): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, 'Connection: keep-alive'];
  for (const [k, v] of Object.entries(headers)) {
    if (/[\r\n]/.test(k + v)) throw new Error(`header ${k} contains a line break`);
    lines.push(`${k}: ${v}`);
  }
  if (body) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)[ \t]*\r\n/i;
const CHUNKED = /\r\ntransfer-encoding:[^\r\n]*chunked/i;

/**
 * Incremental parser of a stream of HTTP/1.1 responses with Content-Length bodies. `push` takes socket
 * chunks in order and returns the status codes of the responses they completed.
 */
export class ResponseCounter {
  /** Header bytes seen so far of the response being read (only while its head is incomplete). */
  #head: Buffer | undefined;
  /** Body bytes still to skip of the current response; -1 while reading a head. */
  #remaining = -1;
  #status = 0;

  /** Feeds one chunk; returns the status of every response it completes (usually zero or one). */
  push(chunk: Buffer): number[] {
    const done: number[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.#remaining < 0) {
        const data = this.#head ? Buffer.concat([this.#head, chunk.subarray(at)]) : chunk.subarray(at);
        const end = data.indexOf(CRLFCRLF);
        if (end < 0) {
          if (data.length > 64 * 1024) throw new Error('response head over 64 KiB');
          this.#head = Buffer.from(data);
          return done;
        }
        const consumedBefore = this.#head ? this.#head.length : 0;
        this.#head = undefined;
        const head = data.toString('latin1', 0, end + 2);
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
        if (!status) throw new Error(`not an HTTP/1.x response: ${JSON.stringify(head.slice(0, 40))}`);
        if (CHUNKED.test(head)) throw new Error('chunked responses are not supported by this client');
        const length = CONTENT_LENGTH.exec(head);
        if (!length) throw new Error('response without Content-Length');
        this.#status = Number(status[1]);
        this.#remaining = Number(length[1]);
        at += end + 4 - consumedBefore;
      }
      const take = Math.min(this.#remaining, chunk.length - at);
      this.#remaining -= take;
      at += take;
      if (this.#remaining === 0) {
        done.push(this.#status);
        this.#remaining = -1;
      }
    }
    return done;
  }
}

/** One keep-alive connection that sends a pre-encoded request and resolves with the response status. */
export class LeanConnection {
  readonly #socket: Socket;
  readonly #counter = new ResponseCounter();
  #waiting: { resolve: (status: number) => void; reject: (err: Error) => void } | undefined;
  #error: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      let statuses: number[];
      try {
        statuses = this.#counter.push(chunk);
      } catch (err) {
        this.#fail(err as Error);
        return;
      }
      for (const status of statuses) {
        const w = this.#waiting;
        this.#waiting = undefined;
        w?.resolve(status);
      }
    });
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('connection closed by the server')));
  }

  /** Opens a connection to host:port. */
  static open(port: number, host = '127.0.0.1'): Promise<LeanConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new LeanConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  #fail(err: Error): void {
    this.#error ??= err;
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.reject(err);
    this.#socket.destroy();
  }

  /** Sends `request` (from encodeRequest) and resolves with the status of its response. One at a time. */
  send(request: Buffer): Promise<number> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#waiting) return Promise.reject(new Error('a request is already in flight on this connection'));
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(request);
    });
  }

  /** Closes the connection. */
  close(): void {
    this.#error ??= new Error('connection closed');
    this.#socket.destroy();
  }
}
