import { Batcher, type BatchRunner, type BodyResult, type BodyShape, type PackedBodies } from './batcher.js';
import type { Feeds, Outputs } from './tensor.js';

/** A real runner: computes per-row sums after a controllable delay; records every batch it saw. */
class RowSumRunner implements BatchRunner {
  readonly batches: number[] = [];
  busy = 0;
  constructor(private readonly delayMs: number, private readonly slots = 1) {}
  hasCapacity(): boolean {
    return this.busy < this.slots;
  }
  inFlight(): number {
    return this.busy;
  }
  async run(feeds: Feeds): Promise<Outputs> {
    this.busy++;
    const x = feeds['x'];
    if (!x) throw new Error('no x');
    const [rows = 0, cols = 0] = x.dims;
    this.batches.push(rows);
    await new Promise((r) => setTimeout(r, this.delayMs));
    const sums = new Float32Array(rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) sums[r] = (sums[r] as number) + (x.data[r * cols + c] as number);
    this.busy--;
    if (sums.some((s) => s < 0)) throw new Error('negative row');
    return { sum: { type: 'float32', dims: [rows], data: sums } };
  }
}

const sums = (data: unknown): number[] => Array.from((data as Float32Array | undefined) ?? []);

const request = (rows: number, value: number, cols = 3): Feeds => ({
  x: { dims: [rows, cols], data: new Float32Array(rows * cols).fill(value) },
});

