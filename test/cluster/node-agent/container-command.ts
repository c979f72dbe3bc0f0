// Decides what local process runs for a container (docs/conventions.md, "Images and the local node agent"):
//   image `.../tern-server[:tag]`, command [] or ["tern-server"]  -> node <its V8 flags> bin/tern-server.js <args>
//   image `.../tern-operator[:tag]`, command [] or ["tern-operator"] -> node bin/tern-operator.js <args>
//   image `local/exec` (tests only)                                -> command + args as given, cwd = checkout
//   anything else                                                   -> cannot run here (pod Failed)
import path from 'node:path';

/**
 * The V8 flags the tern-server image runs with (bin/tern-server.js's first line): server/node-options.ts,
 * which this tooling cannot import (it compiles on its own, before the build); the test checks they agree.
 */
export const SERVER_IMAGE_NODE_FLAGS = ['--max-semi-space-size=2', '--min-semi-space-size=2', '--no-memory-reducer'];

/** The test-only image whose command runs as given. */
export const LOCAL_EXEC_IMAGE = 'local/exec';

/** What to run, or why it cannot run. */
export type ContainerCommand = { ok: true; command: string; args: string[] } | { ok: false; reason: string; message: string };

/** The image's last path component without tag or digest (`ghcr.io/x/tern-server:0.1` -> `tern-server`). */
export function imageBaseName(image: string): string {
  const last = image.split('/').pop() ?? image;
  return last.split('@')[0]!.split(':')[0]!;
}

/** Resolves the process of a container with `image`, `command` and `args` (Kubernetes fields). */
export function containerCommand(image: string, command: string[] | undefined, args: string[] | undefined, repoRoot: string, nodePath: string): ContainerCommand {
  const cmd = command ?? [];
  const rest = args ?? [];
  const withoutTag = image.split('@')[0]!.replace(/:[^/]*$/, '');
  if (withoutTag === LOCAL_EXEC_IMAGE) {
    const all = [...cmd, ...rest];
    if (all.length === 0) return { ok: false, reason: 'NoCommand', message: `image ${LOCAL_EXEC_IMAGE} needs a command (it runs command + args as a local process)` };
    return { ok: true, command: all[0]!, args: all.slice(1) };
  }
  const base = imageBaseName(image);
  for (const program of ['tern-server', 'tern-operator']) {
    if (!base.startsWith(program)) continue;
    if (cmd.length > 1 || (cmd.length === 1 && cmd[0] !== program)) {
      return { ok: false, reason: 'UnsupportedCommand', message: `image ${image} runs locally only with command [] or ["${program}"], not ${JSON.stringify(cmd)}` };
    }
    // tern-server's entry point gives node its V8 flags; the operator's NODE_OPTIONS come from the chart's pod env.
    const imageFlags = program === 'tern-server' ? SERVER_IMAGE_NODE_FLAGS : [];
    return { ok: true, command: nodePath, args: [...imageFlags, path.join(repoRoot, 'bin', `${program}.js`), ...rest] };
  }
  return {
    ok: false,
    reason: 'UnsupportedImage',
    message: `image ${image} cannot run on the local node: only tern-server, tern-operator and ${LOCAL_EXEC_IMAGE} images run here (see docs/conventions.md)`,
  };
}
