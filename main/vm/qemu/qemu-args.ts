import { join } from 'node:path';
import type { SharedFolder } from '../shared-folders';
import { GUEST_SYNC_CHANGES_PORT, GUEST_SYNC_PORT } from '../../link/sync-protocol';
import type { ShareOptions } from '../share-options';
import {
  BALLOON_ID,
  DISK_SERIAL,
  GUEST_CONTROL_PORT,
  GUEST_OWN_CHANGES_PORT,
  FW_CFG_DAEMON_JSON,
  FW_CFG_ENGINE_PORT,
  FW_CFG_PREFIX,
  FW_CFG_TLS_FILES,
  GUEST_ENGINE_PORT,
  GUEST_IP,
} from '../../link/guest';
import { chooseMachine, profileFor } from './machine-profile';
import { incomingUri, type StateRef } from './saved-state';
import type { BootHost } from './accel-choice';

/** Everything the argument builder needs; no I/O happens while building. */
export interface QemuLaunchSpec {
  cpus: number;
  memoryMiB: number;
  /** vmlinux (PVH) or bzImage. */
  kernel: string;
  initrd: string;
  cmdline: string;
  rootfs: string;
  dataDisk: string;
  /** Directory holding ca.pem, server-cert.pem, server-key.pem for the guest. */
  guestTlsDir: string;
  /** Host port on 127.0.0.1 forwarded to dockerd's TLS port. */
  enginePort: number;
  qmpSocket: string;
  pidFile: string;
  /** Host folders shared over virtio-9p or virtio-fs, and the file that lists them for the guest. */
  shares: readonly SharedFolder[];
  /** QEMU's side of the share options (share-options.ts). */
  shareSecurityModel: ShareOptions['securityModel'];
  /** The shares over virtio-fs instead of 9p: each one's virtiofsd socket, in the shares' order (share-transport.ts). */
  virtiofsSockets?: readonly string[];
  mountList: string;
  /** The engine's daemon.json, written beside the disk (0600) for the guest to read through fw_cfg; the image's own if omitted. */
  daemonJson?: string;
  /** The host end of the guest's control port (a unix socket QEMU listens on). */
  controlSocket: string;
  /** The host end of the guest's own-changes port (own-changes.ts); none when omitted. */
  ownSocket?: string;
  /** The host ends of sync.sh's two ports: commands, and the copies' changes. */
  syncSockets?: { commands: string; changes: string };
  /**
   * Resume the state saved in this file (saved-state.ts) instead of booting. QEMU
   * then starts paused, so the agent can connect the control port before the
   * guest runs on; every other argument must be the ones the state was saved with.
   */
  resumeFrom?: StateRef;
  /** The versioned machine type the saved state was made on (pc-i440fx-7.2, virt-9.2), in place of `pc`/`virt`, so a resume gets that very machine. */
  machineType?: string;
  /**
   * TCG's threading, single unless asked: bench/boot asks for multi only to compare
   * like for like with figures measured that way (the Debian 12 guest's). It is not
   * sound with QEMU 7.2 and this guest (see buildQemuCommand), so Berth never runs it.
   */
  tcgThreads?: 'single' | 'multi';
}

/** A ready-to-spawn command line, and what a person should know about it (a capped vCPU count). */
export interface QemuCommand {
  binary: string;
  args: string[];
  notices: string[];
}

/**
 * What the guest is told under software emulation, each measured with bench/boot:
 * - `mitigations=off`: TCG executes nothing speculatively, so the Spectre-class
 *   mitigations only cost time; with hvf or KVM the real CPU speculates and they stay.
 * - `init_on_alloc=0`: Debian zeroes every kernel allocation by default; under emulation that
 *   cost 1.3 s of boot (8.75 s from /init to the API against 7.43 s, interleaved pairs).
 * - `berth.tcg` tells rc.boot to start dockerd without address randomization (TCG keys
 *   translated code by virtual address, so each randomized `iptables` dockerd runs at startup
 *   was translated afresh: 54 ms each, 11–14 ms without) and with one Go processor.
 */
