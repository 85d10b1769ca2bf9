/**
 * What differs between guest architectures, in one place: the QEMU binary,
 * the machine type and the CPU model for software emulation. The argument
 * builder reads a profile; nothing else asks which architecture it is on.
 */
export interface MachineProfile {
  /** The guest architecture as Debian and the kernel name it. */
  arch: 'x86_64' | 'aarch64';
  qemuBinary: string;
  /** `-M`: the PC machine (PVH direct boot) or the generic Arm `virt` board. */
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
