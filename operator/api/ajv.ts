/**
 * ajv instances with formats (date-time, uri, ...), shared by ModelRelease and registry validation.
 * Keeps the CommonJS/ESM interop of ajv-formats in one place.
 */
import { Ajv, type Options } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';

type FormatsPlugin = (ajv: Ajv | Ajv2020) => unknown;
// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is module.exports.
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ?? formatsModule) as unknown as FormatsPlugin;

/** An ajv (draft-07) for the schemas generated from TypeBox; knows the Kubernetes CEL annotation. */
export function newSchemaAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, ...options });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-kubernetes-validations', schemaType: 'array' });
  return ajv;
}

/** An ajv for JSON Schema draft 2020-12 files (models/registry.schema.json). */
export function newAjv2020(options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, ...options });
  addFormats(ajv);
  return ajv;
}
