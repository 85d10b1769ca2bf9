import { mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { berthCacheDir, type GuestArch } from '../../main/vm/assets';
import { extract, guestPackages } from '../../vm-assets/lib/apt';
import { packagePath, USRMERGE_LINKS } from '../../vm-assets/lib/layout';

/** Debian's busybox-static: a whole userland in one static binary, so no registry is needed. */
export const HOST_BUSYBOX = '/bin/busybox';

/**
 * Debian's busybox-static for another architecture (arm64 or amd64), fetched
 * with the guest build's own apt configuration; returns the binary's path.
 */
export function foreignBusybox(arch: GuestArch): string {
  const dir = join(berthCacheDir(), `busybox-${arch}`);
  extract(guestPackages(arch).fetch('busybox-static'), dir);
  return join(dir, packagePath(dir, 'bin/busybox'));
}

/**
 * Builds a tar of a minimal rootfs (busybox and its applet links) for
 * `docker import`. There is no Docker Hub here, so tests make their own image.
 * `busybox` is the host's unless another architecture's binary is given (its
 * applet links are the host busybox's list, which is the same set).
 */
export function busyboxRootfsTar(busybox = HOST_BUSYBOX, addTo?: (root: string) => void): { tar: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bb-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'bin'), { recursive: true });
  for (const d of ['tmp', 'etc', 'proc', 'sys', 'dev', 'var/www']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(busybox, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  const list = spawnSync(HOST_BUSYBOX, ['--list'], { encoding: 'utf8' });
  if (list.status !== 0) throw new Error('busybox-static is not installed (apt-get install busybox-static)');
  // `busybox --list` names busybox itself; a link by that name would replace the binary.
  for (const applet of list.stdout.split('\n').filter((a) => a && a !== 'busybox')) {
    symlinkSync('busybox', join(root, 'bin', applet));
  }
  addTo?.(root);
  const tar = join(dir, 'rootfs.tar');
  const r = spawnSync('tar', ['-C', root, '-cf', tar, '.'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return { tar, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Imports the busybox rootfs as `tag` through a docker runner; returns what `docker import` returned. */
export function importBusybox<R>(importTar: (tar: string) => R, busybox?: string, addTo?: (root: string) => void): R {
  const { tar, cleanup } = busyboxRootfsTar(busybox, addTo);
  try {
    return importTar(tar);
  } finally {
    cleanup();
  }
}

/**
 * The busybox rootfs plus Debian's inotifywait with its libraries (inotify-tools,
 * libinotifytools0, libc6 for `arch`, fetched with the guest build's apt
 * configuration): busybox-static has no inotify applet, and tests need a
 * watcher in a container.
 */
export function importInotifyImage<R>(importTar: (tar: string) => R, arch: GuestArch, busybox?: string): R {
  const pkgs = guestPackages(arch);
  const debs = ['inotify-tools', 'libinotifytools0', 'libc6'].map((p) => pkgs.fetch(p));
  return importBusybox(importTar, busybox, (root) => {
    for (const deb of debs) extract(deb, root);
    // Debian 13's files are under /usr; the loader is asked for by its /lib64 (amd64) or /lib (arm64) name.
    for (const [from, to] of USRMERGE_LINKS) if (!existsSync(join(root, from))) symlinkSync(to, join(root, from));
  });
}
