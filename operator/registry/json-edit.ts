/**
 * Minimal edits to JSON text: set one member of an object, leaving every other byte as it was (key
 * order, spacing, number spelling), so that an edit a tool makes to a file people review is a small,
 * readable diff. The text must be valid JSON (callers parse it first).
 */

/** Where a value lies in the text: [start, end). Objects list their members, arrays their items. */
export type JsonSpan =
  | { kind: 'object'; start: number; end: number; members: { key: string; keyStart: number; value: JsonSpan }[] }
  | { kind: 'array'; start: number; end: number; items: JsonSpan[] }
  | { kind: 'scalar'; start: number; end: number };

/** The spans of the JSON value in `text`. Throws on text that is not JSON. */
export function jsonSpans(text: string): JsonSpan {
  const at = { i: 0 };
  const value = parseValue(text, at);
  skipSpace(text, at);
  if (at.i !== text.length) throw new SyntaxError(`unexpected text at character ${at.i}`);
  return value;
}

function skipSpace(text: string, at: { i: number }): void {
  while (at.i < text.length && ' \t\n\r'.includes(text[at.i] as string)) at.i += 1;
}

function parseValue(text: string, at: { i: number }): JsonSpan {
  skipSpace(text, at);
  const start = at.i;
  const c = text[at.i];
  if (c === '{') {
    at.i += 1;
    const members: { key: string; keyStart: number; value: JsonSpan }[] = [];
    skipSpace(text, at);
    if (text[at.i] === '}') return (at.i += 1), { kind: 'object', start, end: at.i, members };
    for (;;) {
      skipSpace(text, at);
      const keyStart = at.i;
      const key = JSON.parse(text.slice(keyStart, scanString(text, at))) as string;
      skipSpace(text, at);
      expect(text, at, ':');
      members.push({ key, keyStart, value: parseValue(text, at) });
      skipSpace(text, at);
      if (text[at.i] === ',') at.i += 1;
      else return expect(text, at, '}'), { kind: 'object', start, end: at.i, members };
    }
  }
  if (c === '[') {
    at.i += 1;
    const items: JsonSpan[] = [];
    skipSpace(text, at);
    if (text[at.i] === ']') return (at.i += 1), { kind: 'array', start, end: at.i, items };
    for (;;) {
      items.push(parseValue(text, at));
      skipSpace(text, at);
      if (text[at.i] === ',') at.i += 1;
      else return expect(text, at, ']'), { kind: 'array', start, end: at.i, items };
    }
  }
  if (c === '"') return { kind: 'scalar', start, end: scanString(text, at) };
  while (at.i < text.length && !' \t\n\r,]}'.includes(text[at.i] as string)) at.i += 1;
  if (at.i === start) throw new SyntaxError(`expected a value at character ${start}`);
  return { kind: 'scalar', start, end: at.i };
}

/** Moves past the string starting at at.i; returns its end. */
function scanString(text: string, at: { i: number }): number {
  if (text[at.i] !== '"') throw new SyntaxError(`expected a string at character ${at.i}`);
  for (at.i += 1; at.i < text.length; at.i += 1) {
    if (text[at.i] === '\\') at.i += 1;
    else if (text[at.i] === '"') return (at.i += 1);
  }
  throw new SyntaxError('unterminated string');
}

function expect(text: string, at: { i: number }, c: string): void {
  if (text[at.i] !== c) throw new SyntaxError(`expected "${c}" at character ${at.i}`);
  at.i += 1;
}

/** The whitespace at the start of the line holding `index`. */
function lineIndent(text: string, index: number): string {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/**
 * `text` with member `key` of the object at `object` set to `value`: its value replaced where it is,
 * or the member added after the last one, written in the object's own layout (one member per line
 * with its indentation and line ends, or all on one line).
 */
export function setMember(text: string, object: Extract<JsonSpan, { kind: 'object' }>, key: string, value: unknown): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const objectIndent = lineIndent(text, object.start);
  const last = object.members[object.members.length - 1];
  const multiline = last === undefined || text.slice(object.start, last.keyStart).includes('\n');
  const memberIndent = last === undefined ? `${objectIndent}  ` : lineIndent(text, last.keyStart);
  const unit = memberIndent.startsWith(objectIndent) && memberIndent.length > objectIndent.length ? memberIndent.slice(objectIndent.length) : '  ';
  const render = (v: unknown): string => (multiline ? JSON.stringify(v, null, unit).replace(/\n/g, `${eol}${memberIndent}`) : JSON.stringify(v));
  const existing = object.members.find((m) => m.key === key);
  if (existing) return text.slice(0, existing.value.start) + render(value) + text.slice(existing.value.end);
  const member = `${JSON.stringify(key)}: ${render(value)}`;
  if (last === undefined) {
    return `${text.slice(0, object.start + 1)}${eol}${memberIndent}${member}${eol}${objectIndent}${text.slice(object.end - 1)}`;
  }
  const insertion = multiline ? `,${eol}${memberIndent}${member}` : `, ${member}`;
  return text.slice(0, last.value.end) + insertion + text.slice(last.value.end);
}
