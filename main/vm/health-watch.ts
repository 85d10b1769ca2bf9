import type { Logger } from '../common/logger';
import type { Machine } from './machine-driver';
import { runChecks, type ReadinessCheck } from './readiness';

/** What the health watch reports to its owner. */
export interface HealthWatchOptions {
  intervalMs: number;
  checks: (vm: Machine) => ReadinessCheck[];
  /** Whether the VM should be answering now (running or degraded). */
  up: () => boolean;
  /** Every check passed (true) or one failed (false, with which and why). */
  report: (ok: boolean, why?: string) => void;
  log: Logger;
}

/**
 * Runs the readiness checks every few seconds while the VM runs, and restarts
 * (kills) a VM whose engine stays unreachable for a minute: colima#1033.
 */
export class HealthWatch {
  private timer?: NodeJS.Timeout;
  private bad = 0;

  constructor(private readonly opts: HealthWatchOptions) {}

  watch(vm: Machine): void {
    this.stop();
    this.bad = 0;
    this.timer = setInterval(() => void this.check(vm), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async check(vm: Machine): Promise<void> {
    if (!this.opts.up()) return;
    const results = await runChecks(this.opts.checks(vm));
    const failed = results.find((r) => r.status === 'failed');
    if (!failed) {
      this.bad = 0;
      this.opts.report(true);
      return;
    }
    this.bad++;
    this.opts.report(false, `check ${failed.name} failed: ${failed.error} (${failed.hint})`);
    if (this.bad >= 12 && vm.running) {
      this.opts.log.warn('vm: engine unreachable for a minute; restarting the VM');
      this.bad = 0;
      await vm.kill(5000);
    }
  }
}