export const TCG_CMDLINE = 'mitigations=off init_on_alloc=0 berth.tcg';

/** A value inside a QEMU option string: a comma separates options unless doubled. */
export function qemuOptValue(v: string): string {
  return v.replace(/,/g, ',,');
}

/** The QEMU binary for the host's architecture. */
export function qemuBinary(arch: string): string {
  return profileFor(arch).qemuBinary;
}

/**
 * Builds QEMU's command line from the launch spec and the boot's host. Pure,
 * so every flag is unit-tested. x86_64 boots vmlinux through its PVH note,
 * aarch64 an Image on `-M virt`. Only options the host's QEMU accepts appear:
 * macOS's QEMU exits on `process=` (os_set_proc_name needs Linux's prctl) and
 * has no KVM, vhost, memfd backends or io_uring, none of which Berth uses
 * elsewhere either.
 */
export function buildQemuCommand(spec: QemuLaunchSpec, host: BootHost): QemuCommand {
  const args: string[] = [];
  const push = (...a: string[]) => args.push(...a);

  push('-name', host.platform === 'linux' ? 'berth,process=berth-vm' : 'berth');
  const m = chooseMachine({ platform: host.platform, arch: host.arch, accel: host.accel, qemu: host.qemu, sme: host.sme, cpus: spec.cpus });
  push('-M', spec.machineType ? m.machine.replace(/^[^,]+/, spec.machineType) : m.machine);
  if (host.accel === 'tcg') {
    // Single-threaded TCG: with one host thread per vCPU (thread=multi), QEMU 7.2 let a vCPU run
    // stale code while the 6.12 guest kernel patched its own text (static keys flip as the first
    // container starts and the last one exits), and the guest died of an unhandled int3 Oops in
    // about one suite run in three. One thread is slower to boot (measured in bench/boot) but sound.
    // A larger translation cache avoids re-translating dockerd.
    push('-accel', `tcg,thread=${spec.tcgThreads ?? 'single'},tb-size=256`);
  } else {
    push('-accel', host.accel);
  }
  push('-cpu', m.cpu, '-smp', String(m.cpus), '-m', `${spec.memoryMiB}M`);
  // No default devices, no user config, no reboot: a guest panic ends QEMU instead of looping.
  push('-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot');
  push('-kernel', spec.kernel, '-initrd', spec.initrd, '-append', host.accel === 'tcg' ? `${spec.cmdline} ${TCG_CMDLINE}` : spec.cmdline);
  const q = qemuOptValue;

  push('-drive', `file=${q(spec.rootfs)},if=none,id=root,format=raw,readonly=on`);
  push('-device', `virtio-blk-pci,drive=root,serial=${DISK_SERIAL.root}`);
  // discard=unmap lets the guest's trims shrink the qcow2 on the host.
  push('-drive', `file=${q(spec.dataDisk)},if=none,id=data,format=qcow2,discard=unmap,cache=writeback`);
  push('-device', `virtio-blk-pci,drive=data,serial=${DISK_SERIAL.data}`);

  // The engine port binds 127.0.0.1 only: nobody else on the host or network reaches dockerd.
  push('-netdev', `user,id=net0,ipv6=off,hostfwd=tcp:127.0.0.1:${spec.enginePort}-${GUEST_IP}:${GUEST_ENGINE_PORT}`);
  push('-device', 'virtio-net-pci,netdev=net0');
  push('-device', 'virtio-rng-pci');
  // Free page reporting hands memory the guest frees back to the host, so the
  // VM's footprint shrinks after a build; the balloon also reports the guest's
  // own memory statistics (polled only while someone watches them).
  push('-device', `virtio-balloon-pci,id=${BALLOON_ID},deflate-on-oom=on,free-page-reporting=on`);

  for (const f of FW_CFG_TLS_FILES) push('-fw_cfg', `name=${FW_CFG_PREFIX}/${f},file=${q(join(spec.guestTlsDir, f))}`);
  push('-fw_cfg', `name=${FW_CFG_PREFIX}/${FW_CFG_ENGINE_PORT},string=${spec.enginePort}`);
  if (spec.daemonJson) push('-fw_cfg', `name=${FW_CFG_PREFIX}/${FW_CFG_DAEMON_JSON},file=${q(spec.daemonJson)}`);

  push(...shareArgs(spec));
  push('-fw_cfg', `name=${FW_CFG_PREFIX}/mounts,file=${q(spec.mountList)}`);

  push(...hostChannels(spec));
  return { binary: qemuBinary(host.arch), args, notices: m.notices };
}

