// IpPool: pod addresses from the node's subnet, never the network, node or broadcast address.
import { IpPool, intToIp, ipToInt } from './ip-pool.js';

test('round-trips addresses', () => {
  expect(intToIp(ipToInt('198.19.62.7'))).toBe('198.19.62.7');
  expect(() => ipToInt('300.1.1.1')).toThrow('not an IPv4 address');
});

test('the node takes .1; pods get .2 upward; a key keeps its address; released addresses come back', () => {
  const pool = new IpPool('198.18.5.0/24');
  expect(pool.nodeIP).toBe('198.18.5.1');
  expect(pool.allocate('a')).toBe('198.18.5.2');
  expect(pool.allocate('b')).toBe('198.18.5.3');
  expect(pool.allocate('a')).toBe('198.18.5.2');
  pool.release('a');
  const seen = new Set<string>();
  for (let i = 0; i < 252; i++) seen.add(pool.allocate(`k${i}`));
  expect(seen.has('198.18.5.2')).toBe(true);
  expect(seen.has('198.18.5.255')).toBe(false);
  expect(() => pool.allocate('one-too-many')).toThrow('pod subnet exhausted');
});
