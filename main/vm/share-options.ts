/**
 * How the host folders are shared: the transport, when one is asked (share-transport.ts
 * chooses otherwise), and 9p's options: QEMU's security model on the host side, and the
 * guest's cache mode and message size. One shipped default, chosen with bench/mounts
 * (docs/performance.md has the comparison); the agent's BERTH_SHARE_OPTIONS overrides it,
 * for that comparison and for tests of each transport.
 */
export interface ShareOptions {
  /**
   * `none`: files are created as the user running QEMU with the guest's mode, so
   * symlinks stay symlinks and `chmod +x` reaches the host; an owner change the
   * user may not make is ignored. `mapped-xattr` keeps the guest's view in xattrs.
   */
  securityModel: 'none' | 'mapped-xattr';
  /** The guest's 9p cache mode (kernel 6.12: none, mmap, readahead, loose, or the mode's bits in hex: 0x3 is file data and metadata). */
  cache: 'none' | 'mmap' | 'readahead' | 'loose' | `0x${string}`;
  /** The largest 9p message, in KiB. */
  msizeKiB: number;
  /**
   * virtio-fs or 9p, when asked (tests of each path, bench/mounts' comparison); otherwise
   * virtio-fs where the host can serve it, 9p elsewhere (share-transport.ts). The options above
   * are 9p's.
   */
  transport?: '9p' | 'virtiofs';
  /**
   * virtio-fs only: each virtiofsd's open-files limit, lower than the host allows (tests of the
   * descriptor guard, virtiofs-fd-guard.ts); otherwise virtiofsd raises its own as far as it may.
   */
  nofile?: number;
}

/**
 * `cache=0x7` is `mmap` (file data, writable shared mappings) plus metadata caching, without
 * loose's looser coherence: metadata caching is what keeps a path's inode from one lookup to the
 * next, so an inotify watch on a subfolder sees events at all. The host's changes reach the
 * guest's caches through live changes (live-changes.sh).
 */
export const DEFAULT_SHARE_OPTIONS: ShareOptions = { securityModel: 'none', cache: '0x7', msizeKiB: 512 };

const MODELS: readonly ShareOptions['securityModel'][] = ['none', 'mapped-xattr'];
const CACHES: readonly ShareOptions['cache'][] = ['none', 'mmap', 'readahead', 'loose'];

/** Parses `security_model=…,cache=…,msize=<KiB>` over the default; a wrong key or value is refused with the valid ones. */
export function shareOptionsFrom(text: string | undefined): ShareOptions {
  const o = { ...DEFAULT_SHARE_OPTIONS };
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [key, value = ''] = part.split('=');
    if (key === 'security_model' && (MODELS as string[]).includes(value)) o.securityModel = value as ShareOptions['securityModel'];
    else if (key === 'cache' && ((CACHES as string[]).includes(value) || /^0x[0-9a-f]{1,2}$/.test(value))) o.cache = value as ShareOptions['cache'];
    else if (key === 'msize' && /^\d+$/.test(value) && Number(value) >= 8 && Number(value) <= 4096) o.msizeKiB = Number(value);
    else if (key === 'transport' && (value === '9p' || value === 'virtiofs')) o.transport = value;
    else if (key === 'nofile' && /^\d+$/.test(value) && Number(value) >= 256 && Number(value) <= 1_048_576) o.nofile = Number(value);
    else
      throw new Error(
        `BERTH_SHARE_OPTIONS: ${JSON.stringify(part)} is not one of security_model=${MODELS.join('|')}, cache=${CACHES.join('|')}|0x<bits>, msize=<8-4096 KiB>, transport=9p|virtiofs, nofile=<256-1048576>`,
      );
  }
  return o;
}

/**
 * A share's filesystem type and mount options, as the mount list's third and fourth fields
 * carry them to the guest: 9p's options, or virtio-fs, which needs none.
 */
export function guestMount(o: ShareOptions, transport: '9p' | 'virtiofs' = '9p'): string {
  if (transport === 'virtiofs') return 'virtiofs\tdefaults';
  return `9p\ttrans=virtio,version=9p2000.L,msize=${o.msizeKiB * 1024},cache=${o.cache},access=client`;
}

/** A one-line description for logs and benchmarks, of the transport a boot chose. */
export function describeShareOptions(o: ShareOptions, transport: '9p' | 'virtiofs' = o.transport ?? '9p'): string {
  if (transport === 'virtiofs') return `virtio-fs, virtiofsd cache=always${o.nofile ? `, at most ${o.nofile} open files` : ''}`;
  return `9p, security_model=${o.securityModel}, cache=${o.cache}, msize ${o.msizeKiB} KiB`;
}
