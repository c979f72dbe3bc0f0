/**
 * Runs an Argo CD resource customization script in gopher-lua, the interpreter Argo CD embeds, through the
 * harness in charts/tools/argocd-lua (Go; built into Tern's cache by `make observe-tools`, never here: tests may
 * run inside the network namespace). The harness opens only the libraries Argo CD opens (base, package, table,
 * os.date/os.time; every standard library when argocd-cm sets useOpenLibs) and bridges JSON the way Argo CD does.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { REPO_ROOT } from './conventions.js';
import { run } from './tools.js';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What Argo CD runs the script for: the health check, action discovery, or one action. */
export type ScriptMode = 'health' | 'discovery' | 'action';

/** One run: the script, the live object as `obj`, and argocd-cm's useOpenLibs for the kind. */
export interface LuaRun {
  mode: ScriptMode;
  script: string;
  obj: Json;
  openLibs?: boolean;
}

const BUILD = `${REPO_ROOT}charts/tools/argocd-lua/build.sh`;
let harnessPath: string | undefined;

/** Path of the harness binary; fails naming `make observe-tools` when it is not built. */
export function argocdLuaBinary(): string {
  if (harnessPath !== undefined) return harnessPath;
  const bin = execFileSync(BUILD, ['--print-path'], { encoding: 'utf8' }).trim();
  if (!existsSync(bin)) throw new Error(`the Argo CD Lua harness is not built (${bin} is missing): run \`make observe-tools\` first (outside the network namespace)`);
  harnessPath = bin;
  return bin;
}

/** Runs the script as Argo CD would and returns what Argo CD would read from it; a Lua error throws with its message. */
export function runArgocdLua(request: LuaRun): Json {
  const result = run(argocdLuaBinary(), [], { input: JSON.stringify({ ...request, openLibs: request.openLibs === true }) });
  if (result.status !== 0) throw new Error(`gopher-lua (${request.mode} script) failed: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as Json;
}
