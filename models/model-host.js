// A tiny loopback HTTP file server for model weights, standing in for https://models.tern.dev in tests and
// the demo. GET /<anything>/<file> serves <dir>/<path> or, failing that, <dir>/<file> (so registry URLs of the
// form /species/1.0.0/species-1.0.0.onnx and re-based URLs /species-1.0.0.onnx both work).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { basename, join, normalize, resolve, sep } from 'node:path';
async function isFile(path) {
    return stat(path).then((s) => s.isFile(), () => false);
}
/** Serves `dir` on host:port (default 127.0.0.1, a free port). */
export async function startModelHost(dir, options = {}) {
    const root = resolve(dir);
    const hits = new Map();
    const server = createServer((req, res) => {
        void (async () => {
            const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
            hits.set(path, (hits.get(path) ?? 0) + 1);
            const direct = normalize(join(root, path));
            const candidates = [direct, join(root, basename(path))].filter((p) => p === root || p.startsWith(root + sep));
            for (const file of candidates) {
                if (await isFile(file)) {
                    const { size } = await stat(file);
                    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
                    if (req.method === 'HEAD')
                        res.end();
                    else
                        createReadStream(file).pipe(res);
                    return;
                }
            }
            res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
        })();
    });
    await new Promise((ok, fail) => {
        server.once('error', fail);
        server.listen(options.port ?? 0, options.host ?? '127.0.0.1', ok);
    });
    const { port, address } = server.address();
    return {
        url: `http://${address}:${port}/`,
        port,
        hits,
        close: () => new Promise((ok) => {
            server.closeAllConnections();
            server.close(() => ok());
        }),
    };
}
