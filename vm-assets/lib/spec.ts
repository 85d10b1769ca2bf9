/**
 * What the guest is made of. Everything here comes from Debian packages fetched
 * with `apt-get download`; nothing is downloaded from any other host.
 */

import type { AssetManifest, GuestArch } from '../../main/vm/assets';

/** The Debian release both guests are built from. */
export const GUEST_SUITE = 'trixie';

/** The kernel metapackage; it is resolved to the concrete `linux-image-<abi>-<arch>`. */
export const kernelMetapackage = (arch: GuestArch) => `linux-image-${arch}`;

/** The GNU triplet of each architecture's library folders. */
export const TRIPLET: Record<GuestArch, string> = { amd64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

/**
 * Packages whose files go into the squashfs root. Libraries are listed
 * explicitly so the build is hermetic; the NEEDED closure is checked against
 * them and the build fails naming any soname that is missing.
 */
export const ROOT_PACKAGES = [
  'busybox-static',
  'docker.io',
  'containerd',
  'runc',
  'tini',
  'iptables',
  'libxtables12',
  'libip4tc2',
  'libip6tc2',
  'libnetfilter-conntrack3',
  'libnfnetlink0',
  'libmnl0',
  'e2fsprogs',
  'libext2fs2t64',
  'libcom-err2',
  'libblkid1',
  'libuuid1',
  'libss2',
  'libc6',
  'libsystemd0',
  'libdevmapper1.02.1',
  'libcap2',
  'libgcrypt20',
  'libgpg-error0',
  'liblzma5',
  'libzstd1',
  'liblz4-1',
  'libselinux1',
  'libudev1',
  'libpcre2-8-0',
  'libseccomp2',
  // dnsmasq: answers host.docker.internal and forwards the rest to QEMU's resolver
  'dnsmasq-base',
  'libdbus-1-3',
  'libgmp10',
  'libhogweed6t64',
  'libnettle8t64',
  'libidn2-0',
  'libunistring5',
  'libnftables1',
  'libnftnl11',
  'libjansson4',
  'libedit2',
  'libbsd0',
  'libmd0',
  'libtinfo6',
  // GNU dd (`iflag=nocache`): live-changes.sh drops one file's stale pages with it
  'coreutils',
  // the other architecture's user-mode emulator, and its binfmt_misc magic (see binfmtRule)
  'qemu-user',
  'qemu-user-binfmt',
] as const;

/**
 * Files taken from the extracted packages into the root, as [source, destination].
 * Only what dockerd needs at run time: no docker CLI, no ctr, no nft tools.
 * No busybox either: the root's applet links point at `/usr/bin/busybox`, which
 * stage 1 hands over from the initrd (the same binary, so it is shipped once).
 */
export const ROOT_FILES: ReadonlyArray<readonly [string, string]> = [
  ['usr/sbin/dockerd', 'usr/bin/dockerd'],
  ['usr/sbin/docker-proxy', 'usr/bin/docker-proxy'],
  ['usr/bin/tini-static', 'usr/bin/docker-init'],
  ['usr/bin/containerd', 'usr/bin/containerd'],
  ['usr/bin/containerd-shim-runc-v2', 'usr/bin/containerd-shim-runc-v2'],
  ['usr/sbin/runc', 'usr/bin/runc'],
  ['usr/sbin/xtables-legacy-multi', 'usr/sbin/xtables-legacy-multi'],
  ['sbin/mke2fs', 'usr/sbin/mke2fs'],
  ['sbin/resize2fs', 'usr/sbin/resize2fs'],
  ['etc/mke2fs.conf', 'etc/mke2fs.conf'],
  ['usr/sbin/dnsmasq', 'usr/sbin/dnsmasq'],
  // Not usr/bin/dd: that name is busybox's applet.
  ['usr/bin/dd', 'usr/lib/berth/gnu-dd'],
];

/** The architecture whose images each guest runs through binfmt_misc and QEMU's user-mode emulator. */
export const FOREIGN: Record<GuestArch, string> = { amd64: 'aarch64', arm64: 'x86_64' };

/** ROOT_FILES plus the foreign architecture's emulator (a static binary, so containers need nothing). */
export const rootFiles = (arch: GuestArch): ReadonlyArray<readonly [string, string]> => [...ROOT_FILES, [`usr/bin/qemu-${FOREIGN[arch]}`, `usr/bin/qemu-${FOREIGN[arch]}`]];

/**
 * The binfmt_misc rule for the foreign architecture, from Debian's own magic
 * and mask (qemu-user-binfmt's binfmt.d file), pointing at the emulator in the
 * root. Flags: F opens the emulator when the rule is registered, so it works
 * inside every container's mount namespace; C runs setuid binaries with their
 * own credentials.
 */
export function binfmtRule(debianConf: string, arch: GuestArch): string {
  const fields = debianConf.trim().split(':');
  if (fields.length < 8 || fields[2] !== 'M') throw new Error(`unexpected binfmt.d rule: ${debianConf.trim()}`);
  const [, name, type, offset, magic, mask] = fields;
  return [`:${name}`, type, offset, magic, mask, `/usr/bin/qemu-${FOREIGN[arch]}`, 'CF'].join(':');
}

/** Whole directories copied as they are (iptables loads these at run time, so ldd cannot see them). */
export const rootDirs = (arch: GuestArch) => [`usr/lib/${TRIPLET[arch]}/xtables`];

/** Names that point at xtables-legacy-multi: dockerd calls `iptables`, legacy mode avoids nf_tables. */
export const IPTABLES_LINKS = ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore'] as const;

/** Kernel modules stage 1 needs to reach the root filesystem; nothing else slows the initrd. */
export const STAGE1_MODULES = ['virtio_pci', 'virtio_blk', 'squashfs', 'overlay'] as const;

/**
 * Kernel modules the root carries (with its own modules.dep, so busybox
 * modprobe and the kernel's request_module both work there). rc.boot loads the
 * first group at once and the second in the background while it mounts disks.
 */
export const ROOT_MODULES_NOW = ['virtio_net', 'virtio_console', 'virtio_rng', 'qemu_fw_cfg', 'crc32c_generic', 'ext4'] as const;
export const ROOT_MODULES_LATER = [
  // container networking (the NAT rule and dockerd's bridge need these before dockerd starts;
  // nf_conntrack_netlink lets dockerd flush stale UDP flows when a published container restarts)
  'veth',
  'bridge',
  'br_netfilter',
  'nf_conntrack',
  'nf_nat',
  'ip_tables',
  'iptable_filter',
  'iptable_nat',
  'nf_conntrack_netlink',
  'xt_MASQUERADE',
  'xt_addrtype',
  'xt_conntrack',
  'xt_nat',
  'xt_tcpudp',
  'xt_comment',
  'xt_mark',
  'xt_multiport',
  'ipt_REJECT',
  // host folders
  '9p',
  '9pnet_virtio',
  // images of the other architecture
  'binfmt_misc',
  // the power button's input events, which busybox acpid reads
  'evdev',
  // memory statistics for the Resources page, and free page reporting so idle guest memory goes back to the host
  'virtio_balloon',
] as const;

/**
 * How QMP system_powerdown reaches the guest: the PC's ACPI power button, or
 * on Arm's `virt` board (booted with a device tree) a GPIO key.
 */
export const POWER_BUTTON_MODULES: Record<GuestArch, readonly string[]> = { amd64: ['button'], arm64: ['gpio_keys'] };

/** Busybox applets the stage-1 initrd needs. */
export const INITRD_APPLETS = ['sh', 'mount', 'umount', 'modprobe', 'mkdir', 'cat', 'cp', 'switch_root', 'echo', 'sleep', 'ls'] as const;

/**
 * The download budget: each architecture's kernel + initrd + root, compressed
 * as they would ship (PAYLOAD_ZSTD_ARGS), must fit it. The build fails past it.
 */
export const PAYLOAD_BUDGET_BYTES = 60e6;

/**
 * zstd's strongest level with a 256 MiB window, which spans the whole root: the
 * engine's Go binaries (dockerd, containerd, the shim, runc) share much code far
 * apart. Decompressing needs `--long=28` too.
 */
export const PAYLOAD_ZSTD_ARGS = ['--ultra', '-22', '--long=28'] as const;

/** What a built guest weighs against the budget: its artifacts compressed as they ship (0 for a `--dev` build). */
export function payloadBytes(m: AssetManifest): number {
  return Object.values(m.artifacts).reduce((sum, a) => sum + a.zstdSize, 0);
}

/**
 * The kernel command line. `panic=-1` plus QEMU's `-no-reboot` turns a guest
 * panic into a QEMU exit the host sees, instead of a VM that hangs. On x86_64
 * the console is the PC's serial port and the i8042 flags skip probing a PS/2
 * mouse and keyboard we never attach; Arm's `virt` board has a PL011 UART.
 */
export function kernelCmdline(arch: GuestArch): string {
  const common = ['quiet', 'loglevel=3', 'panic=-1', 'cryptomgr.notests', 'random.trust_cpu=on'];
  if (arch === 'arm64') return ['console=ttyAMA0', ...common].join(' ');
  return ['console=ttyS0', ...common, 'i8042.noaux', 'i8042.nomux', 'i8042.nopnp', 'i8042.dumbkbd'].join(' ');
}
