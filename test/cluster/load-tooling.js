// Compiles test/cluster into .tern/tooling when a source is newer than the last build (`node test/cluster/load-tooling.js`
// does only that, for make); loadTooling() also imports the compiled jest-hooks.js for the jest global hooks.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const out = path.join(root, '.tern', 'tooling');

function newestTs(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestTs(full));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Compiles the tooling when stale. */
export function compileTooling() {
  const stamp = path.join(out, '.stamp');
  if (!fs.existsSync(stamp) || fs.statSync(stamp).mtimeMs < newestTs(here)) {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', path.join(here, 'tsconfig.tooling.json')], { cwd: root, stdio: 'inherit' });
    fs.writeFileSync(stamp, new Date().toISOString());
  }
}

/** The compiled jest-hooks module. */
export async function loadTooling() {
  compileTooling();
  return import(pathToFileURL(path.join(out, 'jest-hooks.js')).href);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) compileTooling();
