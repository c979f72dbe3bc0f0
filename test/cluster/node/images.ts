// Imports the images built here (test/cluster/images) into the node's containerd. No registry can be
// reached: every image a pod names must be imported. An archive already imported (same content hash,
// recorded beside containerd's root, which is kept between clusters) is not imported again.
import fs from 'node:fs';
import path from 'node:path';
import { ctr, importedImages } from './containerd.js';
import { cacheDir, FETCH_DEPS_COMMAND } from '../paths.js';
import type { NodeLayout } from './layout.js';

/** One image archive made by test/cluster/images. */
export interface ImageArchive {
  /** The image's full name (e.g. ghcr.io/tern-dev/tern-server:0.1.0). */
  name: string;
  /** Path of its archive. */
  archive: string;
  /** Content hash of its inputs. */
  hash: string;
}

function recordFile(node: NodeLayout): string {
  return path.join(path.dirname(node.containerdRoot), 'imported.json');
}

/** Imports what containerd lacks or holds in another version; returns the names imported and kept. */
export function importImages(bin: string, node: NodeLayout, images: ImageArchive[]): { imported: string[]; kept: string[] } {
  let record: Record<string, string> = {};
  try {
    record = JSON.parse(fs.readFileSync(recordFile(node), 'utf8')) as Record<string, string>;
  } catch {
    /* first import */
  }
  const present = importedImages(bin, node);
  const imported: string[] = [];
  const kept: string[] = [];
  for (const image of images) {
    if (present.has(image.name) && record[image.name] === image.hash) {
      kept.push(image.name);
      continue;
    }
    if (!fs.existsSync(image.archive)) throw new Error(`image archive ${image.archive} of ${image.name} is missing: run \`make cluster-deps\``);
    ctr(bin, node, ['images', 'import', '--platform', 'linux/amd64', image.archive]);
    if (!importedImages(bin, node).has(image.name)) throw new Error(`importing ${image.archive} did not give image ${image.name} (ctr images list has no such name)`);
    record[image.name] = image.hash;
    fs.writeFileSync(recordFile(node), JSON.stringify(record, null, 2));
    imported.push(image.name);
  }
  return { imported, kept };
}

/** The image archives test/cluster/images built (its index in Tern's cache); throws naming the command when missing. */
export function cachedImages(): ImageArchive[] {
  const index = path.join(cacheDir(), 'images', 'index.json');
  let list: ImageArchive[];
  try {
    list = JSON.parse(fs.readFileSync(index, 'utf8')) as ImageArchive[];
  } catch {
    throw new Error(`the real node needs the images built from the Dockerfile (${index} is missing): run \`${FETCH_DEPS_COMMAND}\` first`);
  }
  return list;
}
