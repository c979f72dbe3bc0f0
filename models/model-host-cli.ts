// `node dist/models/model-host-cli.js [--dir models/species] [--port 0] [--host 127.0.0.1]`: serves model
// files over loopback HTTP until SIGTERM/SIGINT; prints the base URL on the first line of stdout.
import { startModelHost } from './model-host.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const host = await startModelHost(flag('dir', 'models/species'), { host: flag('host', '127.0.0.1'), port: Number(flag('port', '0')) });
process.stdout.write(`${host.url}\n`);
const stop = (): void => void host.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
