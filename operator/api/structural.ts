/**
 * Turns the TypeBox schema into plain OpenAPI/JSON Schema objects, two ways:
 *  - `crd`: a Kubernetes structural schema (crds/modelrelease.yaml). No additionalProperties: false
 *    (the apiserver prunes unknown fields; `kubectl apply` rejects them with field validation Strict),
 *    no properties beside additionalProperties, OpenAPI v3.0's boolean exclusiveMinimum.
 *  - `offline`: the same tree for ajv, keeping additionalProperties: false so unknown fields are errors.
 * In both, unions of literals become enums and Records become additionalProperties. Keys come out in
 * one fixed order, so the generated YAML is deterministic and reads top-down.
 */
import type { TSchema } from '@sinclair/typebox';

/** A JSON Schema / OpenAPI v3 node as a plain object. */
export type JsonSchema = { [key: string]: unknown };
export type Flavor = 'crd' | 'offline';

const KEY_ORDER = [
  'description', 'type', 'format', 'enum', 'default', 'pattern', 'minLength', 'maxLength', 'minimum', 'exclusiveMinimum',
  'maximum', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'properties', 'additionalProperties', 'items',
  'required', 'x-kubernetes-validations',
];
const ANNOTATIONS_ALLOWED = new Set(KEY_ORDER);

/** Converts a TypeBox (or plain JSON Schema) node; throws on constructs a CRD cannot express. */
export function toPlainSchema(schema: TSchema | JsonSchema, flavor: Flavor, path = '#'): JsonSchema {
  // JSON round trip drops TypeBox's symbol keys ([Kind], [OptionalKind]) and copies the tree.
  return convert(JSON.parse(JSON.stringify(schema)) as JsonSchema, flavor, path);
}

function convert(node: JsonSchema, flavor: Flavor, path: string): JsonSchema {
  const out: JsonSchema = { ...node };
  if (Array.isArray(out.anyOf)) {
    Object.assign(out, literalUnionToEnum(out.anyOf as JsonSchema[], path));
    delete out.anyOf;
  }
  if ('const' in out) {
    out.enum = [out.const];
    out.type ??= typeof out.const;
    delete out.const;
  }
  const patternProperties = out.patternProperties as Record<string, JsonSchema> | undefined;
  if (patternProperties !== undefined) {
    const values = Object.values(patternProperties);
    if (values.length !== 1) throw new Error(`${path}: only Record<string, T> maps are supported`);
    out.additionalProperties = values[0];
    delete out.patternProperties;
  }
  if (out.properties !== undefined) {
    const properties: JsonSchema = {};
    for (const [name, child] of Object.entries(out.properties as Record<string, JsonSchema>)) {
      properties[name] = convert(child, flavor, `${path}/properties/${name}`);
    }
    out.properties = properties;
  }
  if (typeof out.additionalProperties === 'object' && out.additionalProperties !== null) {
    out.additionalProperties = convert(out.additionalProperties as JsonSchema, flavor, `${path}/additionalProperties`);
  }
  if (Array.isArray(out.required) && out.properties !== undefined) {
    // A field with a default is always there after defaulting; listing it as required would also make
    // the apiserver reject parent defaults such as `{}` (it validates default values before defaulting).
    const properties = out.properties as Record<string, JsonSchema>;
    out.required = (out.required as string[]).filter((name) => properties[name]?.default === undefined);
    if ((out.required as string[]).length === 0) delete out.required;
  }
  if (out.items !== undefined) out.items = convert(out.items as JsonSchema, flavor, `${path}/items`);
  if (flavor === 'crd') crdOnly(out, path);
  for (const key of Object.keys(out)) {
    if (!ANNOTATIONS_ALLOWED.has(key)) throw new Error(`${path}: keyword "${key}" has no place in the generated schema`);
  }
  return ordered(out);
}

function literalUnionToEnum(variants: JsonSchema[], path: string): JsonSchema {
  const values = variants.map((v) => {
    if (!('const' in v)) throw new Error(`${path}: only unions of literals are supported`);
    return v.const;
  });
  const types = new Set(values.map((v) => typeof v));
  if (types.size !== 1) throw new Error(`${path}: a union of literals must have one type`);
  return { type: [...types][0], enum: values };
}

function crdOnly(out: JsonSchema, path: string): void {
  if (out.additionalProperties === false) delete out.additionalProperties;
  if (typeof out.exclusiveMinimum === 'number') {
    if (out.minimum !== undefined) throw new Error(`${path}: both minimum and exclusiveMinimum`);
    out.minimum = out.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (out.properties !== undefined && typeof out.additionalProperties === 'object') {
    // A structural schema cannot have both: keep the map, document the named keys in the description
    // (their ranges are CEL rules, their presence is `required`).
    const named = Object.entries(out.properties as Record<string, JsonSchema>)
      .map(([name, child]) => `${name}: ${String(child.description ?? '')}`)
      .join(' ');
    out.description = `${String(out.description ?? '')} Keys: ${named}`.trim();
    delete out.properties;
  }
}

function ordered(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const key of KEY_ORDER) if (node[key] !== undefined) out[key] = node[key];
  return out;
}
