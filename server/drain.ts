// Graceful drain on SIGTERM: stop accepting connections, let every request already received be answered in
// full (headers not yet sent get `Connection: close`), close each keep-alive connection once it has nothing
// in flight, and resolve once the last one has closed. Node's own server.close() calls closeIdleConnections(),
// which also destroys a connection whose last response has been end()ed but is still being written (a large
// reply to a slow client was cut off); here a connection is closed with end() (a FIN after its data), and only
// when no response on it is unfinished. A connection that has not sent its first request yet is most likely
// about to: it gets FIRST_REQUEST_GRACE_MS to send it (answered with Connection: close) before it is closed.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How long a connection without any request yet may take to send one once the drain has started. */
export const FIRST_REQUEST_GRACE_MS = 1000;

interface Connection {
  /** Requests received on it so far. */
  requests: number;
  /**
   * Its latest response (HTTP/1.1 answers in order: when this one is finished, all are). Recording it is all
   * the per-request work; listeners are attached only once the drain has started.
   */
  last: ServerResponse | undefined;
}

/** Connection bookkeeping of one HTTP server, for its drain. */
export class Drain {
  readonly #open = new Map<Socket, Connection>();
  #draining = false;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.#open.set(socket, { requests: 0, last: undefined });
      socket.once('close', () => this.#open.delete(socket));
      if (this.#draining) this.#closeUnlessUsed(socket);
    });
    // Ahead of the application's listener, so that its answer carries the header set here.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const connection = this.#open.get(req.socket);
      if (!connection) return;
      connection.requests++;
      connection.last = res;
      if (!this.#draining) return;
      if (req.socket.writableEnded) {
        // Closed by the drain while this request was on its way: no answer can go out; make the client see it.
        req.socket.destroy();
        return;
      }
      res.setHeader('Connection', 'close');
      this.#endAfter(req.socket, connection, res);
    });
  }

  /** Stops accepting and resolves once every connection has closed (bound it with destroyAll). */
  drain(): Promise<void> {
    this.#draining = true;
    // server.close() calls this; keep it from cutting off responses still being written.
    this.server.closeIdleConnections = () => this.#endIdle();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const [socket, connection] of this.#open) {
      const res = connection.last;
      if (res && !res.writableFinished) {
        if (!res.headersSent) res.setHeader('Connection', 'close');
        this.#endAfter(socket, connection, res);
      }
      if (connection.requests === 0) this.#closeUnlessUsed(socket);
    }
    this.#endIdle();
    return closed;
  }

  /** Closes every connection at once (the drain timed out). */
  destroyAll(): void {
    for (const socket of this.#open.keys()) socket.destroy();
  }

  /** Ends `socket` once `res` is done, unless a later request has come in on it by then. */
  #endAfter(socket: Socket, connection: Connection, res: ServerResponse): void {
    res.once('close', () => {
      if (connection.last === res) socket.end();
    });
  }

  /** Ends (FIN after any data still queued) each connection that has served requests and has none unfinished. */
  #endIdle(): void {
    for (const [socket, connection] of this.#open) {
      if (connection.requests > 0 && connection.last?.writableFinished === true) socket.end();
    }
  }

  /** Closes `socket` after the grace period unless a request has come in on it by then. */
  #closeUnlessUsed(socket: Socket): void {
    const timer = setTimeout(() => {
      if (this.#open.get(socket)?.requests === 0) socket.destroy();
    }, FIRST_REQUEST_GRACE_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }
}
