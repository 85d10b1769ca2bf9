import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';

/**
 * Creates the persistent qcow2 data disk if it does not exist. An existing
 * disk is never recreated here: it holds the user's images and volumes.
 * The guest formats it on first boot.
 */
export function ensureDataDisk(path: string, sizeGiB: number, qemuImg = 'qemu-img'): { created: boolean } {
  // The disk holds every image and volume: only its owner reads it, as with the TLS files (a disk made before this is tightened too).
  if (existsSync(path)) {
    chmodSync(path, 0o600);
    return { created: false };
  }
  const r = spawnSync(qemuImg, ['create', '-q', '-f', 'qcow2', '-o', 'lazy_refcounts=on', path, `${sizeGiB}G`], { encoding: 'utf8' });
  if (r.error) throw new Error(`${qemuImg} is not installed (Debian/Ubuntu: apt-get install qemu-utils; macOS: brew install qemu)`);
  if (r.status !== 0) throw new Error(`could not create the data disk ${path}: ${r.stderr.trim()}`);
  chmodSync(path, 0o600);
  return { created: true };
}

const GiB = 1024 ** 3;

/**
 * Grows the data disk to `sizeGiB` when the setting was raised (the guest then
 * grows its filesystem at boot). It never shrinks one: that would cut into the
 * user's data, so a smaller setting keeps the disk as it is and says so.
 * Callers run it only while no QEMU has the disk open, and after any saved VM
 * state is deleted (a resized disk invalidates it).
 */
export function growDataDisk(path: string, sizeGiB: number, qemuImg = 'qemu-img'): { fromGiB: number; toGiB: number } | { keptGiB: number } | undefined {
  const info = spawnSync(qemuImg, ['info', '--output=json', path], { encoding: 'utf8' });
  if (info.error || info.status !== 0) throw new Error(`could not read the data disk ${path}: ${(info.error?.message ?? info.stderr).trim()}`);
  const current = (JSON.parse(info.stdout) as { 'virtual-size': number })['virtual-size'];
  const want = sizeGiB * GiB;
  if (want === current) return undefined;
  if (want < current) return { keptGiB: current / GiB };
  const r = spawnSync(qemuImg, ['resize', '-q', path, String(want)], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`could not grow the data disk ${path} to ${sizeGiB} GiB: ${(r.error?.message ?? r.stderr).trim()}`);
  return { fromGiB: current / GiB, toGiB: sizeGiB };
}