/** The host's ways into the machine: the guest's control port, the serial console, QMP, and a resume's saved state. */
function hostChannels(spec: QemuLaunchSpec): string[] {
  const q = qemuOptValue;
  return [
    // The control port: virtio-serial, because virtio_console is already in the guest (QEMU's guest
    // agent would add a program; vsock needs vhost on the host, which macOS's QEMU lacks).
    '-device',
    'virtio-serial-pci,id=vser0',
    '-chardev',
    `socket,id=control,path=${q(spec.controlSocket)},server=on,wait=off`,
    '-device',
    `virtserialport,bus=vser0.0,chardev=control,name=${GUEST_CONTROL_PORT}`,
    ...(spec.ownSocket ? ['-chardev', `socket,id=own,path=${q(spec.ownSocket)},server=on,wait=off`, '-device', `virtserialport,bus=vser0.0,chardev=own,name=${GUEST_OWN_CHANGES_PORT}`] : []),
    ...syncChannels(spec),
    '-chardev',
    'stdio,id=console,signal=off',
    '-serial',
    'chardev:console',
    '-chardev',
    `socket,id=qmp,path=${q(spec.qmpSocket)},server=on,wait=off`,
    '-mon',
    'chardev=qmp,mode=control',
    '-pidfile',
    spec.pidFile,
    ...(spec.resumeFrom ? ['-S', '-incoming', incomingUri(spec.resumeFrom)] : []),
  ];
}

/**
 * The shared folders' devices. Over 9p, QEMU itself serves each folder, creating files as the
 * user running it, so root in a container can write the user's files and what it creates is
 * the user's on the host. Over virtio-fs a virtiofsd serves each one and maps the guest's
 * memory (vhost-user), so the RAM must be a shared memfd: Linux only (macOS's QEMU has
 * neither memfd nor vhost-user).
 */
function shareArgs(spec: QemuLaunchSpec): string[] {
  const q = qemuOptValue;
  const sockets = spec.virtiofsSockets;
  if (!sockets) {
    return spec.shares.flatMap((s, i) => ['-fsdev', `local,id=fs${i},path=${q(s.hostPath)},security_model=${spec.shareSecurityModel}`, '-device', `virtio-9p-pci,fsdev=fs${i},mount_tag=${s.tag}`]);
  }
  const ram = spec.shares.length ? ['-object', `memory-backend-memfd,id=ram,size=${spec.memoryMiB}M,share=on`, '-numa', 'node,memdev=ram'] : [];
  return [...ram, ...spec.shares.flatMap((s, i) => ['-chardev', `socket,id=fs${i},path=${q(sockets[i]!)}`, '-device', `vhost-user-fs-pci,chardev=fs${i},tag=${s.tag}`])];
}

/** sync.sh's two virtio-serial ports (main/link/sync-protocol.ts), each on a unix socket QEMU listens on. */
function syncChannels(spec: QemuLaunchSpec): string[] {
  const s = spec.syncSockets;
  if (!s) return [];
  const q = qemuOptValue;
  return [
    ['sync', s.commands, GUEST_SYNC_PORT],
    ['syncchanges', s.changes, GUEST_SYNC_CHANGES_PORT],
  ].flatMap(([id, path, name]) => ['-chardev', `socket,id=${id},path=${q(path)},server=on,wait=off`, '-device', `virtserialport,bus=vser0.0,chardev=${id},name=${name}`]);
}
