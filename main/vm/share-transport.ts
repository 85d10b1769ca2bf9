import { existsSync } from 'node:fs';
import type { ShareOptions } from './share-options';

/**
 * A virtiofsd this host can run: QEMU 7.2's C daemon (Debian 12; `-o` options) or the Rust
 * one (Debian 13, Fedora; `--` options). Both need root here: the C one for its sandbox, and
 * the Rust one, run as a user, would refuse a container's owner change that 9p ignores (so
 * `tar -x` as root would fail), so a user's Berth keeps 9p.
 */
export interface Virtiofsd {
  path: string;
  kind: 'c' | 'rust';
  /** The open-files limit a boot sets it to (share options' `nofile`); otherwise it raises its own as far as it may. */
  nofile?: number;
}

/** Where each kind is installed, in the order they are looked for. */
const VIRTIOFSD_PATHS: readonly Virtiofsd[] = [
  { path: '/usr/libexec/virtiofsd', kind: 'rust' },
  { path: '/usr/lib/qemu/virtiofsd', kind: 'c' },
];

/** The virtiofsd a Linux host running as root has, if any. */
export function findVirtiofsd(uid: number, exists: (p: string) => boolean = existsSync): Virtiofsd | undefined {
  return uid === 0 ? VIRTIOFSD_PATHS.find((d) => exists(d.path)) : undefined;
}

/** How one boot serves the shares. */
export type ShareTransport = { kind: '9p' } | { kind: 'virtiofs'; virtiofsd: Virtiofsd };

/**
 * virtio-fs where the host has a virtiofsd it may run (a request is one hand-off to virtiofsd,
 * where 9p's crosses QEMU's threads several times: docs/performance.md#file-sharing), else 9p,
 * which macOS's QEMU has. A transport
 * named in the share options is taken as asked, and virtio-fs asked of a host without a
 * virtiofsd is an error that says what is missing.
 */
export function chooseShareTransport(options: ShareOptions, virtiofsd: Virtiofsd | undefined): ShareTransport {
  if (options.transport === '9p' || (!options.transport && !virtiofsd)) return { kind: '9p' };
  if (!virtiofsd) {
    throw new Error('BERTH_SHARE_OPTIONS asks for transport=virtiofs, but this host has no virtiofsd Berth may run (one of /usr/libexec/virtiofsd or /usr/lib/qemu/virtiofsd, on Linux, as root)');
  }
  return { kind: 'virtiofs', virtiofsd: options.nofile ? { ...virtiofsd, nofile: options.nofile } : virtiofsd };
}

/**
 * virtiofsd's arguments for one shared folder. `cache=always`: the guest keeps names, attributes
 * and pages until told, so reading a tree costs an open and a close per file, not a lookup, an
 * attribute fetch and its pages as well. Live changes tell it: every folder a running container
 * binds is watched on the host, each changed path is refreshed in the guest, and what it holds
 * of a folder is dropped when that folder starts to be watched (live-changes.sh).
 */
export function virtiofsdArgs(d: Virtiofsd, socket: string, dir: string): string[] {
  if (d.kind === 'rust') return ['--socket-path', socket, '--shared-dir', dir, '--cache', 'always', ...(d.nofile ? ['--rlimit-nofile', String(d.nofile)] : [])];
  return [`--socket-path=${socket}`, '-o', `source=${dir}`, '-o', 'cache=always', ...(d.nofile ? [`--rlimit-nofile=${d.nofile}`] : [])];
}
