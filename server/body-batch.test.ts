// parseBodies (the inference workers' parsing of packed /v1/predict bodies): each body gets its own rows or
// error, and one that throws something unexpected fails alone.
import type { PackedBodies } from './batcher.js';
import { parseBodies } from './body-batch.js';
import { parsePredictBody } from './predict-body.js';

function pack(texts: string[]): PackedBodies {
  const buffers = texts.map((t) => Buffer.from(t));
  const bytes = new Uint8Array(buffers.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of buffers) {
    bytes.set(b, at);
    at += b.length;
  }
  return { bytes: bytes.buffer, lengths: buffers.map((b) => b.length) };
}

describe('parseBodies', () => {
  it('gives every body its rows or its own error, and joins the accepted rows in order', () => {
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    const { rows, data, results } = parseBodies(pack(['{"instances":[[1,2],[3,4]]}', `{"instances":[[${deep},2]]}`, '{"features":[5,6]}']), 2, 10);
    expect(rows).toBe(3);
    expect(Array.from(data ?? [])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(results).toEqual([{ rows: 2 }, { status: 400, message: 'instance 0, value 0 is an array (of 1); expected a finite number', reason: 'invalid_input' }, { rows: 1 }]);
  });

  it('fails only the body whose parsing throws something other than an HttpError', () => {
    const parse = (body: Buffer, features: number, maxRows: number) => {
      if (body.includes('boom')) throw new RangeError('Maximum call stack size exceeded');
      return parsePredictBody(body, features, maxRows);
    };
    const { rows, results } = parseBodies(pack(['{"features":[1,2]}', '{"features":["boom",2]}']), 2, 10, parse);
    expect(rows).toBe(1);
    expect(results[1]).toEqual({ status: 500, message: 'internal error while parsing the body: Maximum call stack size exceeded', reason: 'internal_error' });
  });

  it('gives no data when no body was accepted', () => {
    expect(parseBodies(pack(['{}']), 2, 10)).toMatchObject({ rows: 0, data: undefined });
  });
});
