import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';

/** A QEMU accelerator Berth knows how to use. */
export type Accelerator = 'hvf' | 'kvm' | 'tcg';

/** What the host offers, gathered once per agent; the argument builder is pure over it. */
export interface HostFacts {
  platform: NodeJS.Platform;
  arch: string;
  cpus: number;
  accel: Accelerator;
  /** Why this accelerator was chosen, for the log and `berth status`. */
  accelReason: string;
}

/** Runs one QEMU probe; injected so the choice can be tested without QEMU. */
export type ProbeRunner = (qemu: string, args: string[]) => { ok: boolean; detail: string };

const defaultProbe: ProbeRunner = (qemu, args) => {
  const input = '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n';
  const r = spawnSync(qemu, args, { encoding: 'utf8', timeout: 10_000, input });
  const detail = `${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim().split('\n').slice(-1)[0] ?? '';
  return { ok: r.status === 0 && !r.error, detail };
};

/**
 * Picks the accelerator: hvf on macOS, KVM on Linux only when a real probe
 * works, TCG otherwise. /dev/kvm opening is not enough: on some hosts
 * `-cpu host` aborts when QEMU resets the vCPU ("failed to set MSR"), so the
 * probe builds a machine, resets it and quits, the same steps a boot takes
 * before the first instruction.
 */
export function chooseAccelerator(
  qemu: string,
  platform: NodeJS.Platform = process.platform,
  probe: ProbeRunner = defaultProbe,
  devKvm = '/dev/kvm',
): { accel: Accelerator; reason: string } {
  if (process.env.BERTH_ACCEL === 'tcg') return { accel: 'tcg', reason: 'BERTH_ACCEL=tcg' };
  if (platform === 'darwin') return { accel: 'hvf', reason: 'macOS Hypervisor.framework' };
  if (platform !== 'linux') return { accel: 'tcg', reason: `no hardware accelerator support on ${platform}` };
  try {
    accessSync(devKvm, constants.R_OK | constants.W_OK);
  } catch {
    return { accel: 'tcg', reason: `${devKvm} is not accessible` };
  }
  const r = probe(qemu, ['-accel', 'kvm', '-cpu', 'host', '-M', 'pc', '-nodefaults', '-display', 'none', '-S', '-qmp', 'stdio', '-no-user-config']);
  // The probe answers QMP's greeting and sends `quit`: exit 0 means the vCPU reset went through.
  if (r.ok) return { accel: 'kvm', reason: 'KVM probe passed' };
  return { accel: 'tcg', reason: `KVM probe failed (${r.detail || 'no detail'}), using TCG software emulation` };
}

/** Gathers the host facts once: platform, architecture, cores and the accelerator. */
export function detectHostFacts(): HostFacts {
  const arch = process.arch;
  const qemu = arch === 'arm64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64';
  const { accel, reason } = chooseAccelerator(qemu);
  return { platform: process.platform, arch, cpus: availableParallelism(), accel, accelReason: reason };
}
