// Compiles the cluster tooling (node agent, CLI) into `.tern/tooling` with tsc when its sources changed,
// so the node agent can run as its own Node process without depending on `make build`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { StateLayout } from './paths.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Returns the directory of compiled tooling, compiling `test/cluster` first when stale. */
export function ensureTooling(root: string, layout: StateLayout): string {
  const src = path.join(root, 'test', 'cluster');
  const stamp = path.join(layout.tooling, '.stamp');
  const stampTime = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
  if (stampTime < newestMtime(src)) {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', path.join(src, 'tsconfig.tooling.json')], { cwd: root, stdio: 'pipe' });
    } catch (err) {
      const out = (err as { stdout?: Buffer }).stdout?.toString() ?? String(err);
      throw new Error(`compiling test/cluster tooling failed:\n${out}`);
    }
    fs.writeFileSync(stamp, new Date().toISOString());
  }
  return layout.tooling;
}
