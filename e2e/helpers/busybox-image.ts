import { mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

/** Debian's busybox-static: a whole userland in one static binary, so no registry is needed. */
export const HOST_BUSYBOX = '/bin/busybox';

/**
 * Builds a tar of a minimal rootfs (busybox and its applet links) for
 * `docker import`. There is no Docker Hub here, so tests make their own image.
 */
export function busyboxRootfsTar(): { tar: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bb-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'bin'), { recursive: true });
  for (const d of ['tmp', 'etc', 'proc', 'sys', 'dev', 'var/www']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(HOST_BUSYBOX, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  const list = spawnSync(HOST_BUSYBOX, ['--list'], { encoding: 'utf8' });
  if (list.status !== 0) throw new Error('busybox-static is not installed (apt-get install busybox-static)');
  // `busybox --list` names busybox itself; a link by that name would replace the binary.
  for (const applet of list.stdout.split('\n').filter((a) => a && a !== 'busybox')) {
    symlinkSync('busybox', join(root, 'bin', applet));
  }
  const tar = join(dir, 'rootfs.tar');
  const r = spawnSync('tar', ['-C', root, '-cf', tar, '.'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return { tar, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Imports the busybox rootfs as `tag` through a docker runner; returns what `docker import` returned. */
export function importBusybox<R>(importTar: (tar: string) => R): R {
  const { tar, cleanup } = busyboxRootfsTar();
  try {
    return importTar(tar);
  } finally {
    cleanup();
  }
}
