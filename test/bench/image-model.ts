// An image-sized ONNX model for the benchmark: input `image` float32 [batch, 3, 48, 192] (a text-line crop),
// three convolutions (3->32 /2, 32->64 /2, 64->64), global pooling and a 10-way softmax: about 30 M
// multiply-adds per image, the scale of a small OCR/recognition head. Random (seeded) weights: only the cost matters.
import { encodeOnnxModel } from '../../models/onnx-writer.js';
import { Prng } from '../../models/prng.js';

/** Input dims of one image. */
export const IMAGE_DIMS = [3, 48, 192] as const;

/** ONNX bytes of the benchmark image model. */
export function imageModelOnnx(): Uint8Array {
  const rng = new Prng(48192);
  const weights = (n: number, scale: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal() * scale);
  return encodeOnnxModel({
    graphName: 'bench-image', producerName: 'tern-bench', producerVersion: '1', opsetVersion: 13,
    inputs: [{ name: 'image', dims: ['batch', ...IMAGE_DIMS] }],
    outputs: [{ name: 'probabilities', dims: ['batch', 10] }],
    initializers: [
      { name: 'c1w', dims: [32, 3, 3, 3], data: weights(32 * 27, 0.2) },
      { name: 'c1b', dims: [32], data: new Float32Array(32) },
      { name: 'c2w', dims: [64, 32, 3, 3], data: weights(64 * 288, 0.1) },
      { name: 'c2b', dims: [64], data: new Float32Array(64) },
      { name: 'c3w', dims: [64, 64, 3, 3], data: weights(64 * 576, 0.05) },
      { name: 'c3b', dims: [64], data: new Float32Array(64) },
      { name: 'fw', dims: [64, 10], data: weights(640, 0.2) },
      { name: 'fb', dims: [10], data: new Float32Array(10) },
    ],
    nodes: [
      { opType: 'Conv', inputs: ['image', 'c1w', 'c1b'], outputs: ['c1'], attributes: [{ name: 'strides', ints: [2, 2] }, { name: 'pads', ints: [1, 1, 1, 1] }, { name: 'kernel_shape', ints: [3, 3] }] },
      { opType: 'Relu', inputs: ['c1'], outputs: ['r1'] },
      { opType: 'Conv', inputs: ['r1', 'c2w', 'c2b'], outputs: ['c2'], attributes: [{ name: 'strides', ints: [2, 2] }, { name: 'pads', ints: [1, 1, 1, 1] }, { name: 'kernel_shape', ints: [3, 3] }] },
      { opType: 'Relu', inputs: ['c2'], outputs: ['r2'] },
      { opType: 'Conv', inputs: ['r2', 'c3w', 'c3b'], outputs: ['c3'], attributes: [{ name: 'pads', ints: [1, 1, 1, 1] }, { name: 'kernel_shape', ints: [3, 3] }] },
      { opType: 'Relu', inputs: ['c3'], outputs: ['r3'] },
      { opType: 'GlobalAveragePool', inputs: ['r3'], outputs: ['pool'] },
      { opType: 'Flatten', inputs: ['pool'], outputs: ['flat'] },
      { opType: 'Gemm', inputs: ['flat', 'fw', 'fb'], outputs: ['logits'] },
      { opType: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: [{ name: 'axis', i: 1 }] },
    ],
  });
}
