// Serves models/species/*.onnx over loopback HTTP (nothing can be downloaded here), so ModelReleases
// rendered with `weightsBaseUrl: http://127.0.0.1:PORT/` load the real demo weights.
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, join } from 'node:path';
import { REPO_ROOT } from '../../charts/lib/conventions.js';

/** A running weights server. */
export interface WeightsServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts the server on a free loopback port. */
export async function startWeightsServer(dir = join(REPO_ROOT, 'models', 'species')): Promise<WeightsServer> {
  const server: Server = createServer((req, res) => {
    const file = join(dir, basename(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.endsWith('.onnx') || !existsSync(file)) {
      res.writeHead(404).end(`no ${req.url ?? ''} in ${dir}`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('weights server has no port');
  return {
    baseUrl: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
