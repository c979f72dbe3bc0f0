/**
 * The command-line tools the chart's tests drive: helm (built from its Go module, cached) and promtool (Debian
 * package prometheus); the Argo CD Lua harness is argocd-lua.ts. `make observe-tools` gets them all; each function
 * here fails with that hint when one is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from './conventions.js';

/** The result of a command that ran to completion. */
export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; never throws on a non-zero exit. */
export function run(command: string, args: string[], options: { input?: string; cwd?: string } = {}): CommandResult {
  const result = spawnSync(command, args, { encoding: 'utf8', input: options.input, cwd: options.cwd ?? REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${command}: ${result.error.message} (run \`make observe-tools\`)`);
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** A tool that must be installed, with the command that installs it. */
export function requireTool(command: string): string {
  if (!onPath(command)) throw new Error(`${command} is not installed: run \`make observe-tools\``);
  return command;
}

let helmPath: string | undefined;

/**
 * Path of the helm binary that `make observe-tools` built from charts/tools/helm (go.mod pins the version)
 * into Tern's cache. Builds nothing here: tests may run inside the network namespace, where nothing can be
 * downloaded, so a missing binary fails at once with the command that builds it.
 */
export function helmBinary(): string {
  if (helmPath !== undefined) return helmPath;
  const bin = execFileSync(`${REPO_ROOT}charts/tools/helm/build.sh`, ['--print-path'], { encoding: 'utf8' }).trim();
  if (!existsSync(bin)) throw new Error(`helm is not built (${bin} is missing): run \`make observe-tools\` first (outside the network namespace)`);
  helmPath = bin;
  return bin;
}

/** Runs helm with the given arguments from the repository root. */
export function helm(args: string[]): CommandResult {
  return run(helmBinary(), args);
}

/**
 * Asks promtool whether each expression parses: they become recording rules of a temporary rules file
 * checked with `promtool check rules`. Returns promtool's output; status 0 when all parse.
 */
export function checkPromqlParses(exprs: string[]): CommandResult {
  const dir = mkdtempSync(join(tmpdir(), 'tern-promql-'));
  try {
    const rules = { groups: [{ name: 'queries', rules: exprs.map((expr, i) => ({ record: `tern_query_${i}`, expr })) }] };
    writeFileSync(join(dir, 'queries.yaml'), stringify(rules));
    return run(requireTool('promtool'), ['check', 'rules', join(dir, 'queries.yaml')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
