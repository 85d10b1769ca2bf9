import { describe, expect, test } from 'vitest';
import { buildQemuCommand, type QemuLaunchSpec } from './qemu-args';
import { parseQemuVersion } from './qemu-version';
import { AccelPolicy } from './accel-policy';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../common/logger';
import { QemuDriver } from './qemu-driver';
import type { BootHost } from './accel-choice';

const spec: QemuLaunchSpec = {
  cpus: 2,
  memoryMiB: 2048,
  kernel: '/a/vmlinux',
  initrd: '/a/initrd.img',
  cmdline: 'console=ttyS0 quiet',
  rootfs: '/a/rootfs.squashfs',
  dataDisk: '/s/data.qcow2',
  guestTlsDir: '/s/tls',
  enginePort: 41234,
  qmpSocket: '/s/qmp.sock',
  controlSocket: '/s/control.sock',
  pidFile: '/s/qemu.pid',
  shares: [{ tag: 'berth0', hostPath: '/home/u' }],
  mountList: '/s/mounts.tsv',
  shareSecurityModel: 'none',
};
const linuxTcg: BootHost = {
  platform: 'linux',
  arch: 'x64',
  cpus: 2,
  accel: 'tcg',
  accelReason: 'test',
  qemu: parseQemuVersion('QEMU emulator version 7.2.22'),
  sme: false,
  childDiesWithParent: true,
};

