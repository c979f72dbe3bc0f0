// notOnnxReason: real ONNX files pass; checkpoints, pickles, archives, text and truncated files are named.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notOnnxReason } from './model-format.js';

const MODEL = new URL('../models/species/species-1.1.0.onnx', import.meta.url).pathname;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tern-model-format-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, bytes: Buffer | string): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

describe('notOnnxReason', () => {
  it('accepts a real ONNX model', async () => {
    expect(await notOnnxReason(MODEL)).toBeUndefined();
  });

  it.each([
    ['a Lightning .ckpt (zip)', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100)]), /zip archive .*\.ckpt/],
    ['an old torch.save pickle', Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc]), /Python pickle/],
    ['an HTML error page', '<html><body>Access denied</body></html>', /text starting with "<html>/],
    ['a safetensors file', Buffer.concat([Buffer.from([20, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"a":{"dtype":"F32"}}')]), /safetensors/],
    ['an empty file', '', /empty/],
    ['random bytes', Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]), /not an ONNX ModelProto/],
  ])('names %s', async (_what, bytes, reason) => {
    expect(await notOnnxReason(file('m.bin', bytes))).toMatch(reason);
  });

  it('notices a truncated ONNX file', async () => {
    const bytes = readFileSync(MODEL);
    expect(await notOnnxReason(file('cut.onnx', bytes.subarray(0, bytes.length - 100)))).toMatch(/past the end of the file/);
  });
});

describe('readOnnxMetadataFile', () => {
  it('reads the same metadata from the file as from its bytes', async () => {
    const { readOnnxMetadata, readOnnxMetadataFile } = await import('./onnx-metadata.js');
    const fromFile = await readOnnxMetadataFile(MODEL);
    expect(fromFile.get('tern.labels')).toBeDefined();
    expect(fromFile).toEqual(readOnnxMetadata(readFileSync(MODEL)));
  });
});
