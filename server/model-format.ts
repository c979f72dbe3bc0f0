// Is this file an ONNX model? Before onnxruntime sees it: a checkpoint, pickle, archive or error page gets a
// reason that says what the file is and that tern-server loads ONNX only (onnxruntime's own error is opaque).
// Reads the first bytes and walks the top-level protobuf fields with positional reads (never the whole file).
import { open } from 'node:fs/promises';

/** Known formats by their first bytes. */
const MAGIC: Array<[(b: Buffer) => boolean, string]> = [
  [(b) => b.subarray(0, 4).toString('latin1') === 'PK\x03\x04', 'a zip archive (a PyTorch .pt/.ckpt checkpoint, a .keras file or similar)'],
  [(b) => b[0] === 0x80 && (b[1] ?? 0) >= 2 && (b[1] ?? 0) <= 5, 'a Python pickle (a PyTorch or Lightning .ckpt, a .pkl or .joblib file)'],
  [(b) => b.subarray(0, 8).toString('latin1') === '\x89HDF\r\n\x1a\n', 'an HDF5 file (a Keras .h5 model)'],
  [(b) => b.subarray(0, 4).toString('latin1') === 'GGUF', 'a GGUF file'],
  [(b) => b.subarray(4, 8).toString('latin1') === 'TFL3', 'a TensorFlow Lite model'],
  [(b) => b.length >= 10 && b[8] === 0x7b && b.readBigUInt64LE(0) < 100_000_000n, 'a safetensors file'],
  [(b) => b.length > 0 && b.subarray(0, 64).every((c) => c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c < 0x7f)), 'text'],
];

/** ModelProto fields an ONNX file has at the top level: ir_version (1, varint) and graph (7, bytes). */
const IR_VERSION = 1;
const GRAPH = 7;

/** A varint at `pos` of `buf`: [value, next position], or undefined when it does not end inside buf. */
function varint(buf: Buffer, pos: number): [number, number] | undefined {
  let result = 0;
  for (let shift = 0; pos < buf.length && shift < 64; shift += 7) {
    const b = buf[pos++] as number;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, pos];
  }
  return undefined;
}

/** What is wrong with the top-level protobuf structure of the file, or undefined when it looks like a ModelProto. */
async function walkTopLevel(path: string): Promise<string | undefined> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(32);
    const seen = new Set<number>();
    for (let pos = 0; pos < size; ) {
      const { bytesRead } = await fh.read(head, 0, head.length, pos);
      const buf = head.subarray(0, bytesRead);
      const tag = varint(buf, 0);
      if (!tag) return `its bytes at offset ${pos} are not a protobuf field`;
      const field = Math.floor(tag[0] / 8);
      const wire = tag[0] % 8;
      const value = varint(buf, tag[1]);
      if (field < 1 || (wire !== 0 && wire !== 2) || !value) return `its bytes at offset ${pos} are not a ModelProto field`;
      seen.add(field);
      pos += value[1] + (wire === 2 ? value[0] : 0);
      if (pos > size) return `a field at its top level runs past the end of the file (truncated?)`;
    }
    if (!seen.has(IR_VERSION) || !seen.has(GRAPH)) return 'it has no ir_version or no graph';
    return undefined;
  } finally {
    await fh.close();
  }
}

/**
 * Why the file at `path` is not an ONNX model ("a Python pickle (...)", "text starting with ..."), or
 * undefined when it looks like one (onnxruntime still has the last word).
 */
export async function notOnnxReason(path: string): Promise<string | undefined> {
  const fh = await open(path, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(64);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (head.length === 0) return 'an empty file';
  for (const [matches, what] of MAGIC) {
    if (matches(head)) return what === 'text' ? `text starting with ${JSON.stringify(head.subarray(0, 24).toString('latin1'))}` : what;
  }
  const problem = await walkTopLevel(path);
  return problem === undefined ? undefined : `not an ONNX ModelProto (${problem})`;
}
