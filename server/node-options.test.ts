// missingNodeFlags: which of tern-server's V8 flags a node process was started without.
import { missingNodeFlags, SERVER_NODE_FLAGS } from './node-options.js';

describe('missingNodeFlags', () => {
  it('lists every flag for a bare node and none when all are given, in any order among others', () => {
    expect(missingNodeFlags([])).toEqual([...SERVER_NODE_FLAGS]);
    expect(missingNodeFlags(['--enable-source-maps', ...[...SERVER_NODE_FLAGS].reverse()])).toEqual([]);
  });

  it('does not take another value of a flag for the flag', () => {
    expect(missingNodeFlags(['--max-semi-space-size=16', '--min-semi-space-size=2', '--no-memory-reducer'])).toEqual(['--max-semi-space-size=2']);
  });
});
