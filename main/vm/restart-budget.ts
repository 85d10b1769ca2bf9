/**
 * How often a crashed VM is booted again: at most `max` times within
 * `windowMs`, each after a longer pause (1 s, 2 s, 4 s … at most 10 s).
 * Crashes only: a boot that fails is not retried at all.
 */
export class RestartBudget {
  private crashes: number[] = [];

  constructor(
    readonly max = 3,
    readonly windowMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a crash; true if a restart is still allowed. */
  allow(): boolean {
    const now = this.now();
    this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
    this.crashes.push(now);
    return this.crashes.length <= this.max;
  }

  /** The pause before the next restart. */
  backoffMs(): number {
    return Math.min(1000 * 2 ** (this.crashes.length - 1), 10_000);
  }

  /** Crashes within the window. */
  get count(): number {
    return this.crashes.length;
  }

  /** A start asked for by a person begins with a full budget. */
  reset(): void {
    this.crashes = [];
  }
}
