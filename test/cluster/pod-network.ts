// Pod addresses for the local node. Kubernetes refuses loopback addresses (127.0.0.0/8) in
// EndpointSlices, so pods get addresses from 198.18.0.0/15 (RFC 2544, never routed), made local by
// `ip route add local 198.18.0.0/15 dev lo` — only inside the `tern` network namespace that
// test/cluster/netns.sh makes (it sets TERN_IN_NETNS=1), never in the machine's own routing table.
// Outside it, pods fall back to 127.x addresses (and EndpointSlices stay empty). Each running
// cluster claims its own /24 so that several checkouts' clusters can run side by side.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The range made local on `lo`; each cluster takes one /24 of it. */
export const POD_RANGE = '198.18.0.0/15';
const CLAIMS_DIR = path.join(process.env.TMPDIR ?? '/tmp', 'tern-pod-subnets');

/** True when POD_RANGE is a local route (adding it inside our own network namespace); false otherwise. */
export function ensurePodRangeLocal(): boolean {
  const show = () => {
    try {
      return execFileSync('ip', ['route', 'show', 'table', 'local', POD_RANGE], { encoding: 'utf8' }).includes('198.18.0.0/15');
    } catch {
      return false;
    }
  };
  if (show()) return true;
  if (process.env.TERN_IN_NETNS !== '1') return false;
  try {
    execFileSync('ip', ['route', 'add', 'local', POD_RANGE, 'dev', 'lo'], { stdio: 'ignore' });
  } catch {
    /* no CAP_NET_ADMIN (or no iproute2): fall back to loopback pod addresses */
  }
  return show();
}

/** The n-th subnet: a /24 of 198.18.0.0/15, or (fallback) 127.(n+2).0.0/16. */
export function subnetFor(n: number, routable: boolean): string {
  return routable ? `198.${18 + (n >> 8)}.${n & 255}.0/24` : `127.${n + 2}.0.0/16`;
}

/**
 * Claims a free pod subnet for the cluster whose state lives in `stateDir` (a claim is a directory
 * under $TMPDIR/tern-pod-subnets naming its owner; stale claims of vanished clusters are taken over).
 */
export function claimPodSubnet(stateDir: string, isOwnerAlive: (ownerStateDir: string) => boolean): string {
  const routable = ensurePodRangeLocal();
  const count = routable ? 512 : 250;
  fs.mkdirSync(CLAIMS_DIR, { recursive: true });
  const start = Math.floor(Math.random() * count);
  for (let i = 0; i < count; i++) {
    const n = (start + i) % count;
    const subnet = subnetFor(n, routable);
    const claim = path.join(CLAIMS_DIR, subnet.replace(/[./]/g, '_'));
    try {
      fs.mkdirSync(claim);
    } catch {
      let owner = '';
      try {
        owner = fs.readFileSync(path.join(claim, 'owner'), 'utf8');
      } catch {
        /* half-written claim: treat as taken */
        continue;
      }
      if (owner !== stateDir && isOwnerAlive(owner)) continue;
    }
    fs.writeFileSync(path.join(claim, 'owner'), stateDir);
    return subnet;
  }
  throw new Error(`no free pod subnet left in ${routable ? POD_RANGE : '127.0.0.0/8'} (claims in ${CLAIMS_DIR})`);
}

/** Releases the claim on `subnet`. */
export function releasePodSubnet(subnet: string): void {
  fs.rmSync(path.join(CLAIMS_DIR, subnet.replace(/[./]/g, '_')), { recursive: true, force: true });
}
