// Pod IP allocation from the node's pod subnet: the first address is the node's, the rest go to pods.

/** Parses a.b.c.d into a 32-bit number. */
export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

/** Formats a 32-bit number as a.b.c.d. */
export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Hands out pod IPs of `cidr` (IPv4), reusing released ones last. */
export class IpPool {
  private readonly first: number;
  private readonly last: number;
  private readonly byKey = new Map<string, number>();
  private readonly used = new Set<number>();
  private next: number;

  constructor(cidr: string) {
    const [base, bits] = cidr.split('/');
    const prefix = Number(bits);
    if (base === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`unsupported pod CIDR ${cidr}`);
    const size = 2 ** (32 - prefix);
    const network = Math.floor(ipToInt(base) / size) * size;
    this.first = network + 2; // network+0: network address, network+1: the node
    this.last = network + size - 2; // the broadcast address is skipped
    this.next = this.first;
    this.nodeIP = intToIp(network + 1);
  }

  /** The node's own address (first host address of the subnet). */
  readonly nodeIP: string;

  /** The IP of `key` (a pod uid), allocating one when it has none. */
  allocate(key: string): string {
    const have = this.byKey.get(key);
    if (have !== undefined) return intToIp(have);
    const span = this.last - this.first + 1;
    for (let i = 0; i < span; i++) {
      const candidate = this.first + ((this.next - this.first + i) % span);
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        this.byKey.set(key, candidate);
        this.next = candidate + 1 > this.last ? this.first : candidate + 1;
        return intToIp(candidate);
      }
    }
    throw new Error(`pod subnet exhausted: all ${span} addresses in use`);
  }

  /** Returns the IP of `key` to the pool. */
  release(key: string): void {
    const ip = this.byKey.get(key);
    if (ip === undefined) return;
    this.byKey.delete(key);
    this.used.delete(ip);
  }
}
