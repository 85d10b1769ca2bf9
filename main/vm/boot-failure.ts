import type { Accelerator } from './accel';
import type { BootStage } from '../link/guest';

/** Where a boot can be: before the first marker ('launch'), or after a stage marker. */
export type WatchedStage = 'launch' | BootStage;

/** Why a boot attempt ended without a running engine. */
export type BootFailureKind = 'accel-fault' | 'stall' | 'exited' | 'cancelled';

/** A typed boot failure: callers decide on `kind`, never on message text. */
export class BootFailure extends Error {
  constructor(
    readonly kind: BootFailureKind,
    /** The short cause, e.g. "emulation failure" or "no progress for 20 s". */
    readonly detail: string,
    /** The last boot stage the guest reported. */
    readonly stage: WatchedStage,
    /** The console lines worth reading, newest last. */
    readonly consoleTail: string[],
    readonly accel: Accelerator,
    /** What the person can do about it, if anything. */
    readonly advice?: string,
  ) {
    super(describe(kind, detail, stage, accel) + (advice ? `; ${advice}` : ''));
  }

  /** The short cause, for a one-line notice: "emulation failure", "stalled after boot stage "init"", … */
  get cause(): string {
    if (this.kind === 'accel-fault') return this.detail;
    if (this.kind === 'stall') return this.stage === 'launch' ? `the guest printed nothing (${this.detail})` : `stalled after boot stage "${this.stage}"`;
    return `QEMU ${this.kind === 'exited' ? 'exited' : 'attempt cancelled'}: ${this.detail}`;
  }
}

function describe(kind: BootFailureKind, detail: string, stage: WatchedStage, accel: Accelerator): string {
  const where = stage === 'launch' ? 'before the guest reached its first boot stage' : `after boot stage "${stage}"`;
  switch (kind) {
    case 'accel-fault':
      return `${accel === 'kvm' ? 'KVM' : accel === 'hvf' ? 'HVF' : 'QEMU'} failed during boot (${detail}) ${where}`;
    case 'stall':
      return `the boot stalled ${where}: ${detail}`;
    case 'exited':
      return `QEMU exited during boot (${detail}) ${where}`;
    case 'cancelled':
      return `the start was cancelled (${detail}) ${where}`;
  }
}

/** The one message a failed start ends with: what failed, the last stage, what the console said. */
export function failureMessage(e: unknown, failingCheck?: string): string {
  if (!(e instanceof BootFailure)) return (e as Error).message;
  const lines = [`the VM did not start: ${e.message}`];
  if (failingCheck && e.kind === 'stall') lines.push(`last failing readiness check: ${failingCheck}`);
  if (e.consoleTail.length) lines.push('last console lines:', ...e.consoleTail.map((l) => `  ${l}`));
  lines.push('details: berth logs vm');
  return lines.join('\n');
}
