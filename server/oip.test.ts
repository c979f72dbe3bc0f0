// parseInferRequest on hostile tensors for a model with free dimensions: shapes too large to allocate and data
// nested deeper than the shape are 4xx, never an exception of the runtime.
import { HttpError } from './http-error.js';
import type { ModelSpec } from './model-spec.js';
import { parseInferRequest } from './oip.js';

const spec: ModelSpec = {
  inputs: [{ name: 'x', type: 'float32', shape: ['batch', 'n'] }],
  outputs: [{ name: 'y', type: 'float32', shape: ['batch'] }],
  batchable: true,
  classifier: undefined,
};

const refusal = (doc: unknown): { status: number; message: string } | undefined => {
  try {
    parseInferRequest(doc, undefined, spec, 4096);
    return undefined;
  } catch (err) {
    if (err instanceof HttpError) return { status: err.status, message: err.message };
    throw err;
  }
};

describe('parseInferRequest', () => {
  it.each([[[1, 1e12]], [[1, 1e300]], [[2, 2 ** 40]]])('refuses shape %j, too large to hold, with a 413', (shape) => {
    expect(refusal({ inputs: [{ name: 'x', shape, datatype: 'FP32', data: [1, 2] }] })).toEqual({
      status: 413, message: expect.stringMatching(/^input x: shape \[.*\] has .* values; at most 67108864 per input$/),
    });
  });

  it('takes data flat or nested once per dimension, and no deeper', () => {
    expect(refusal({ inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [[1, 2], [3, 4]] }] })).toBeUndefined();
    expect(refusal({ inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] }] })).toBeUndefined();
    expect(refusal({ inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [[[1, 2]], [3, 4]] }] })?.message).toMatch(/nested deeper than its shape \[2,2\]/);
  });
});

describe('parseInferRequest echoes', () => {
  it('cuts a long shape in its messages and refuses an output asked for twice', () => {
    const shape = Array.from({ length: 100_000 }, () => 1);
    expect(refusal({ inputs: [{ name: 'x', shape, datatype: 'FP32', data: [1] }] })?.message.length).toBeLessThan(300);
    const outputs = Array.from({ length: 3 }, () => ({ name: 'y' }));
    expect(refusal({ inputs: [{ name: 'x', shape: [1, 1], datatype: 'FP32', data: [1] }], outputs })).toEqual({ status: 400, message: 'output "y" asked for twice' });
  });
});
