import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Creates the persistent qcow2 data disk if it does not exist. An existing
 * disk is never recreated here: it holds the user's images and volumes.
 * The guest formats it on first boot.
 */
export function ensureDataDisk(path: string, sizeGiB: number, qemuImg = 'qemu-img'): { created: boolean } {
  if (existsSync(path)) return { created: false };
  const r = spawnSync(qemuImg, ['create', '-q', '-f', 'qcow2', '-o', 'lazy_refcounts=on', path, `${sizeGiB}G`], { encoding: 'utf8' });
  if (r.error) throw new Error(`${qemuImg} is not installed (Debian/Ubuntu: apt-get install qemu-utils; macOS: brew install qemu)`);
  if (r.status !== 0) throw new Error(`could not create the data disk ${path}: ${r.stderr.trim()}`);
  return { created: true };
}
