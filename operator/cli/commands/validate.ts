/** `tern validate FILE...`: validates ModelRelease manifests offline (multi-document YAML or JSON). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { GROUP } from '../../api/model-release-schema.js';
import { validateManifest, type ValidationError } from '../../api/validate.js';
import { EXIT, problemLine, type Command, type CliIo } from '../command.js';

/** Validates one file; prints problems; returns how many documents were ModelReleases and whether all were valid. */
function validateFile(file: string, io: CliIo): { checked: number; skipped: number; ok: boolean } {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    io.stderr(problemLine(file, '', `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`));
    return { checked: 0, skipped: 0, ok: false };
  }
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    documents = parseAllDocuments(text);
  } catch (error) {
    io.stderr(problemLine(file, '', `is not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`));
    return { checked: 0, skipped: 0, ok: false };
  }
  const many = documents.length > 1;
  let checked = 0;
  let skipped = 0;
  let ok = true;
  documents.forEach((doc, i) => {
    const label = many ? `${file}#${i + 1}` : file;
    if (doc.errors.length > 0) {
      ok = false;
      for (const e of doc.errors) io.stderr(problemLine(label, '', `is not valid YAML: ${e.message.split('\n')[0] ?? ''}`));
      return;
    }
    let value: unknown;
    try {
      // yaml refuses documents whose aliases expand without bound (a "billion laughs" file) by throwing.
      value = doc.toJS();
    } catch (error) {
      ok = false;
      io.stderr(problemLine(label, '', `is not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`));
      return;
    }
    if (value === null || value === undefined) return; // an empty document (e.g. a trailing ---)
    const apiVersion = typeof value === 'object' ? (value as { apiVersion?: unknown }).apiVersion : undefined;
    if (typeof apiVersion === 'string' && !apiVersion.startsWith(`${GROUP}/`)) {
      skipped += 1; // another kind of object in a GitOps folder: not ours to judge
      return;
    }
    checked += 1;
    const problems: ValidationError[] = validateManifest(value);
    for (const e of problems) io.stdout(problemLine(label, e.pointer, e.message));
    if (problems.length > 0) ok = false;
  });
  return { checked, skipped, ok };
}

export const validate: Command = {
  path: ['validate'],
  summary: 'Validate ModelRelease manifests offline with the CRD\'s schema and rules (for CI)',
  argsUsage: 'FILE...',
  minArgs: 1,
  maxArgs: Infinity,
  options: {},
  description:
    'Each file may hold several YAML documents (---) or JSON. Documents of other API groups are skipped. Problems are printed as `FILE: /json/pointer: message` (`FILE#N` for the N-th document of a multi-document file); exit 1 when there is any.',
  run({ args, io }) {
    let allOk = true;
    for (const file of args) {
      const { checked, skipped, ok } = validateFile(file, io);
      allOk &&= ok;
      if (ok) io.stdout(`${file}: ok (${checked} ModelRelease${checked === 1 ? '' : 's'}${skipped ? `, ${skipped} other document(s) skipped` : ''})\n`);
    }
    return Promise.resolve(allOk ? EXIT.ok : EXIT.invalid);
  },
};
