/**
 * A parser for the Prometheus text exposition format (version 0.0.4), enough for what tern-server's
 * prom-client writes: comments, HELP/TYPE lines, `name{label="value",...} value [timestamp]`, escaped
 * label values and the special values NaN, +Inf and -Inf.
 */

/** One sample line. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parse a float as the exposition format writes it (NaN, +Inf, -Inf in any case: prom-client writes "Nan"). */
export function parsePromValue(text: string): number {
  switch (text.toLowerCase()) {
    case '+inf':
    case 'inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'nan':
      return NaN;
    default:
      return text.trim() === '' ? NaN : Number(text);
  }
}

function parseLabels(line: string, start: number, where: string): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start; // just after '{'
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
    if (!nameMatch) throw new Error(`${where}: expected a label name at column ${i + 1}`);
    const name = nameMatch[0];
    i += name.length;
    while (line[i] === ' ') i++;
    if (line[i] !== '=' || line[i + 1] !== '"') throw new Error(`${where}: expected ="..." after label ${name}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error(`${where}: unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    labels[name] = value;
    i++; // closing quote
  }
}

/**
 * Parse a whole exposition. Lines that are empty or comments are skipped.
 * @throws Error naming the line when a sample line is malformed.
 */
export function parsePromText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `metrics line ${n + 1}`;
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`${where}: expected a metric name`);
    const name = nameMatch[0];
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(line, name.length + 1, where);
      labels = parsed.labels;
      rest = line.slice(parsed.end);
    }
    const fields = rest.trim().split(/\s+/);
    const value = parsePromValue(fields[0] ?? '');
    if (Number.isNaN(value) && fields[0]?.toLowerCase() !== 'nan') throw new Error(`${where}: "${fields[0] ?? ''}" is not a sample value`);
    samples.push({ name, labels, value });
  }
  return samples;
}
