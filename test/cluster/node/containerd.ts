// containerd of the real node: its config (CRI plugin with runc from Tern's cache, cgroupfs, overlayfs,
// the CNI conflist of cni.ts, the pause image pinned), its start, and the import of the images built
// here (test/cluster/images: no registry can be reached, so every image a pod names is imported).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startDetached, type ProcessRecord } from '../process-control.js';
import type { NodeLayout } from './layout.js';

/** The repository of the sandbox (pause) image: built here, imported like the others, never pulled. */
export const PAUSE_IMAGE_REPO = 'registry.k8s.io/pause';
/** containerd's namespace for Kubernetes. */
export const K8S_NAMESPACE = 'k8s.io';

const q = (s: string) => JSON.stringify(s); // a TOML basic string

/** containerd's config.toml (version 3, containerd 2.x). */
export function renderContainerdConfig(node: NodeLayout, bin: string, pauseImage: string): string {
  const cri = "plugins.'io.containerd.cri.v1.runtime'";
  return [
    'version = 3',
    `root = ${q(node.containerdRoot)}`,
    `state = ${q(node.containerdState)}`,
    // Not used by the node: fewer plugins to fail on this machine.
    "disabled_plugins = ['io.containerd.snapshotter.v1.btrfs', 'io.containerd.snapshotter.v1.zfs', 'io.containerd.snapshotter.v1.devmapper', 'io.containerd.snapshotter.v1.blockfile', 'io.containerd.snapshotter.v1.erofs', 'io.containerd.nri.v1.nri', 'io.containerd.tracing.processor.v1.otlp', 'io.containerd.internal.v1.tracing']",
    '',
    '[grpc]',
    `  address = ${q(node.containerdSocket)}`,
    '',
    "[plugins.'io.containerd.internal.v1.opt']",
    `  path = ${q(path.join(node.containerdRoot, 'opt'))}`,
    '',
    "[plugins.'io.containerd.cri.v1.images']",
    "  snapshotter = 'overlayfs'",
    '  # Images are imported: a pull would fail (no registry can be reached).',
    "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
    `  sandbox = ${q(pauseImage)}`,
    '',
    `[${cri}]`,
    '  enable_selinux = false',
    '  # This machine withholds CAP_SYS_RESOURCE: no process may lower its oom_score_adj (the pause container',
    '  # asks for -998, Guaranteed pods for -997). Keep each at least the current value instead of failing.',
    '  restrict_oom_score_adj = true',
    `[${cri}.containerd]`,
    "  default_runtime_name = 'runc'",
    `[${cri}.containerd.runtimes.runc]`,
    "  runtime_type = 'io.containerd.runc.v2'",
    `[${cri}.containerd.runtimes.runc.options]`,
    `  BinaryName = ${q(path.join(bin, 'runc'))}`,
    '  SystemdCgroup = false',
    `[${cri}.cni]`,
    `  bin_dirs = [${q(path.join(bin, 'cni'))}]`,
    `  conf_dir = ${q(node.cniConfDir)}`,
    '  max_conf_num = 1',
    '',
    "[plugins.'io.containerd.grpc.v1.cri']",
    "  stream_server_address = '127.0.0.1'",
    "  stream_server_port = '0'",
    '',
  ].join('\n');
}

/** Writes the config (the state directory is fresh: no container of a previous node survives). */
export function writeContainerdConfig(node: NodeLayout, bin: string, pauseImage: string): void {
  fs.mkdirSync(path.dirname(node.containerdConfig), { recursive: true });
  fs.mkdirSync(node.containerdRoot, { recursive: true });
  fs.writeFileSync(node.containerdConfig, renderContainerdConfig(node, bin, pauseImage));
}

/** Starts containerd (the shim and runc are found through PATH = the node's binaries first). */
export function startContainerd(bin: string, node: NodeLayout): ProcessRecord {
  const command = path.join(bin, 'containerd');
  const args = [`--config=${node.containerdConfig}`, '--log-level=warn'];
  return startDetached('containerd', command, args, path.join(node.logs, 'containerd.log'), {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}` },
  });
}

/** Runs `ctr` against the node's containerd, in the k8s.io namespace. */
export function ctr(bin: string, node: NodeLayout, args: string[], timeoutMs = 300_000): string {
  const command = path.join(bin, 'ctr');
  const full = ['--address', node.containerdSocket, '--namespace', K8S_NAMESPACE, ...args];
  try {
    return execFileSync(command, full, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ctr ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Names of the images containerd holds. */
export function importedImages(bin: string, node: NodeLayout): Set<string> {
  return new Set(ctr(bin, node, ['images', 'list', '--quiet']).split('\n').map((l) => l.trim()).filter((l) => l !== ''));
}
