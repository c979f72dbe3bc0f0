// Worker thread of the server benchmark: GET /healthz every 10 ms for `ms` milliseconds over one lean
// keep-alive connection, then posts the latencies (ms). It runs in its own thread so that the load
// generator's busy event loop does not inflate what it measures.
import { parentPort, workerData } from 'node:worker_threads';
import { encodeRequest, LeanConnection } from './http-load-client.js';

const { port, ms } = workerData as { port: number; ms: number };
const request = encodeRequest('GET', '/healthz', `127.0.0.1:${port}`, {});
const out: number[] = [];
const conn = await LeanConnection.open(port);
const end = performance.now() + ms;
while (performance.now() < end) {
  const t0 = performance.now();
  const status = await conn.send(request).catch(() => 0);
  if (status === 200) out.push(performance.now() - t0);
  await new Promise((r) => setTimeout(r, 10));
}
conn.close();
parentPort?.postMessage(out);
