/**
 * `make dashboards-diff`: the panels and queries (and every other JSON leaf) that differ between two
 * directories of dashboard JSON (see diff.ts). Exits 1 when panels or queries differ.
 * Usage: node dist/charts/dashboards/compare.js OLD_DIR NEW_DIR
 */
import { readFileSync, readdirSync } from 'node:fs';
import { diffDashboards, type Json } from './diff.js';

function load(dir: string): Map<string, Json> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return new Map(files.map((f) => [f, JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as Json]));
}

const [oldDir, newDir] = process.argv.slice(2);
if (oldDir === undefined || newDir === undefined) {
  process.stderr.write('usage: node dist/charts/dashboards/compare.js OLD_DIR NEW_DIR\n');
  process.exit(2);
}
const { same, lines } = diffDashboards(load(oldDir), load(newDir));
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(same ? 0 : 1);
