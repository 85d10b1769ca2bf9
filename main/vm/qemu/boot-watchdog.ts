import type { EventEmitter } from 'node:events';
import { isHardwareAccel, type Accelerator } from '../accel';
import { BootFailure, type BootFailureKind, type WatchedStage } from '../boot-failure';
import type { BootMarker, BootStage } from '../../link/guest';
import type { QemuExit } from './qemu-process';

/**
 * How long a boot may stay in each stage before it counts as stalled, per
 * accelerator class. Hardware boots take about 2 s in all, so their bounds are
 * tight; software emulation on 2 busy cores is 5–10× slower, with room for a
 * loaded CI machine. 'ready' covers the engine answering over TLS and the
 * host socket after dockerd said it listens.
 */
export const STAGE_BOUNDS_MS: Readonly<Record<WatchedStage, { hardware: number; tcg: number }>> = {
  launch: { hardware: 15_000, tcg: 60_000 },
  init: { hardware: 10_000, tcg: 30_000 },
  modules: { hardware: 5_000, tcg: 20_000 },
  root: { hardware: 10_000, tcg: 30_000 },
  network: { hardware: 30_000, tcg: 60_000 },
  format: { hardware: 30_000, tcg: 60_000 },
  data: { hardware: 10_000, tcg: 30_000 },
  dockerd: { hardware: 30_000, tcg: 90_000 },
  ready: { hardware: 20_000, tcg: 60_000 },
  shutdown: { hardware: 15_000, tcg: 30_000 },
  poweroff: { hardware: 15_000, tcg: 30_000 },
};

/** The bounds with software emulation's for every accelerator: for a simulated host, whose hvf is TCG underneath. */
export function softwareBounds(): typeof STAGE_BOUNDS_MS {
  return Object.fromEntries(Object.entries(STAGE_BOUNDS_MS).map(([k, b]) => [k, { hardware: b.tcg, tcg: b.tcg }])) as typeof STAGE_BOUNDS_MS;
}

/**
 * QEMU's own words for a dead vCPU, most specific first: KVM's internal-error
 * and entry-failure reports (accel/kvm, target/i386/kvm) and Hypervisor.framework's
 * assert_hvf_ok() errors. Any of them means the guest will not run another instruction.
 */
const ACCEL_FAULTS: ReadonlyArray<[RegExp, string]> = [
  [/emulation failure/i, 'emulation failure'],
  [/KVM: entry failed, hardware error (\S+)/, 'entry failed, hardware error'],
  [/failed to set MSR/, 'failed to set MSR'],
  [/kvm run failed/i, 'kvm run failed'],
  [/KVM internal error/, 'internal error'],
  [/Error: (HV_[A-Z_]+)/, 'HV error'],
  [/Property 'host-arm-cpu\.sme' not found/, "QEMU's host CPU model cannot take this chip's SME"],
];

const REGISTER_DUMP = /^(?:\[qemu\] )?(?:[A-Z][A-Z0-9]{1,5}\s*=\s*[0-9a-fA-F]|Code=|extra data\[)/;
const NOTEWORTHY = /^\[qemu\]|BERTH-BOOT error|panic|error|fail|unable|cannot|not found|oops|call trace/i;

/** The lines of a console tail worth showing a person: errors and QEMU's words, without register dumps. */
export function worthReading(lines: readonly string[], max = 8): string[] {
  const clean = lines.filter((l) => l.trim() !== '' && !REGISTER_DUMP.test(l));
  const loud = clean.filter((l) => NOTEWORTHY.test(l));
  return (loud.length ? loud : clean).slice(-max);
}

/**
 * Watches one boot attempt: it follows the guest's stage markers and QEMU's
 * stderr, and `failed` rejects as soon as the attempt cannot succeed — a dead
 * vCPU (at once), a stage that overran its bound, or QEMU exiting. Watching
 * progress rather than one long deadline ends a broken boot in seconds.
 */
export class BootWatchdog {
  /** Rejects with a BootFailure; never resolves. Handled, so an unobserved rejection is not fatal. */
  readonly failed: Promise<never>;
  private stage: WatchedStage = 'launch';
  private readonly tail: string[] = [];
  private timer?: NodeJS.Timeout;
  private faultTimer?: NodeJS.Timeout;
  private faults = new Set<string>();
  private fail!: (e: BootFailure) => void;
  private done = false;
  private readonly detach: () => void;

  constructor(
    source: EventEmitter,
    private readonly accel: Accelerator,
    private readonly bounds: Readonly<Record<WatchedStage, { hardware: number; tcg: number }>> = STAGE_BOUNDS_MS,
    /** How long to keep reading QEMU's report after its first fault line, to name the most specific cause. */
    private readonly faultSettleMs = 250,
  ) {
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    this.failed.catch(() => undefined);
    const onConsole = (l: string) => this.onConsole(l);
    const onMarker = (m: BootMarker) => {
      if (m.kind === 'stage') this.enter(m.stage);
    };
    // A fault report followed by QEMU's exit is still a fault; its last stderr lines may arrive just after the exit.
    const onExit = (e: QemuExit) => {
      const settle = () => (this.faults.size ? this.reportFault() : this.end('exited', e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`));
      if (this.faults.size) settle();
      else setTimeout(settle, Math.min(this.faultSettleMs, 1000));
    };
    source.on('console', onConsole);
    source.on('marker', onMarker);
    source.on('exit', onExit);
    this.detach = () => {
      source.off('console', onConsole);
      source.off('marker', onMarker);
      source.off('exit', onExit);
    };
    this.arm();
  }

  /** The last stage the guest reported. */
  get lastStage(): WatchedStage {
    return this.stage;
  }

  /** Ends the attempt from outside (a stop request, a failed readiness check past its stage). */
  cancel(kind: BootFailureKind, detail: string): void {
    this.end(kind, detail);
  }

  /** The attempt succeeded: stop watching. */
  stop(): void {
    this.done = true;
    this.clearTimers();
    this.detach();
  }

  private onConsole(line: string): void {
    this.tail.push(line);
    if (this.tail.length > 200) this.tail.shift();
    if (!line.startsWith('[qemu] ')) return;
    for (const [re, name] of ACCEL_FAULTS) {
      if (re.test(line)) this.faults.add(name);
    }
    if (this.faults.size && !this.faultTimer) this.faultTimer = setTimeout(() => this.reportFault(), this.faultSettleMs);
  }

  private reportFault(): void {
    const name = ACCEL_FAULTS.map(([, n]) => n).find((n) => this.faults.has(n)) ?? 'fault';
    this.end('accel-fault', name);
  }

  private enter(stage: BootStage): void {
    this.stage = stage;
    this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.done) return;
    const b = this.bounds[this.stage];
    const ms = isHardwareAccel(this.accel) ? b.hardware : b.tcg;
    this.timer = setTimeout(() => this.end('stall', `no progress for ${Math.round(ms / 1000)} s`), ms);
    this.timer.unref();
  }

  private end(kind: BootFailureKind, detail: string): void {
    if (this.done) return;
    this.done = true;
    this.clearTimers();
    this.detach();
    this.fail(new BootFailure(kind, detail, this.stage, worthReading(this.tail), this.accel));
  }

  private clearTimers(): void {
    clearTimeout(this.timer);
    clearTimeout(this.faultTimer);
  }
}
