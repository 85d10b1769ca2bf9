import type { HostFacts } from './host-facts';

/** A hardware accelerator (hvf on macOS, KVM on Linux) or software emulation (TCG). */
export type Accelerator = 'hvf' | 'kvm' | 'tcg';

/** The `accelerator` setting: `auto` picks the best that works, the others force one. */
export const ACCEL_SETTINGS = ['auto', 'hvf', 'kvm', 'tcg'] as const;
export type AccelSetting = (typeof ACCEL_SETTINGS)[number];

/** What the host is, independent of the accelerator. */
export interface HostBase {
  platform: NodeJS.Platform;
  arch: string;
  cpus: number;
}

/** What a running machine runs on, whatever drives it: the host, the accelerator and why. */
export interface MachineHost extends HostBase {
  accel: Accelerator;
  /** Why this accelerator was chosen, for the log and `berth status`. */
  accelReason: string;
  /** Set when this boot runs TCG although the host has a hardware accelerator. */
  accelFallback?: AccelFallback;
}

/** The accelerator for one boot, and whether a person asked for it. */
export interface AccelChoice {
  accel: Accelerator;
  reason: string;
  /** Set by a setting or BERTH_ACCEL: if it fails, that is an error, never a silent fallback. */
  forced: boolean;
  /** Set when this is TCG although the host has a hardware accelerator: which one failed, where, and why. */
  fallback?: AccelFallback;
}

/** A hardware accelerator that could not be used, and so TCG runs instead: never silent (see fallbackMessage). */
export interface AccelFallback {
  failed: Accelerator;
  /** Where it failed: a boot stage, "its probe" or "its check". */
  stage: string;
  cause: string;
  /** When a failure during boot was first remembered, if this one is remembered. */
  since?: string;
}

/** The one line `berth status`, the tray and the Resources page show for a fallback. */
export function fallbackMessage(f: AccelFallback): string {
  const since = f.since ? ` (remembered since ${f.since.slice(0, 10)})` : '';
  return `Running with software emulation (slow): ${f.failed} failed at ${f.stage}: ${f.cause}${since}`;
}

/** The name people know an accelerator by. */
export function accelLabel(a: Accelerator): string {
  return a === 'kvm' ? 'KVM' : a === 'hvf' ? 'HVF' : 'software emulation (TCG)';
}

export const isHardwareAccel = (a: Accelerator): boolean => a !== 'tcg';

/** The host's platform, hardware architecture and cores, from its facts. */
export function hostBase(facts: HostFacts): HostBase {
  return { platform: facts.platform, arch: facts.arch, cpus: facts.cpus };
}