describe('Batcher', () => {
  it('sends a lone request at once and returns its own outputs', async () => {
    const runner = new RowSumRunner(1);
    const b = new Batcher(runner, { maxBatchSize: 8, maxBatchDelayMs: 50, batchable: true });
    const t0 = Date.now();
    const out = await b.submit(request(2, 1));
    expect(Date.now() - t0).toBeLessThan(40);
    expect(sums(out['sum']?.data)).toEqual([3, 3]);
    expect(runner.batches).toEqual([2]);
  });

  it('hands a lone request that owns its buffer to the runner without copying; a view into a larger buffer is copied', async () => {
    const seen: Float32Array[] = [];
    const runner: BatchRunner = {
      hasCapacity: () => true,
      inFlight: () => 0,
      run: (feeds) => {
        seen.push(feeds['x']?.data as Float32Array);
        return Promise.resolve({ sum: { type: 'float32', dims: [1], data: new Float32Array(1) } });
      },
    };
    const b = new Batcher(runner, { maxBatchSize: 8, maxBatchDelayMs: 1, batchable: true });
    const whole = request(1, 1);
    await b.submit(whole);
    expect(seen[0]).toBe(whole['x']?.data);
    const big = new Float32Array(6).fill(2);
    await b.submit({ x: { dims: [1, 3], data: big.subarray(3) } });
    expect(seen[1]).not.toBe(big);
    expect(seen[1]?.byteLength).toBe(seen[1]?.buffer.byteLength);
    expect(Array.from(seen[1] ?? [])).toEqual([2, 2, 2]);
  });

  it('hands the buffers of requests copied into a batch back to the runner, never the batch it runs', async () => {
    const released: ArrayBuffer[] = [];
    const inner = new RowSumRunner(5);
    const runner: BatchRunner = {
      hasCapacity: () => inner.hasCapacity(),
      inFlight: () => inner.inFlight(),
      run: (feeds) => inner.run(feeds),
      release: (buffer) => released.push(buffer),
    };
    const b = new Batcher(runner, { maxBatchSize: 8, maxBatchDelayMs: 1, batchable: true });
    const requests = [1, 2, 3].map((v) => request(1, v));
    const results = await Promise.all(requests.map((r) => b.submit(r)));
    expect(results.map((r) => sums(r['sum']?.data))).toEqual([[3], [6], [9]]);
    expect(inner.batches).toEqual([1, 2]);
    // The first ran alone (its buffer went to the runner as is); the other two were copied into one batch.
    expect(released).toEqual([requests[1]?.['x']?.data.buffer, requests[2]?.['x']?.data.buffer]);
  });

  it('batches requests that arrive while the runner is busy and splits results per request', async () => {
    const runner = new RowSumRunner(20);
    const sizes: number[] = [];
    const b = new Batcher(runner, { maxBatchSize: 64, maxBatchDelayMs: 1, batchable: true, onBatch: (n) => sizes.push(n) });
    const results = await Promise.all([1, 2, 3, 4, 5].map((v) => b.submit(request(v, v))));
    expect(runner.batches).toEqual([1, 14]);
    expect(sizes).toEqual([1, 14]);
    results.forEach((out, i) => {
      const v = i + 1;
      expect(out['sum']?.dims).toEqual([v]);
      expect(sums(out['sum']?.data)).toEqual(new Array(v).fill(3 * v));
    });
  });

  it('never exceeds max-batch-size (a single larger request still runs alone)', async () => {
    const runner = new RowSumRunner(5);
    const b = new Batcher(runner, { maxBatchSize: 4, maxBatchDelayMs: 1, batchable: true });
    await Promise.all([b.submit(request(1, 1)), ...Array.from({ length: 9 }, () => b.submit(request(1, 1))), b.submit(request(6, 1))]);
    expect(runner.batches.filter((n) => n !== 6).every((n) => n <= 4)).toBe(true);
    expect(runner.batches.reduce((a, n) => a + n, 0)).toBe(16);
    expect(runner.batches).toContain(6);
  });

  it('keeps requests with different trailing shapes apart', async () => {
    const runner = new RowSumRunner(10);
    const b = new Batcher(runner, { maxBatchSize: 64, maxBatchDelayMs: 1, batchable: true });
    const [a, , c, d] = await Promise.all([b.submit(request(1, 1, 3)), b.submit(request(1, 1, 3)), b.submit(request(1, 1, 5)), b.submit(request(1, 2, 3))]);
    expect(sums(a?.['sum']?.data)).toEqual([3]);
    expect(sums(c?.['sum']?.data)).toEqual([5]);
    expect(sums(d?.['sum']?.data)).toEqual([6]);
    expect(runner.batches).toEqual([1, 2, 1]);
  });

  it('runs every request alone when the model is not batchable', async () => {
    const runner = new RowSumRunner(2);
    const b = new Batcher(runner, { maxBatchSize: 64, maxBatchDelayMs: 1, batchable: false });
    await Promise.all([1, 1, 1].map((v) => b.submit(request(1, v))));
    expect(runner.batches).toEqual([1, 1, 1]);
  });

  it('fails every request of a failed batch and keeps serving', async () => {
    const runner = new RowSumRunner(10);
    const b = new Batcher(runner, { maxBatchSize: 64, maxBatchDelayMs: 1, batchable: true });
    const first = b.submit(request(1, 1));
    const bad = b.submit(request(1, -1));
    const good = b.submit(request(1, 2));
    await expect(first).resolves.toBeDefined();
    await expect(bad).rejects.toThrow('negative row');
    await expect(good).rejects.toThrow('negative row');
    await expect(b.submit(request(1, 3))).resolves.toBeDefined();
  });

  it('waits up to max-batch-delay for more requests when another worker is busy', async () => {
    const runner = new RowSumRunner(30, 2);
    const b = new Batcher(runner, { maxBatchSize: 64, maxBatchDelayMs: 10, batchable: true });
    const first = b.submit(request(1, 1)); // runs at once (quiet)
    await new Promise((r) => setTimeout(r, 1));
    const later = [b.submit(request(1, 1)), b.submit(request(1, 1))];
    await Promise.all([first, ...later]);
    expect(runner.batches).toEqual([1, 2]);
  });
});

