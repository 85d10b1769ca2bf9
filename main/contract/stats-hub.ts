/**
 * Runs a sampler only while someone watches it. A page that shows stats
 * calls watch() when it opens and again before its lease runs out, and
 * unwatch() when it closes; a page that vanished without saying so (a closed
 * tab, a dropped WebSocket) stops costing anything when its lease expires.
 */

import { Leases } from './leases';

/** What `stats.watch` tells the page: how often samples come, and when to renew. */
export interface WatchLease {
  intervalMs: number;
  leaseMs: number;
}

/** One stream of samples, e.g. the containers' stats or the VM's usage. */
export interface Sampler<T> {
  sample(): Promise<T>;
  /** Called when the last watcher goes, so history does not outlive the watching. */
  reset?(): void;
}

export class StatsHub<T> {
  private readonly watchers: Leases;
  private timer?: NodeJS.Timeout;
  private sampling = false;
  /** A nudge came while a sample ran: take another once it is done. */
  private again = false;

  constructor(
    private readonly sampler: Sampler<T>,
    private readonly emit: (sample: T) => void,
    readonly lease: WatchLease = { intervalMs: 2000, leaseMs: 10_000 },
    now: () => number = Date.now,
  ) {
    this.watchers = new Leases(lease.leaseMs, now);
  }

  /** Starts (or renews) one watcher's lease; sampling starts at once if it was idle. */
  watch(watcherId: string): WatchLease {
    this.watchers.renew(watcherId);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), this.lease.intervalMs);
      this.timer.unref?.();
      void this.tick();
    }
    return this.lease;
  }

  unwatch(watcherId: string): void {
    this.watchers.drop(watcherId);
    if (this.watchers.size === 0) this.idle();
  }

  /**
   * Something the samples show changed (a container started): sample now
   * rather than at the next beat, if anyone watches, so a new container's
   * figures follow its row instead of waiting out the interval.
   */
  nudge(): void {
    if (!this.timer) return;
    if (this.sampling) this.again = true;
    else void this.tick();
  }

  /** Watchers whose lease is still good. */
  get active(): number {
    return this.watchers.size;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  private async tick(): Promise<void> {
    if (this.active === 0) return this.idle();
    if (this.sampling) return; // a slow engine: skip a beat rather than pile up requests
    this.sampling = true;
    try {
      this.emit(await this.sampler.sample());
    } catch {
      // the VM stopped under us; the page already shows that from the state events
    } finally {
      this.sampling = false;
    }
    if (this.again) {
      this.again = false;
      void this.tick();
    }
  }

  private idle(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sampler.reset?.();
  }

  /** Stops sampling for good (the app is quitting). */
  close(): void {
    this.watchers.clear();
    this.idle();
  }
}
