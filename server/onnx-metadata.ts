// Reads ModelProto.metadata_props (field 14) from ONNX bytes with a minimal protobuf reader, because
// onnxruntime-node does not expose custom metadata. Tern models put class labels there (`tern.labels`).
// From a file, only the top-level field headers and the metadata entries are read (not the weights).
import { open } from 'node:fs/promises';

function varint(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++] as number;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7;
  }
}

/** Iterates (field, wireType, value) over one protobuf message; length-delimited values are sub-arrays. */
function* fields(buf: Uint8Array): Generator<[number, number, Uint8Array | number]> {
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = varint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    pos = p1;
    if (wire === 0) {
      const [v, p2] = varint(buf, pos);
      pos = p2;
      yield [field, wire, v];
    } else if (wire === 2) {
      const [len, p2] = varint(buf, pos);
      yield [field, wire, buf.subarray(p2, p2 + len)];
      pos = p2 + len;
    } else if (wire === 5) {
      pos += 4;
    } else if (wire === 1) {
      pos += 8;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
}

/** Adds one StringStringEntryProto (key 1, value 2) to `out`. */
function addEntry(entry: Uint8Array, out: Map<string, string>): void {
  const text = new TextDecoder();
  let key = '';
  let val = '';
  for (const [f, w, v] of fields(entry)) {
    if (w !== 2 || typeof v === 'number') continue;
    if (f === 1) key = text.decode(v);
    if (f === 2) val = text.decode(v);
  }
  out.set(key, val);
}

/** Returns the model's metadata_props as a map (empty when the bytes cannot be read). */
export function readOnnxMetadata(model: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  try {
    for (const [field, wire, value] of fields(model)) {
      if (field !== 14 || wire !== 2 || typeof value === 'number') continue;
      addEntry(value, out);
    }
  } catch {
    // Not a readable ModelProto: onnxruntime will report the real problem when it loads the file.
  }
  return out;
}

/** readOnnxMetadata of the file at `path`, reading only field headers and metadata entries (empty when unreadable). */
export async function readOnnxMetadataFile(path: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(32);
    for (let pos = 0; pos < size; ) {
      const { bytesRead } = await fh.read(head, 0, head.length, pos);
      const buf = head.subarray(0, bytesRead);
      const [tag, p1] = varint(buf, 0);
      const wire = tag & 7;
      if (wire !== 0 && wire !== 2) break;
      const [value, p2] = varint(buf, p1);
      if (wire === 2 && Math.floor(tag / 8) === 14 && value <= size - pos - p2) {
        const entry = Buffer.alloc(value);
        await fh.read(entry, 0, value, pos + p2);
        addEntry(entry, out);
      }
      pos += p2 + (wire === 2 ? value : 0);
    }
  } catch {
    // As readOnnxMetadata: onnxruntime reports what is wrong with the file.
  } finally {
    await fh.close();
  }
  return out;
}
