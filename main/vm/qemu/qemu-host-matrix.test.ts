/**
 * The QEMU command for every host Berth meets: darwin/linux × arm64, x64 and an
 * x64 process under Rosetta × hvf/kvm/tcg × QEMU 7.2/8.2/9.2, built from host
 * facts injected through the one source (HostFacts), the way the agent does.
 */
import { describe, expect, test } from 'vitest';
import type { Accelerator } from '../accel';
import { darwinHost, hypervisorEntitlement, linuxHost, type CommandResult, type HostFacts, type RunCommand } from '../host-facts';
import { buildQemuCommand, type QemuLaunchSpec } from './qemu-args';
import { parseQemuVersion, type QemuVersion } from './qemu-version';
import { guestArchFor, nodeArchFor } from '../assets';
import { AccelUnavailableError, chooseAccelerator, type BootHost } from './accel-choice';
import { DEFAULT_SHARE_OPTIONS } from '../share-options';
import { chooseShareTransport } from '../share-transport';

const spec: QemuLaunchSpec = {
  cpus: 10,
  memoryMiB: 2048,
  kernel: '/a/k',
  initrd: '/a/i',
  cmdline: 'quiet',
  rootfs: '/a/r',
  dataDisk: '/s/d',
  guestTlsDir: '/s/t',
  enginePort: 1,
  qmpSocket: '/s/q',
  controlSocket: '/s/c',
  pidFile: '/s/p',
  mountList: '/s/m',
  shareSecurityModel: 'none',
  shares: [{ tag: 'berth0', hostPath: '/home/u' }],
};

/** sysctl and codesign answering as a Mac would; a STAND-IN command runner. */
function macCommands(o: { translated?: boolean; sme?: boolean; hvSupport?: boolean; entitled?: boolean }): RunCommand {
  return (file, args): CommandResult => {
    const ok = (stdout: string) => ({ status: 0, stdout, stderr: '' });
    if (file === 'sysctl') {
      const name = args[1];
      if (name === 'sysctl.proc_translated') return ok(o.translated ? '1\n' : '0\n');
      if (name === 'hw.optional.arm.FEAT_SME') return ok(o.sme ? '1\n' : '0\n');
      if (name === 'kern.hv_support') return ok(o.hvSupport === false ? '0\n' : '1\n');
      if (name === 'hw.ncpu') return ok('12\n');
    }
    if (file === 'codesign' && args[0] === '--verify') return o.entitled === false ? { status: 1, stdout: '', stderr: 'code object is not signed at all\n' } : ok('');
    if (file === 'codesign') return ok('<key>com.apple.security.hypervisor</key><true/>');
    return { status: null, stdout: '', stderr: 'not found' };
  };
}

type HostKind = 'arm64' | 'x64' | 'x64-under-rosetta';
const HOST_KINDS: HostKind[] = ['arm64', 'x64', 'x64-under-rosetta'];
const VERSIONS = ['7.2.22', '8.2.2', '9.2.0'].map((v) => parseQemuVersion(`QEMU emulator version ${v}`));
const ACCELS: Accelerator[] = ['hvf', 'kvm', 'tcg'];

function factsFor(platform: 'darwin' | 'linux', kind: HostKind, sme = false): HostFacts {
  // Linux as root with Debian 12's virtiofsd (a STAND-IN answer, whoever runs the test): the virtio-fs path.
  if (platform === 'linux') return { ...linuxHost(), arch: kind === 'arm64' ? 'arm64' : 'x64', virtiofsd: () => ({ path: '/usr/lib/qemu/virtiofsd', kind: 'c' }) };
  // An x64 process on Apple Silicon asks sysctl.proc_translated; the others are what the hardware is.
  if (kind === 'x64-under-rosetta') return darwinHost(macCommands({ translated: true, sme }));
  return darwinHost(macCommands({ sme }), kind);
}

