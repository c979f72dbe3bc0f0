// The Dockerfile cannot be built here (no container engine), so check what can be checked without one:
// the two targets the chart and the operator name, non-root, and that every COPY source exists and is
// not excluded by .dockerignore.
import { existsSync, readFileSync } from 'node:fs';
import YAML from 'yaml';
import { SERVER_NODE_FLAGS } from '../../server/node-options.js';
import { REPO_ROOT } from '../lib/conventions.js';

const dockerfile = readFileSync(`${REPO_ROOT}Dockerfile`, 'utf8');
const ignored = readFileSync(`${REPO_ROOT}.dockerignore`, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)\s+AS\s+(\S+)$/gim)].map((m) => ({ from: m[1], name: m[2] }));

/** The instructions of one stage. */
function stage(name: string): string {
  const start = dockerfile.search(new RegExp(`^FROM\\s+\\S+\\s+AS\\s+${name}$`, 'im'));
  const rest = dockerfile.slice(start + 1);
  const next = rest.search(/^FROM\s/im);
  return next < 0 ? rest : rest.slice(0, next);
}

describe('Dockerfile', () => {
  it('has a tern-server and a tern-operator target, each running its program as its entry point', () => {
    expect(stages.map((s) => s.name)).toEqual(expect.arrayContaining(['tern-server', 'tern-operator']));
    expect(stage('tern-server')).toMatch(/^ENTRYPOINT \["tern-server"\]$/m);
    expect(stage('tern-operator')).toMatch(/^ENTRYPOINT \["tern-operator"\]$/m);
  });

  it("gives the operator the chart's default NODE_OPTIONS", () => {
    const nodeOptions = (YAML.parse(readFileSync(`${REPO_ROOT}charts/tern/values.yaml`, 'utf8')) as { nodeOptions: string }).nodeOptions;
    expect(nodeOptions).toMatch(/--max-semi-space-size=\d+/);
    expect(stage('tern-operator')).toContain(`ENV NODE_OPTIONS="${nodeOptions}"`);
  });

  it('runs tern-server with the V8 flags of server/node-options.ts (its entry point carries them)', () => {
    const firstLine = readFileSync(`${REPO_ROOT}bin/tern-server.js`, 'utf8').split('\n')[0];
    expect(firstLine).toBe(`#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}`);
    expect(SERVER_NODE_FLAGS).toContain('--max-semi-space-size=2');
    expect(stage('runtime')).toContain('ln -s /app/bin/tern-server.js /usr/local/bin/tern-server');
  });

  it('runs as a non-root user on a slim Node 20 base', () => {
    expect(stage('runtime')).toMatch(/^USER 65532:65532$/m);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-[a-z]+-slim$/m);
    expect(stages.find((s) => s.name === 'tern-server')?.from).toBe('runtime');
    expect(stages.find((s) => s.name === 'tern-operator')?.from).toBe('runtime');
  });

  it('copies only sources that exist and that .dockerignore keeps', () => {
    const sources = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)\s+\S+$/gm)].flatMap((m) => (m[1] ?? '').split(/\s+/));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect({ source, exists: existsSync(`${REPO_ROOT}${source}`) }).toEqual({ source, exists: true });
      expect({ source, ignored: ignored.includes(source) || ignored.includes(source.split('/')[0] ?? '') }).toEqual({ source, ignored: false });
    }
  });

  it('names the images the chart and ModelReleases use', () => {
    const values = readFileSync(`${REPO_ROOT}charts/tern/values.yaml`, 'utf8');
    expect(values).toContain('repository: ghcr.io/tern-dev/tern-operator');
    expect(dockerfile).toContain('ghcr.io/tern-dev/tern-server');
    expect(dockerfile).toContain('ghcr.io/tern-dev/tern-operator');
  });
});
