import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { findVirtiofsd, type Virtiofsd } from './share-transport';

/** One command's outcome, as the host probes read it. */
export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a host command; injected so every probe is tested without the host it asks about. */
export type RunCommand = (file: string, args: readonly string[]) => CommandResult;

/** Runs a command from PATH with a short timeout; a missing one is status null, never a throw. */
export const runCommand: RunCommand = (file, args) => {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: 10_000 });
  return { status: r.error ? null : r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? r.error?.message ?? '' };
};

/** Whether hvf can be used here, and if not, why; answered once per start. */
export interface HvfAvailability {
  ok: boolean;
  /** Why not, in words a person can act on. */
  reason?: string;
}

/**
 * Everything Berth asks of the host it runs on, from one source: the real
 * Linux or macOS host, or the simulated Mac the agent's entry point picks for
 * tests (BERTH_SIMULATE_HOST). Nothing else reads `process.platform`,
 * `/proc` or `sysctl` for the machine's sake.
 */
export interface HostFacts {
  /** The operating system, as Node names it. */
  readonly platform: NodeJS.Platform;
  /** The hardware's architecture as Node names it: `arm64` on Apple Silicon, also for an x64 process under Rosetta. */
  readonly arch: string;
  /** True for an x64 process translated by Rosetta on Apple Silicon. */
  readonly translated: boolean;
  readonly cpus: number;
  /** The longest unix socket path the platform takes (`sun_path`): 104 bytes on macOS, 108 on Linux. */
  readonly socketPathMax: number;
  /** Whether a child can be tied to its parent's life (PR_SET_PDEATHSIG, through setpriv): Linux only. */
  readonly childDiesWithParent: boolean;
  /** The CPU has Arm's SME (Apple M4 and later), which QEMU's `-cpu host` cannot take under hvf; asked once per start. */
  cpuHasSme(): boolean;
  /** hvf for this QEMU binary: `kern.hv_support` and the hypervisor entitlement on the binary. */
  hvf(qemu: string): HvfAvailability;
  /** A live process's command line, or undefined when no such process runs. */
  processArgs(pid: number): string | undefined;
  /** The virtiofsd that may serve the shares over virtio-fs: Linux, as root (share-transport.ts); none on macOS, whose QEMU has no vhost-user. */
  virtiofsd(): Virtiofsd | undefined;
  /**
   * Set only on a SIMULATED host (tests): its name. The simulation's hardware
   * accelerator is software emulation underneath, so a boot gets TCG's time bounds.
   */
  readonly simulated?: SimulatedHost;
}

/** Linux's answers: /proc for processes, no hvf. */
export function linuxHost(): HostFacts {
  return {
    platform: 'linux',
    arch: process.arch,
    translated: false,
    cpus: availableParallelism(),
    socketPathMax: 108,
    childDiesWithParent: true,
    cpuHasSme: () => false,
    hvf: () => ({ ok: false, reason: 'hvf exists only on macOS' }),
    virtiofsd: () => findVirtiofsd(process.getuid?.() ?? -1),
    processArgs: (pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() || undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** `sysctl -n NAME` as a number, or undefined where the name does not exist. */
function sysctlNumber(run: RunCommand, name: string): number | undefined {
  const r = run('sysctl', ['-n', name]);
  const n = Number(r.stdout.trim());
  return r.status === 0 && r.stdout.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/** Whether `qemu` is signed with the hypervisor entitlement (as `codesign` shows it), and if not, why. */
export function hypervisorEntitlement(run: RunCommand, qemu: string): HvfAvailability {
  const verify = run('codesign', ['--verify', qemu]);
  if (verify.status !== 0) {
    return { ok: false, reason: `${qemu} is not validly signed (codesign: ${(verify.stderr || verify.stdout).trim().split('\n')[0] || 'no answer'})` };
  }
  const ent = run('codesign', ['--display', '--entitlements', '-', '--xml', qemu]);
  if (ent.status === 0 && `${ent.stdout}${ent.stderr}`.includes('com.apple.security.hypervisor')) return { ok: true };
  return { ok: false, reason: `${qemu} is signed without the com.apple.security.hypervisor entitlement` };
}

/** hvf on this Mac for this QEMU binary: the hypervisor's support, then the binary's entitlement. */
function hvfAvailability(run: RunCommand, qemu: string): HvfAvailability {
  const support = sysctlNumber(run, 'kern.hv_support');
  if (support === 1) return hypervisorEntitlement(run, qemu);
  return { ok: false, reason: `macOS reports no hypervisor support (kern.hv_support is ${support ?? 'missing'}): a Mac VM without nested virtualization, or a CI runner` };
}

/** What a Mac is, as the darwin probes tell it; `hardwareArch` fixes the architecture instead of asking (the simulation). */
export function darwinHost(run: RunCommand = runCommand, hardwareArch?: 'arm64' | 'x64'): HostFacts {
  const translated = hardwareArch ? process.arch !== hardwareArch : sysctlNumber(run, 'sysctl.proc_translated') === 1;
  const arch = hardwareArch ?? (translated ? 'arm64' : process.arch);
  let hvf: HvfAvailability | undefined;
  return {
    platform: 'darwin',
    arch,
    translated,
    cpus: sysctlNumber(run, 'hw.ncpu') ?? availableParallelism(),
    socketPathMax: 104,
    childDiesWithParent: false,
    virtiofsd: () => undefined,
    cpuHasSme: () => arch === 'arm64' && sysctlNumber(run, 'hw.optional.arm.FEAT_SME') === 1,
    hvf: (qemu) => {
      hvf ??= hvfAvailability(run, qemu);
      return hvf;
    },
    processArgs: (pid) => {
      const r = run('ps', ['-ww', '-o', 'args=', '-p', String(pid)]);
      return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
    },
  };
}

/** The names BERTH_SIMULATE_HOST takes: a Mac, simulated on another host for tests. */
export const SIMULATED_HOSTS = ['darwin-arm64', 'darwin-x64'] as const;
export type SimulatedHost = (typeof SIMULATED_HOSTS)[number];

/**
 * A SIMULATED Mac, for tests only: darwin's own probes (sysctl, codesign, ps
 * from PATH, where the test puts its stand-ins), with the hardware's
 * architecture taken from the name. On an x86_64 test host, `darwin-arm64` is
 * an x64 process on Apple Silicon: what Rosetta gives.
 */
export function simulatedHost(name: SimulatedHost, run: RunCommand = runCommand): HostFacts {
  return { ...darwinHost(run, name === 'darwin-arm64' ? 'arm64' : 'x64'), simulated: name };
}

/** The host Berth runs on; a simulation only when the entry point asked for one. */
export function currentHost(simulate?: SimulatedHost): HostFacts {
  if (simulate) return simulatedHost(simulate);
  return process.platform === 'darwin' ? darwinHost() : linuxHost();
}

/** BERTH_SIMULATE_HOST, checked: a wrong value is refused with the valid ones, never ignored. */
export function simulatedHostOption(v: string | undefined): SimulatedHost | undefined {
  if (!v) return undefined;
  if ((SIMULATED_HOSTS as readonly string[]).includes(v)) return v as SimulatedHost;
  throw new Error(`BERTH_SIMULATE_HOST must be ${SIMULATED_HOSTS.join(' or ')}, not ${JSON.stringify(v)}`);
}