/** The boot host the agent builds: the guest for the hardware's architecture, QEMU's version read once. */
function bootHost(facts: HostFacts, accel: Accelerator, qemu: QemuVersion): BootHost {
  return {
    platform: facts.platform,
    arch: nodeArchFor(guestArchFor(facts.arch)),
    cpus: facts.cpus,
    accel,
    accelReason: 't',
    qemu,
    sme: facts.cpuHasSme(),
    childDiesWithParent: facts.childDiesWithParent,
    virtiofsd: facts.virtiofsd(),
  };
}

const values = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
const LINUX_ONLY = [/process=/, /debug-threads/, /vhost/, /memory-backend-memfd/, /io_uring/, /^kvm$/];

describe('the QEMU command on every host', () => {
  for (const platform of ['darwin', 'linux'] as const) {
    for (const kind of HOST_KINDS) {
      if (platform === 'linux' && kind === 'x64-under-rosetta') continue;
      for (const accel of ACCELS) {
        for (const qemu of VERSIONS) {
          test(`${platform} ${kind}, ${accel}, QEMU ${qemu.major}.${qemu.minor}`, async () => {
            const facts = factsFor(platform, kind);
            const forced = chooseAccelerator({ setting: accel, platform, probe: async () => ({ ok: true, detail: '' }), hvf: () => facts.hvf('/q') });
            if ((accel === 'hvf' && platform !== 'darwin') || (accel === 'kvm' && platform !== 'linux')) {
              await expect(forced).rejects.toThrow(AccelUnavailableError);
              return;
            }
            expect((await forced).accel).toBe(accel);
            const host = bootHost(facts, accel, qemu);
            // The shares' transport as VmInstance chooses it: a Mac has no virtiofsd, so 9p.
            const transport = chooseShareTransport(DEFAULT_SHARE_OPTIONS, host.virtiofsd);
            expect(transport.kind).toBe(platform === 'darwin' ? '9p' : 'virtiofs');
            const { binary, args, notices } = buildQemuCommand({ ...spec, virtiofsSockets: transport.kind === 'virtiofs' ? ['/s/fs0.sock'] : undefined }, host);
            const arm = kind !== 'x64';
            // Rosetta changes nothing: the arm64 guest and its QEMU, as on a native arm64 process.
            expect(binary).toBe(arm ? 'qemu-system-aarch64' : 'qemu-system-x86_64');
            if (platform === 'darwin') {
              for (const a of args) for (const re of LINUX_ONLY) expect(a).not.toMatch(re);
              expect(values(args, '-device')).toContain('virtio-9p-pci,fsdev=fs0,mount_tag=berth0');
            } else {
              expect(values(args, '-name')).toEqual(['berth,process=berth-vm']);
              expect(values(args, '-device')).toContain('vhost-user-fs-pci,chardev=fs0,tag=berth0');
            }
            const [machine] = values(args, '-M');
            const [cpu] = values(args, '-cpu');
            const [smp] = values(args, '-smp');
            if (!arm) {
              expect(machine).toBe('pc');
              expect(cpu).toBe(accel === 'tcg' ? 'max' : accel === 'hvf' ? 'host,-avx512vl,-pdpe1gb' : 'host');
              expect(smp).toBe('10');
              return;
            }
            expect(cpu).toBe(accel === 'tcg' ? 'cortex-a72' : 'host');
            const gicv3 = accel === 'tcg' || accel === 'kvm' || qemu.major >= 8;
            expect(machine).toBe(accel === 'kvm' ? 'virt,gic-version=host' : gicv3 ? 'virt,gic-version=3' : 'virt');
            // GICv2 takes 8 vCPUs at most: capped, and said.
            expect(smp).toBe(gicv3 ? '10' : '8');
            expect(notices).toEqual(gicv3 ? [] : [expect.stringMatching(/^cpus is 10, but QEMU 7\.2\.22 under hvf offers only GICv2.*using 8.*QEMU 8\.0 or newer/)]);
          });
        }
      }
    }
  }
});

