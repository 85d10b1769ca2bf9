import type { Accelerator } from '../accel';
import { atLeast, versionString, type QemuVersion } from './qemu-version';

/**
 * What differs between guest architectures, in one place: the QEMU binary,
 * the machine type and the CPU model for software emulation. The argument
 * builder reads a profile; nothing else asks which architecture it is on.
 */
export interface MachineProfile {
  /** The guest architecture as Debian and the kernel name it. */
  arch: 'x86_64' | 'aarch64';
  qemuBinary: string;
  /** `-M`: the PC machine (PVH direct boot) or the generic Arm `virt` board; QEMU resolves it to its newest versioned type. */
  machine: 'pc' | 'virt';
  /** `-cpu` under TCG: `max` on x86_64; on aarch64 a cortex-a72, since `max` emulates pointer authentication slowly. */
  tcgCpu: string;
}

const X86_64: MachineProfile = { arch: 'x86_64', qemuBinary: 'qemu-system-x86_64', machine: 'pc', tcgCpu: 'max' };
const AARCH64: MachineProfile = { arch: 'aarch64', qemuBinary: 'qemu-system-aarch64', machine: 'virt', tcgCpu: 'cortex-a72' };

/** The profile for a host architecture as Node names it (`x64`, `arm64`). */
export function profileFor(nodeArch: string): MachineProfile {
  return nodeArch === 'arm64' ? AARCH64 : X86_64;
}

/** What the machine, CPU and vCPU choice depends on: one boot's accelerator on one host with one QEMU. */
export interface MachineInputs {
  platform: NodeJS.Platform;
  /** The guest's architecture as Node names it. */
  arch: string;
  accel: Accelerator;
  qemu: QemuVersion;
  /** Apple Silicon with SME (M4 and later). */
  sme: boolean;
  cpus: number;
}

/** `-M`, `-cpu` and `-smp` for one boot, and what a person should know about them. */
export interface MachineChoice {
  machine: string;
  cpu: string;
  cpus: number;
  notices: string[];
}

/** GICv2, `virt`'s default interrupt controller, routes interrupts to at most 8 vCPUs; QEMU refuses more under any accelerator. */
export const GICV2_MAX_CPUS = 8;

/**
 * The machine type, CPU model and vCPU count for a boot, after Lima's QEMU
 * driver (pkg/driver/qemu), which runs on a great many Macs:
 * - aarch64 uses GICv3, which lifts GICv2's 8-vCPU limit: under TCG (emulated
 *   by any QEMU Berth supports), under KVM as the host's, and under hvf from
 *   QEMU 8.0 (lima#849). An older QEMU under hvf keeps GICv2, capped at 8 vCPUs.
 * - Under hvf, Apple Silicon takes `host`, except on chips with SME (M4),
 *   where QEMU's `host` CPU fails ("Property 'host-arm-cpu.sme' not found";
 *   lima#3032, lima#3226): a cortex-a76 there (QEMU 7.1+), else a cortex-a72.
 * - Intel Macs take `host` without AVX-512VL and 1 GiB pages, which hvf
 *   cannot give the guest (lima#1485).
 */
export function chooseMachine(i: MachineInputs): MachineChoice {
  const p = profileFor(i.arch);
  const notices: string[] = [];
  let cpus = i.cpus;
  let machine: string = p.machine;
  if (p.arch === 'aarch64') {
    const gic = i.accel === 'kvm' ? 'host' : i.accel === 'tcg' || atLeast(i.qemu, 8, 0) ? '3' : undefined;
    if (gic) machine = `virt,gic-version=${gic}`;
    else if (cpus > GICV2_MAX_CPUS) {
      notices.push(
        `cpus is ${cpus}, but QEMU ${versionString(i.qemu)} under hvf offers only GICv2, which takes at most ${GICV2_MAX_CPUS} vCPUs; ` +
          `using ${GICV2_MAX_CPUS}. QEMU 8.0 or newer lifts the limit (brew upgrade qemu)`,
      );
      cpus = GICV2_MAX_CPUS;
    }
  }
  return { machine, cpu: cpuModel(p, i), cpus, notices };
}

function cpuModel(p: MachineProfile, i: MachineInputs): string {
  if (i.accel === 'tcg') return p.tcgCpu;
  if (i.accel === 'hvf' && p.arch === 'aarch64' && i.sme) return atLeast(i.qemu, 7, 1) ? 'cortex-a76' : 'cortex-a72';
  if (i.accel === 'hvf' && p.arch === 'x86_64') return 'host,-avx512vl,-pdpe1gb';
  return 'host';
}
