// The generated CRD: up to date with the schema, structural, documented, and every CEL rule has its twin.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { modelReleaseCrd, renderCrdYaml } from './crd.js';
import { RULES, twinOf, type CelValidation } from './rules.js';
import type { JsonSchema } from './structural.js';

const CRD_FILE = 'crds/modelrelease.yaml';
type Visit = (node: JsonSchema, path: string) => void;

function walk(node: JsonSchema, path: string, visit: Visit): void {
  visit(node, path);
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) walk(child, `${path}.${name}`, visit);
  if (typeof node.additionalProperties === 'object') walk(node.additionalProperties as JsonSchema, `${path}[*]`, visit);
  if (node.items !== undefined) walk(node.items as JsonSchema, `${path}[]`, visit);
}

const crd = modelReleaseCrd() as { spec: { versions: { schema: { openAPIV3Schema: JsonSchema }; additionalPrinterColumns: { name: string; priority?: number }[] }[] } };
const version = crd.spec.versions[0]!;
const root = version.schema.openAPIV3Schema;

describe('crds/modelrelease.yaml', () => {
  it('is up to date with operator/api (run `make crds` when this fails)', () => {
    expect(readFileSync(CRD_FILE, 'utf8')).toBe(renderCrdYaml());
  });

  it('renders the same bytes every time', () => {
    expect(renderCrdYaml()).toBe(renderCrdYaml());
  });

  it('parses back to the generated object', () => {
    expect(parse(readFileSync(CRD_FILE, 'utf8'))).toEqual(modelReleaseCrd());
  });

  it('is structural: no additionalProperties false, never properties beside additionalProperties, no anyOf/const', () => {
    walk(root, '', (node, path) => {
      expect([path, node.additionalProperties]).not.toEqual([path, false]);
      if (node.properties !== undefined) expect([path, typeof node.additionalProperties]).toEqual([path, 'undefined']);
      for (const key of ['anyOf', 'oneOf', 'const', 'patternProperties', '$id']) expect([path, key in node]).toEqual([path, false]);
      if (path !== '' && path !== '.metadata' && path !== '.metadata.name') expect([path, typeof node.type]).toEqual([path, 'string']);
    });
  });

  it('describes every field of spec and status (kubectl explain)', () => {
    const undocumented: string[] = [];
    for (const top of ['spec', 'status']) {
      walk((root.properties as Record<string, JsonSchema>)[top]!, top, (node, path) => {
        if (typeof node.description !== 'string' || node.description.length < 3) undocumented.push(path);
      });
    }
    expect(undocumented).toEqual([]);
  });

  it('has the printer columns and the status subresource', () => {
    expect(version.additionalPrinterColumns.map((c) => c.name)).toEqual(expect.arrayContaining(['Phase', 'Stable', 'Candidate', 'Weight', 'Age', 'Message']));
    expect(version.additionalPrinterColumns.find((c) => c.name === 'Message')?.priority).toBe(1);
    expect((crd.spec.versions[0] as unknown as { subresources: unknown }).subresources).toEqual({ status: {} });
  });

  it('carries every rule of the table, each with a TypeScript twin', () => {
    const used = new Set<string>();
    walk(root, '', (node) => {
      for (const v of (node['x-kubernetes-validations'] as CelValidation[] | undefined) ?? []) {
        expect(twinOf(v.rule).message).toBe(v.message);
        used.add(v.rule);
      }
    });
    expect([...used].sort()).toEqual(Object.values(RULES).map((r) => r.rule).sort());
  });

  it('keeps defaults, e.g. the runbook steps', () => {
    const rollout = ((root.properties as Record<string, JsonSchema>).spec!.properties as Record<string, JsonSchema>).rollout!;
    const steps = (rollout.properties as Record<string, JsonSchema>).steps!;
    expect((steps.default as { setWeight: number }[]).map((s) => s.setWeight)).toEqual([1, 5, 25, 50, 100]);
  });
});
