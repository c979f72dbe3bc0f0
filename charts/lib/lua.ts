/**
 * Runs a Lua 5.1 script the way Argo CD runs resource customizations: a global `obj` holding the live
 * object, the base, table, string and math libraries, and only os.date/os.time/os.clock from `os`.
 * JSON goes in as a Lua table literal; the script's result comes back as JSON (harness.lua encodes it).
 */
import { fileURLToPath } from 'node:url';
import { requireTool, run } from './tools.js';

const HARNESS = fileURLToPath(new URL('./harness.lua', import.meta.url));

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

/** A Lua expression for a JSON value (arrays 1-indexed; null becomes nil, as in Argo CD). */
export function toLua(value: Json): string {
  if (value === null) return 'nil';
  if (typeof value === 'string') return luaString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`toLua: ${value} has no JSON form`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `{${value.map(toLua).join(', ')}}`;
  return `{${Object.entries(value)
    .map(([key, item]) => `[${luaString(key)}] = ${toLua(item)}`)
    .join(', ')}}`;
}

/** Runs `script` (a file) with `obj` bound and returns what it returns, decoded from JSON. */
export function runLuaScript(script: string, obj: Json): Json {
  const program = `local obj = ${toLua(obj)}\nreturn obj\n`;
  const result = run(requireTool('lua5.1'), [HARNESS, script], { input: program });
  if (result.status !== 0) throw new Error(`lua5.1 ${script} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Json;
}
