// TypeBox -> structural schema: each conversion, in both flavors.
import { Type } from '@sinclair/typebox';
import { toPlainSchema } from './structural.js';

describe('toPlainSchema', () => {
  it('turns a union of literals into an enum and keeps the default', () => {
    const schema = Type.Union([Type.Literal('a'), Type.Literal('b')], { default: 'a', description: 'x' });
    expect(toPlainSchema(schema, 'crd')).toEqual({ description: 'x', type: 'string', enum: ['a', 'b'], default: 'a' });
  });

  it('turns Record<string, T> into additionalProperties', () => {
    expect(toPlainSchema(Type.Record(Type.String(), Type.Integer()), 'crd')).toEqual({ type: 'object', additionalProperties: { type: 'integer' } });
  });

  it('drops additionalProperties: false for the CRD only', () => {
    const schema = Type.Object({ a: Type.String() }, { additionalProperties: false });
    expect(toPlainSchema(schema, 'crd')).toEqual({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] });
    expect(toPlainSchema(schema, 'offline').additionalProperties).toBe(false);
  });

  it('writes exclusiveMinimum the OpenAPI v3.0 way for the CRD', () => {
    expect(toPlainSchema(Type.Number({ exclusiveMinimum: 0 }), 'crd')).toEqual({ type: 'number', minimum: 0, exclusiveMinimum: true });
    expect(toPlainSchema(Type.Number({ exclusiveMinimum: 0 }), 'offline')).toEqual({ type: 'number', exclusiveMinimum: 0 });
  });

  it('keeps only the map when properties sit beside additionalProperties, documenting the named keys', () => {
    const schema = Type.Object({ tpr: Type.Number({ description: 'rate' }) }, { additionalProperties: Type.Number(), description: 'snapshot' });
    expect(toPlainSchema(schema, 'crd')).toEqual({
      description: 'snapshot Keys: tpr: rate',
      type: 'object',
      additionalProperties: { type: 'number' },
      required: ['tpr'],
    });
  });

  it('does not list fields with a default as required', () => {
    const schema = Type.Object({ a: Type.Integer({ default: 1 }), b: Type.Integer() });
    expect(toPlainSchema(schema, 'crd').required).toEqual(['b']);
  });

  it('refuses what a structural schema cannot express', () => {
    expect(() => toPlainSchema(Type.Union([Type.String(), Type.Number()]), 'crd')).toThrow('only unions of literals');
    expect(() => toPlainSchema(Type.Object({}, { title: 'no' }), 'crd')).toThrow('keyword "title"');
  });
});
