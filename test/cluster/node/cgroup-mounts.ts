// Gives the node's daemons the machine's cgroup hierarchies. `ip netns exec` (test/cluster/netns.sh) runs
// its command in a private mount namespace with a fresh /sys of the network namespace, where nothing is
// mounted under /sys/fs/cgroup; the kubelet, containerd and runc need them (cgroups v1 here, hybrid).
// Mounting each hierarchy again in that mount namespace attaches to the same cgroups the machine has.
// The daemons are children of the process that starts the node and share its mount namespace, so the
// kubelet's mounts (projected tokens, emptyDirs) are the ones containerd and runc see; they disappear
// with the namespace when the node's last process ends. The device-plugin socket directory, fixed by the
// kubelet's API, is bound the same way.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const ROOT = '/sys/fs/cgroup';

function mounted(dir: string): boolean {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
}

function mount(args: string[], dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', [...args, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    throw new Error(`cannot mount ${dir} (${args.join(' ')}): ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? (err as Error).message}`);
  }
}

/** The hierarchies of /proc/cgroups that are enabled and attached (v1), by controller name. */
function v1Controllers(): string[] {
  return fs.readFileSync('/proc/cgroups', 'utf8').split('\n').slice(1)
    .map((l) => l.split('\t'))
    .filter((f) => f.length >= 4 && f[1] !== '0' && f[3] === '1')
    .map((f) => f[0] ?? '');
}

/** Throws naming what is missing when the node cannot run here; mounts the cgroup hierarchies when absent. */
export function prepareNodeHost(): void {
  if (process.env.TERN_IN_NETNS !== '1') {
    throw new Error('the real node runs only inside the `tern` network namespace: start it through test/cluster/netns.sh (make cluster-up does)');
  }
  if (process.getuid?.() !== 0) throw new Error('the real node needs root (containerd, runc, the kubelet and CNI manage namespaces, cgroups and iptables)');
  if (fs.existsSync(`${ROOT}/cgroup.controllers`) || fs.existsSync(`${ROOT}/memory/memory.limit_in_bytes`)) return;
  const controllers = v1Controllers();
  if (controllers.length === 0) throw new Error('no cgroup v1 hierarchy in /proc/cgroups and no cgroup2 at /sys/fs/cgroup: the kubelet cannot run here');
  if (!mounted(ROOT)) mount(['-t', 'tmpfs', '-o', 'mode=755,nosuid,nodev,noexec', 'cgroup'], ROOT);
  // Controllers sharing a hierarchy (none on this machine) would need one mount; each has its own here.
  for (const c of controllers) if (!mounted(`${ROOT}/${c}`)) mount(['-t', 'cgroup', '-o', `nosuid,nodev,noexec,${c}`, 'cgroup'], `${ROOT}/${c}`);
  if (!mounted(`${ROOT}/systemd`)) mount(['-t', 'cgroup', '-o', 'nosuid,nodev,noexec,none,name=systemd', 'cgroup'], `${ROOT}/systemd`);
  if (!mounted(`${ROOT}/unified`)) mount(['-t', 'cgroup2', '-o', 'nosuid,nodev,noexec', 'cgroup2'], `${ROOT}/unified`);
}

/**
 * Creates the kubelet's cgroup root (`name`) in every hierarchy: the kubelet refuses a root that is missing
 * in one. A new cpuset cgroup starts with no CPUs and no memory nodes: it gets its parent's.
 */
export function ensureCgroupRoot(name: string): void {
  for (const entry of fs.readdirSync(ROOT, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'unified') continue;
    const dir = `${ROOT}/${entry.name}/${name}`;
    fs.mkdirSync(dir, { recursive: true });
    if (entry.name === 'cpuset') {
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        if (fs.readFileSync(`${dir}/${f}`, 'utf8').trim() === '') fs.writeFileSync(`${dir}/${f}`, fs.readFileSync(`${ROOT}/cpuset/${f}`, 'utf8'));
      }
    }
  }
}

/** Where the kubelet's device manager always listens (a constant of the device-plugin API, not under --root-dir). */
export const DEVICE_PLUGIN_PATH = '/var/lib/kubelet/device-plugins';

/**
 * Binds the node's own device-plugins directory over DEVICE_PLUGIN_PATH in this mount namespace only (it
 * does not propagate to the machine): the kubelet's socket and the plugin's stay under `.tern/`.
 */
export function bindDevicePluginDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  if (mounted(DEVICE_PLUGIN_PATH)) return;
  mount(['--bind', dir], DEVICE_PLUGIN_PATH);
}
