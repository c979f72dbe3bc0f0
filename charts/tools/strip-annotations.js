// Reads a Prometheus rules file on stdin and writes it without annotations (for `promtool test rules`).
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';

const rules = parse(readFileSync(0, 'utf8'));
for (const group of rules.groups ?? []) for (const rule of group.rules ?? []) delete rule.annotations;
process.stdout.write(stringify(rules));
