// What the server knows about the loaded model: its tensors (for the Open Inference Protocol) and, when
// it is a classifier, how to read it for /v1/predict (input, probabilities, target score, labels).

/** One input or output tensor as onnxruntime describes it; symbolic dims are strings. */
export interface TensorSpec {
  name: string;
  /** onnxruntime type name (float32, int64, ...). */
  type: string;
  shape: Array<number | string>;
}

/** How /v1/predict reads a classifier; absent when the model does not fit that shape. */
export interface ClassifierView {
  input: string;
  features: number;
  probabilities: string;
  /** Output holding the "is this a target" score; undefined means max probability is used. */
  targetOutput: string | undefined;
  labels: string[];
}

/** The loaded model. */
export interface ModelSpec {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** True when every input and output has a free first (batch) dimension, so requests can be batched. */
  batchable: boolean;
  classifier: ClassifierView | undefined;
}

const isDynamic = (d: number | string | undefined): boolean => typeof d === 'string' || (typeof d === 'number' && d < 0);

/** Builds the spec from onnxruntime's metadata and the ONNX metadata_props. */
export function buildModelSpec(inputs: TensorSpec[], outputs: TensorSpec[], metadata: Map<string, string>): ModelSpec {
  const batchable = [...inputs, ...outputs].every((t) => t.shape.length > 0 && isDynamic(t.shape[0]));
  return { inputs, outputs, batchable, classifier: classifierView(inputs, outputs, metadata) };
}

function classifierView(inputs: TensorSpec[], outputs: TensorSpec[], metadata: Map<string, string>): ClassifierView | undefined {
  const input = inputs[0];
  if (inputs.length !== 1 || !input || input.type !== 'float32' || input.shape.length !== 2) return undefined;
  const features = input.shape[1];
  if (typeof features !== 'number' || features <= 0) return undefined;
  const probName = metadata.get('tern.probabilities_output');
  const prob = outputs.find((o) => o.name === probName) ?? outputs.find((o) => o.type === 'float32' && o.shape.length === 2);
  if (!prob) return undefined;
  const targetName = metadata.get('tern.target_output');
  const target = outputs.find((o) => o.name === targetName && o.type === 'float32');
  let labels: string[] = [];
  try {
    const parsed: unknown = JSON.parse(metadata.get('tern.labels') ?? '[]');
    if (Array.isArray(parsed)) labels = parsed.map(String);
  } catch {
    labels = [];
  }
  const classes = prob.shape[1];
  if (typeof classes === 'number' && labels.length !== classes) {
    labels = Array.from({ length: classes }, (_, i) => labels[i] ?? `class_${i}`);
  }
  return { input: input.name, features, probabilities: prob.name, targetOutput: target?.name, labels };
}