describe('Apple Silicon with SME, and the hvf checks', () => {
  test('an SME chip (M4) gets a cortex-a76 under hvf, a cortex-a72 with a QEMU older than 7.1; TCG is unchanged', () => {
    for (const kind of ['arm64', 'x64-under-rosetta'] as const) {
      const facts = factsFor('darwin', kind, true);
      expect(facts.cpuHasSme()).toBe(true);
      expect(values(buildQemuCommand(spec, bootHost(facts, 'hvf', VERSIONS[2])).args, '-cpu')).toEqual(['cortex-a76']);
      expect(values(buildQemuCommand(spec, bootHost(facts, 'hvf', parseQemuVersion('QEMU emulator version 7.0.0'))).args, '-cpu')).toEqual(['cortex-a72']);
      expect(values(buildQemuCommand(spec, bootHost(facts, 'tcg', VERSIONS[2])).args, '-cpu')).toEqual(['cortex-a72']);
    }
    // An Intel Mac has no SME to ask about.
    expect(factsFor('darwin', 'x64', true).cpuHasSme()).toBe(false);
  });

  test('Rosetta: an x64 process on Apple Silicon sees arm64 hardware, and says it is translated', () => {
    const f = darwinHost(macCommands({ translated: true }));
    expect(f).toMatchObject({ platform: 'darwin', arch: 'arm64', translated: true, socketPathMax: 104, childDiesWithParent: false });
    // Linux ties QEMU to the agent (setpriv); a Mac cannot, and reaps an orphan at the next start.
    expect(linuxHost()).toMatchObject({ childDiesWithParent: true, socketPathMax: 108 });
    expect(guestArchFor(f.arch)).toBe('arm64');
  });

  test('hvf counts only with kern.hv_support and the hypervisor entitlement; auto then says why it uses TCG', async () => {
    const probe = async () => ({ ok: true, detail: '' });
    for (const [o, why] of [
      [{ hvSupport: false }, /kern\.hv_support is 0/],
      [{ entitled: false }, /is not validly signed \(codesign: code object is not signed at all\)/],
    ] as const) {
      const facts = darwinHost(macCommands(o), 'arm64');
      const c = await chooseAccelerator({ setting: 'auto', platform: 'darwin', probe, hvf: () => facts.hvf('/opt/homebrew/bin/qemu-system-aarch64') });
      expect(c.accel).toBe('tcg');
      expect(c.fallback).toMatchObject({ failed: 'hvf', stage: 'its check' });
      expect(c.fallback!.cause).toMatch(why);
      await expect(chooseAccelerator({ setting: 'hvf', platform: 'darwin', probe, hvf: () => facts.hvf('/q') })).rejects.toThrow(why);
    }
    const good = darwinHost(macCommands({}), 'arm64');
    expect((await chooseAccelerator({ setting: 'auto', platform: 'darwin', probe, hvf: () => good.hvf('/q') })).accel).toBe('hvf');
  });

  test('a signed QEMU without the entitlement is refused, naming it', () => {
    const run: RunCommand = (_file, args) => ({ status: 0, stdout: args[0] === '--verify' ? '' : '<dict></dict>', stderr: '' });
    expect(hypervisorEntitlement(run, '/q')).toEqual({ ok: false, reason: '/q is signed without the com.apple.security.hypervisor entitlement' });
  });

  test('macOS process lookups go through ps, never /proc', () => {
    const calls: string[] = [];
    const run: RunCommand = (file, args) => (calls.push(`${file} ${args.join(' ')}`), { status: 0, stdout: '/opt/homebrew/bin/qemu-system-aarch64 -name berth\n', stderr: '' });
    expect(darwinHost(run, 'arm64').processArgs(4242)).toBe('/opt/homebrew/bin/qemu-system-aarch64 -name berth');
    expect(calls.filter((c) => !c.startsWith('sysctl'))).toEqual(['ps -ww -o args= -p 4242']);
  });
});
