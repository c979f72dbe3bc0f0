// Turns trained species-MLP weights into an ONNX model.
//
// Model I/O (every version):
//   input  `features`      float32 [batch, 16]
//   output `probabilities` float32 [batch, 36]  softmax over the species in SPECIES order
//   output `target_score`  float32 [batch]      sigmoid "is this a target species at all"
// Metadata props: `tern.labels` (JSON array of class names), `tern.target_output`, `tern.probabilities_output`.
import { FEATURES, SPECIES } from './dataset.js';
import type { MlpWeights } from './mlp.js';
import { encodeOnnxModel } from './onnx-writer.js';

/** Builds the ONNX bytes for one trained version. */
export function speciesModelOnnx(w: MlpWeights, version: string, docString: string): Uint8Array {
  return encodeOnnxModel({
    graphName: `species-${version}`,
    producerName: 'tern-models',
    producerVersion: version,
    docString,
    opsetVersion: 13,
    inputs: [{ name: 'features', dims: ['batch', FEATURES], docString: 'feature vector of one camera crop' }],
    outputs: [
      { name: 'probabilities', dims: ['batch', SPECIES.length], docString: 'species probabilities' },
      { name: 'target_score', dims: ['batch'], docString: 'probability that the input is a target species' },
    ],
    initializers: [
      { name: 'w1', dims: [w.inputs, w.hidden], data: w.w1 },
      { name: 'b1', dims: [w.hidden], data: w.b1 },
      { name: 'w2', dims: [w.hidden, w.classes], data: w.w2 },
      { name: 'b2', dims: [w.classes], data: w.b2 },
      { name: 'w3', dims: [w.hidden, 1], data: w.w3 },
      { name: 'b3', dims: [1], data: w.b3 },
      { name: 'flat', dims: [1], data: [-1] },
    ],
    nodes: [
      { opType: 'Gemm', inputs: ['features', 'w1', 'b1'], outputs: ['hidden_pre'] },
      { opType: 'Relu', inputs: ['hidden_pre'], outputs: ['hidden'] },
      { opType: 'Gemm', inputs: ['hidden', 'w2', 'b2'], outputs: ['logits'] },
      { opType: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: [{ name: 'axis', i: 1 }] },
      { opType: 'Gemm', inputs: ['hidden', 'w3', 'b3'], outputs: ['target_logit'] },
      { opType: 'Sigmoid', inputs: ['target_logit'], outputs: ['target_2d'] },
      { opType: 'Reshape', inputs: ['target_2d', 'flat'], outputs: ['target_score'] },
    ],
    metadata: [
      ['tern.labels', JSON.stringify(SPECIES)],
      ['tern.probabilities_output', 'probabilities'],
      ['tern.target_output', 'target_score'],
    ],
  });
}