/** The value that follows each occurrence of a flag. */
function values(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

describe('buildQemuCommand', () => {
  test('x86_64 under TCG boots the PVH kernel with single-threaded TCG and cpu max', () => {
    const { binary, args } = buildQemuCommand(spec, linuxTcg);
    expect(binary).toBe('qemu-system-x86_64');
    expect(values(args, '-accel')).toEqual(['tcg,thread=single,tb-size=256']);
    expect(values(args, '-cpu')).toEqual(['max']);
    expect(values(args, '-kernel')).toEqual(['/a/vmlinux']);
    // Under TCG nothing executes speculatively: the mitigations only cost time.
    expect(values(args, '-append')).toEqual(['console=ttyS0 quiet mitigations=off init_on_alloc=0 berth.tcg']);
    expect(values(args, '-smp')).toEqual(['2']);
    expect(values(args, '-m')).toEqual(['2048M']);
    expect(args).toContain('-no-reboot');
    expect(args).toContain('-nodefaults');
  });

  test("multi-threaded TCG only when asked (bench/boot's like-for-like comparison), never with a hardware accelerator", () => {
    expect(values(buildQemuCommand({ ...spec, tcgThreads: 'multi' }, linuxTcg).args, '-accel')).toEqual(['tcg,thread=multi,tb-size=256']);
    expect(values(buildQemuCommand({ ...spec, tcgThreads: 'multi' }, { ...linuxTcg, accel: 'kvm' }).args, '-accel')).toEqual(['kvm']);
  });

  test("kvm and hvf use the host CPU model, and keep the kernel's mitigations (the real CPU speculates)", () => {
    for (const accel of ['kvm', 'hvf'] as const) {
      const { args } = buildQemuCommand(spec, { ...linuxTcg, accel, arch: accel === 'hvf' ? 'arm64' : 'x64' });
      expect(values(args, '-accel')).toEqual([accel]);
      expect(values(args, '-cpu')).toEqual(['host']);
      expect(values(args, '-append')).toEqual(['console=ttyS0 quiet']);
    }
  });

  test('the engine port is forwarded from 127.0.0.1 only, to the guest TLS port', () => {
    const { args } = buildQemuCommand(spec, linuxTcg);
    const netdev = values(args, '-netdev')[0];
    expect(netdev).toContain('hostfwd=tcp:127.0.0.1:41234-10.0.2.15:2376');
    expect(netdev).not.toMatch(/hostfwd=tcp::|0\.0\.0\.0/);
  });

  test('disks carry the serials the guest looks for; the root is read-only', () => {
    const { args } = buildQemuCommand(spec, linuxTcg);
    const drives = values(args, '-drive');
    expect(drives[0]).toMatch(/file=\/a\/rootfs.squashfs,.*format=raw,readonly=on/);
    expect(drives[1]).toMatch(/file=\/s\/data.qcow2,.*format=qcow2,discard=unmap/);
    const devices = values(args, '-device');
    expect(devices).toContain('virtio-blk-pci,drive=root,serial=berth-root');
    expect(devices).toContain('virtio-blk-pci,drive=data,serial=berth-data');
  });

  test('a balloon with free page reporting hands freed guest memory back, and carries the id the stats path names', () => {
    const { args } = buildQemuCommand(spec, linuxTcg);
    expect(values(args, '-device')).toContain('virtio-balloon-pci,id=balloon0,deflate-on-oom=on,free-page-reporting=on');
  });

  test('TLS material goes in through fw_cfg, QMP through a unix socket', () => {
    const { args } = buildQemuCommand(spec, linuxTcg);
    expect(values(args, '-fw_cfg').slice(0, 3)).toEqual([
      'name=opt/berth/ca.pem,file=/s/tls/ca.pem',
      'name=opt/berth/server-cert.pem,file=/s/tls/server-cert.pem',
      'name=opt/berth/server-key.pem,file=/s/tls/server-key.pem',
    ]);
    expect(values(args, '-chardev')).toContain('socket,id=qmp,path=/s/qmp.sock,server=on,wait=off');
    expect(values(args, '-pidfile')).toEqual(['/s/qemu.pid']);
  });

  test("the engine's daemon.json reaches the guest through fw_cfg, as a file, and only when there is one", () => {
    expect(values(buildQemuCommand(spec, linuxTcg).args, '-fw_cfg').some((v) => v.includes('daemon.json'))).toBe(false);
    const on = buildQemuCommand({ ...spec, daemonJson: '/s/daemon.json' }, linuxTcg);
    expect(values(on.args, '-fw_cfg')).toContain('name=opt/berth/daemon.json,file=/s/daemon.json');
  });

  test('host folders are shared over virtio-9p with the chosen security model, and listed for the guest', () => {
    const { args } = buildQemuCommand(spec, linuxTcg);
    expect(values(args, '-fsdev')).toEqual(['local,id=fs0,path=/home/u,security_model=none']);
    expect(values(buildQemuCommand({ ...spec, shareSecurityModel: 'mapped-xattr' }, linuxTcg).args, '-fsdev')).toEqual(['local,id=fs0,path=/home/u,security_model=mapped-xattr']);
    expect(values(args, '-device')).toContain('virtio-9p-pci,fsdev=fs0,mount_tag=berth0');
    expect(values(args, '-fw_cfg')).toContain('name=opt/berth/mounts,file=/s/mounts.tsv');
  });

  test('over virtio-fs, each share is a vhost-user-fs device on its virtiofsd socket, with the RAM a shared memfd of the machine size', () => {
    const plain = buildQemuCommand(spec, linuxTcg).args;
    expect(plain.join(' ')).not.toMatch(/vhost-user|memory-backend|-numa/);
    const { args } = buildQemuCommand({ ...spec, virtiofsSockets: ['/s/fs0.sock'] }, linuxTcg);
    expect(values(args, '-fsdev')).toEqual([]);
    expect(values(args, '-object')).toContain(`memory-backend-memfd,id=ram,size=${spec.memoryMiB}M,share=on`);
    expect(values(args, '-numa')).toEqual(['node,memdev=ram']);
    expect(values(args, '-chardev')).toContain('socket,id=fs0,path=/s/fs0.sock');
    expect(values(args, '-device')).toContain('vhost-user-fs-pci,chardev=fs0,tag=berth0');
    expect(values(args, '-fw_cfg')).toContain('name=opt/berth/mounts,file=/s/mounts.tsv');
  });

  test('the guest control port is a virtio-serial port named for rc.control, on a unix socket QEMU listens on', () => {
    const { args } = buildQemuCommand(spec, linuxTcg);
    expect(values(args, '-device')).toContain('virtio-serial-pci,id=vser0');
    expect(values(args, '-chardev')).toContain('socket,id=control,path=/s/control.sock,server=on,wait=off');
    expect(values(args, '-device')).toContain('virtserialport,bus=vser0.0,chardev=control,name=berth.control');
    expect(args).not.toContain('-incoming');
  });

  test("the containers' own changes come on a port of their own, named for live-changes.sh; without its socket, none", () => {
    const { args } = buildQemuCommand({ ...spec, ownSocket: '/s/own.sock' }, linuxTcg);
    expect(values(args, '-chardev')).toContain('socket,id=own,path=/s/own.sock,server=on,wait=off');
    expect(values(args, '-device')).toContain('virtserialport,bus=vser0.0,chardev=own,name=berth.own-changes');
    expect(values(buildQemuCommand(spec, linuxTcg).args, '-chardev').join()).not.toContain('id=own');
  });

  test("synchronized folders' two ports are virtio-serial ports named for sync.sh, on sockets QEMU listens on; without them, none", () => {
    const { args } = buildQemuCommand({ ...spec, syncSockets: { commands: '/s/sync.sock', changes: '/s/sync-changes.sock' } }, linuxTcg);
    expect(values(args, '-chardev')).toEqual(expect.arrayContaining(['socket,id=sync,path=/s/sync.sock,server=on,wait=off', 'socket,id=syncchanges,path=/s/sync-changes.sock,server=on,wait=off']));
    expect(values(args, '-device')).toEqual(
      expect.arrayContaining(['virtserialport,bus=vser0.0,chardev=sync,name=berth.sync', 'virtserialport,bus=vser0.0,chardev=syncchanges,name=berth.sync-changes']),
    );
    expect(values(buildQemuCommand(spec, linuxTcg).args, '-chardev').filter((c) => c.includes('sync'))).toEqual([]);
  });

  test('a resume starts paused and reads the saved state, with every other argument as at boot', () => {
    const boot = buildQemuCommand(spec, linuxTcg).args;
    const resume = buildQemuCommand({ ...spec, resumeFrom: { file: '/s/sleep.state' } }, linuxTcg).args;
    expect(resume.slice(0, boot.length)).toEqual(boot);
    expect(resume.slice(boot.length)).toEqual(['-S', '-incoming', 'exec:cat /s/sleep.state']);
  });

  test('arm64 hosts get the aarch64 binary and the virt machine', () => {
    const { binary, args } = buildQemuCommand(spec, { ...linuxTcg, arch: 'arm64', platform: 'darwin', accel: 'hvf' });
    expect(binary).toBe('qemu-system-aarch64');
    expect(values(args, '-M')).toEqual(['virt']);
    const resumed = buildQemuCommand({ ...spec, machineType: 'virt-7.2' }, { ...linuxTcg, arch: 'arm64' });
    expect(values(resumed.args, '-M')).toEqual(['virt-7.2,gic-version=3']);
  });
});

describe('QemuDriver', () => {
  test('capabilities name the architecture, the accelerators and what the machine supports', () => {
    const driver = (platform: NodeJS.Platform, arch: string) =>
      new QemuDriver({
        stateDir: '/nonexistent',
        assets: () => {
          throw new Error('unused');
        },
        accel: AccelPolicy.auto('/nonexistent/v.json'),
        host: () => ({ platform, arch, cpus: 2 }),
      });
    expect(driver('linux', 'x64').capabilities()).toEqual({ arch: 'x86_64', accelerators: ['kvm', 'tcg'], portForwarding: true, sharedFolders: '9p', snapshots: true });
    expect(driver('darwin', 'arm64').capabilities()).toMatchObject({ arch: 'aarch64', accelerators: ['hvf', 'tcg'] });
  });

  test('validate finds QEMU in a known location off PATH and puts that folder first on the PATH it runs with', async () => {
    const known = mkdtempSync(join(tmpdir(), 'berth-brew-'));
    for (const tool of ['qemu-system-aarch64', 'qemu-img']) {
      writeFileSync(join(known, tool), '#!/bin/sh\n');
      chmodSync(join(known, tool), 0o755);
    }
    // launchd's PATH on a Mac has no QEMU; an empty folder plays it (this host may well have QEMU in /usr/bin).
    const launchdPath = mkdtempSync(join(tmpdir(), 'berth-launchd-path-'));
    const env: NodeJS.ProcessEnv = { PATH: launchdPath, SHELL: '/bin/false' };
    const logged: string[] = [];
    const driver = new QemuDriver({
      stateDir: '/nonexistent',
      assets: () => {
        throw new Error('unused');
      },
      accel: AccelPolicy.auto('/nonexistent/v.json'),
      host: () => ({ platform: 'darwin', arch: 'arm64', cpus: 2 }),
      knownQemuDirs: ['/nonexistent/opt/homebrew/bin', known],
      env,
      log: { info: (m: string) => void logged.push(m) } as unknown as Logger,
    });
    expect(await driver.validate()).toEqual({ dir: known, source: 'known location' });
    expect(env.PATH).toBe(`${known}:${launchdPath}`);
    expect(logged).toEqual([`vm: using QEMU from ${known} (known location)`]);
  });
});
