// containerCommand: which local process runs for a container (docs/conventions.md).
import { SERVER_NODE_FLAGS } from '../../../server/node-options.js';
import { containerCommand, imageBaseName, SERVER_IMAGE_NODE_FLAGS } from './container-command.js';

const run = (image: string, command?: string[], args?: string[]) => containerCommand(image, command, args, '/repo', '/usr/bin/node');

test('image base names drop registry, tag and digest', () => {
  expect(imageBaseName('ghcr.io/tern-dev/tern-server:0.1.0')).toBe('tern-server');
  expect(imageBaseName('tern-operator@sha256:abc')).toBe('tern-operator');
});

test('tern-server and tern-operator images run the checkout entry points with the container args (tern-server with its V8 flags)', () => {
  expect(SERVER_IMAGE_NODE_FLAGS).toEqual(SERVER_NODE_FLAGS);
  expect(run('ghcr.io/tern-dev/tern-server:0.1.0', undefined, ['--port', '8080'])).toEqual({ ok: true, command: '/usr/bin/node', args: ['--max-semi-space-size=2', '--min-semi-space-size=2', '--no-memory-reducer', '/repo/bin/tern-server.js', '--port', '8080'] });
  expect(run('tern-operator:dev', ['tern-operator'], ['--leader-elect'])).toEqual({ ok: true, command: '/usr/bin/node', args: ['/repo/bin/tern-operator.js', '--leader-elect'] });
  expect(run('tern-server:1', ['python', 'serve.py'])).toMatchObject({ ok: false, reason: 'UnsupportedCommand' });
});

test('local/exec runs command + args as given; other images cannot run', () => {
  expect(run('local/exec', ['sh', '-c'], ['echo hi'])).toEqual({ ok: true, command: 'sh', args: ['-c', 'echo hi'] });
  expect(run('local/exec:latest', [], [])).toMatchObject({ ok: false, reason: 'NoCommand' });
  const nginx = run('nginx:1.27');
  expect(nginx).toMatchObject({ ok: false, reason: 'UnsupportedImage' });
  expect(!nginx.ok && nginx.message).toContain('image nginx:1.27 cannot run on the local node');
});
