import type { Logger } from '../common/logger';

/** The two clocks the watch compares; injected so a test can make the host "sleep". */
export interface Clocks {
  /** Wall-clock time in ms (Date.now): jumps forward over a host sleep. */
  wall(): number;
  /** Monotonic time in ms (performance.now): stands still while the host sleeps, on macOS and Linux alike. */
  mono(): number;
}

/** What the watch is given. */
export interface ClockWatchOptions {
  /** Sets the guest's clock from the host's; called after the host slept. */
  resync: () => Promise<void>;
  /** Whether a guest is running whose clock matters now. */
  active: () => boolean;
  log: Logger;
  clocks?: Clocks;
  intervalMs?: number;
  /** How far the wall clock may run ahead of the monotonic one between two looks before it counts as a host sleep. */
  jumpMs?: number;
}

const systemClocks: Clocks = { wall: () => Date.now(), mono: () => performance.now() };

/**
 * Notices that the host slept: between two looks the wall clock moved much
 * more than the monotonic clock. The guest's clock stood still meanwhile (its
 * vCPUs did not run), so TLS would see certificates "not yet valid" and apt
 * would refuse its indexes (lima#850). The watch then sets the guest's clock,
 * as a wake from Berth's own sleep does.
 */
export class ClockWatch {
  private timer?: NodeJS.Timeout;
  private last?: { wall: number; mono: number };
  private readonly clocks: Clocks;

  constructor(private readonly opts: ClockWatchOptions) {
    this.clocks = opts.clocks ?? systemClocks;
  }

  start(): void {
    this.stop();
    this.last = this.now();
    this.timer = setInterval(() => void this.look(), this.opts.intervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look: resyncs the guest when the host slept since the last one. Resolves with the jump it saw, in ms, if it resynced. */
  async look(): Promise<number | undefined> {
    const now = this.now();
    const last = this.last ?? now;
    this.last = now;
    const jump = now.wall - last.wall - (now.mono - last.mono);
    if (jump < (this.opts.jumpMs ?? 2000) || !this.opts.active()) return undefined;
    this.opts.log.info(`clock: the host slept about ${Math.round(jump / 1000)} s; setting the guest's clock`);
    try {
      await this.opts.resync();
      return jump;
    } catch (e) {
      this.opts.log.warn(`clock: could not set the guest's clock: ${(e as Error).message}`);
      return undefined;
    }
  }

  private now(): { wall: number; mono: number } {
    return { wall: this.clocks.wall(), mono: this.clocks.mono() };
  }
}