/** RowSumRunner that also parses bodies: each is JSON rows of 3 numbers ("bad..." is refused with a 400). */
class BodyRowSumRunner extends RowSumRunner {
  readonly packs: number[][] = [];
  async runBodies(bodies: PackedBodies, shape: BodyShape): Promise<{ outputs: Outputs; results: BodyResult[] }> {
    this.packs.push(bodies.lengths);
    const results: BodyResult[] = [];
    const rows: number[][] = [];
    let at = 0;
    for (const length of bodies.lengths) {
      const text = Buffer.from(bodies.bytes, at, length).toString();
      at += length;
      if (text.startsWith('bad')) {
        results.push({ status: 400, message: `refused ${text}`, reason: 'invalid_input' });
        continue;
      }
      const parsed = JSON.parse(text) as number[][];
      rows.push(...parsed);
      results.push({ rows: parsed.length });
    }
    if (rows.length === 0) return { outputs: {}, results };
    const outputs = await this.run({ [shape.input]: { dims: [rows.length, shape.features], data: Float32Array.from(rows.flat()) } });
    return { outputs, results };
  }
}

const body = (text: string): Uint8Array => Buffer.from(text);
const SHAPE: BodyShape = { input: 'x', features: 3, maxRows: 100 };

describe('Batcher with bodies parsed by the runner', () => {
  it('batches bodies that arrive while the runner is busy into one packed buffer; each gets its own rows, outputs or error', async () => {
    const runner = new BodyRowSumRunner(20);
    const sizes: number[] = [];
    const b = new Batcher(runner, { maxBatchSize: 64, maxBatchDelayMs: 1, batchable: true, onBatch: (n) => sizes.push(n) });
    const texts = ['[[1,1,1]]', '[[2,2,2],[3,3,3]]', 'bad one', '[[4,4,4]]'];
    const outcomes = await Promise.all(texts.map((t, i) => b.submitBody(body(t), i + 1, SHAPE)));
    expect(runner.packs).toEqual([[9], [17, 7, 9]]);
    expect(sizes).toEqual([1, 3]);
    expect(outcomes[2]).toEqual({ status: 400, message: 'refused bad one', reason: 'invalid_input' });
    const ok = outcomes.filter((o): o is { rows: number; outputs: Outputs } => 'rows' in o);
    expect(ok.map((o) => [o.rows, sums(o.outputs['sum']?.data)])).toEqual([[1, [3]], [2, [6, 9]], [1, [12]]]);
  });

  it('answers a batch of refused bodies without running the model', async () => {
    const runner = new BodyRowSumRunner(1);
    const b = new Batcher(runner, { maxBatchSize: 64, maxBatchDelayMs: 1, batchable: true });
    await expect(b.submitBody(body('bad'), 1, SHAPE)).resolves.toEqual({ status: 400, message: 'refused bad', reason: 'invalid_input' });
    expect(runner.batches).toEqual([]);
  });

  it('keeps bodies and parsed feeds in separate batches', async () => {
    const runner = new BodyRowSumRunner(10);
    const b = new Batcher(runner, { maxBatchSize: 64, maxBatchDelayMs: 1, batchable: true });
    await Promise.all([b.submit(request(1, 1)), b.submitBody(body('[[1,2,3]]'), 1, SHAPE), b.submit(request(1, 1)), b.submitBody(body('[[1,2,3]]'), 1, SHAPE)]);
    expect(runner.packs).toEqual([[9, 9]]);
    expect(runner.batches).toEqual([1, 2, 1]);
  });

  it('fails every body of a failed batch, and refuses bodies when the runner cannot parse them', async () => {
    const runner = new BodyRowSumRunner(5);
    const b = new Batcher(runner, { maxBatchSize: 64, maxBatchDelayMs: 1, batchable: true });
    const first = b.submitBody(body('[[1,1,1]]'), 1, SHAPE);
    const together = [b.submitBody(body('[[-5,1,1]]'), 1, SHAPE), b.submitBody(body('[[1,1,1]]'), 1, SHAPE)];
    await expect(first).resolves.toMatchObject({ rows: 1 });
    for (const p of together) await expect(p).rejects.toThrow('negative row');
    const plain = new Batcher(new RowSumRunner(1), { maxBatchSize: 64, maxBatchDelayMs: 1, batchable: true });
    expect(plain.takesBodies).toBe(false);
    await expect(plain.submitBody(body('[[1,1,1]]'), 1, SHAPE)).rejects.toThrow(/does not parse bodies/);
  });
});
