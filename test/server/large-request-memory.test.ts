// tern-server gives memory back after a maximum-size request: one OIP binary request of as many 3x48x192
// images as fit in the 64 MiB body limit (606) must not leave the server holding hundreds of MiB. Before
// the inference workers ran without onnxruntime's CPU memory arena, the arena kept the largest batch's
// memory for the life of the process (make bench-large-request; figures in docs/benchmarks.md).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGE_DIMS, imageModelOnnx } from '../bench/image-model.js';
import { rssBytes } from '../bench/proc-stats.js';
import { startTernServer, stopTernServer, type TernServerProcess } from '../bench/tern-server-process.js';

const MiB = 1024 * 1024;

describe('tern-server memory after a maximum-size request', () => {
  let dir: string;
  let server: TernServerProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tern-memory-'));
  });
  afterAll(async () => {
    if (server) await stopTernServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns near its baseline after 606 images in one OIP binary request', async () => {
    const modelPath = join(dir, 'image.onnx');
    writeFileSync(modelPath, imageModelOnnx());
    server = await startTernServer(modelPath, 'image', ['--cache-dir', dir, '--workers', '1'], { readyTimeoutMs: 15_000 });
    const { port, pid } = server;
    const baseline = rssBytes(pid);

    const per = IMAGE_DIMS.reduce((a, b) => a * b, 1);
    const n = Math.floor((64 * MiB - 512) / (per * 4));
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'image', shape: [n, ...IMAGE_DIMS], datatype: 'FP32', parameters: { binary_data_size: n * per * 4 } }] }));
    const data = new Float32Array(n * per);
    for (let i = 0; i < data.length; i++) data[i] = (i % 251) / 251;
    const res = await fetch(`http://127.0.0.1:${port}/v2/models/image/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, Buffer.from(data.buffer)]),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    // Freed memory goes back within a few seconds (the request's own buffers are garbage once answered).
    let after = rssBytes(pid);
    for (let i = 0; i < 40 && after > baseline + 150 * MiB; i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = rssBytes(pid);
    }
    expect({ baselineMiB: Math.round(baseline / MiB), afterMiB: Math.round(after / MiB), within150: after <= baseline + 150 * MiB })
      .toEqual({ baselineMiB: Math.round(baseline / MiB), afterMiB: Math.round(after / MiB), within150: true });
  }, 60_000);
});
