import { Leases } from './leases';
import type { WatchLease } from './stats-hub';

/** One chunk of a followed container's logs, addressed to the page that asked. */
export interface LogChunk {
  watcher: string;
  id: string;
  text: string;
  /** The container stopped; no more text follows. */
  ended?: boolean;
}

type Open = (id: string, tail: number, onText: (t: string) => void, onEnd: () => void) => Promise<() => void>;

const LEASE: WatchLease = { intervalMs: 0, leaseMs: 10_000 };

/**
 * The log streams open for the drawers that follow them: one per watcher,
 * held on a lease like the stats, so a page that vanished stops its stream.
 */
export class LogFollowers {
  private readonly leases = new Leases(LEASE.leaseMs);
  private readonly streams = new Map<string, { id: string; stop: Promise<() => void> }>();
  private sweep?: NodeJS.Timeout;

  constructor(
    private readonly open: Open,
    private readonly emit: (chunk: LogChunk) => void,
  ) {}

  /** Starts following (or renews the lease); a watcher that switches container drops its old stream. */
  async follow(watcher: string, id: string, tail: number): Promise<WatchLease> {
    this.leases.renew(watcher);
    const held = this.streams.get(watcher);
    if (held?.id === id) return LEASE;
    if (held) this.stop(watcher);
    const stop = this.open(
      id,
      tail,
      (text) => this.emit({ watcher, id, text }),
      () => this.emit({ watcher, id, text: '', ended: true }),
    );
    this.streams.set(watcher, { id, stop });
    try {
      await stop;
    } catch (e) {
      this.streams.delete(watcher);
      this.leases.drop(watcher);
      throw e;
    }
    this.sweep ??= setInterval(() => this.expire(), LEASE.leaseMs / 2).unref();
    return LEASE;
  }

  unfollow(watcher: string): void {
    this.leases.drop(watcher);
    this.stop(watcher);
  }

  /** Streams open now. */
  get count(): number {
    return this.streams.size;
  }

  private stop(watcher: string): void {
    const held = this.streams.get(watcher);
    this.streams.delete(watcher);
    void held?.stop.then((s) => s()).catch(() => undefined);
    if (this.streams.size === 0) {
      clearInterval(this.sweep);
      this.sweep = undefined;
    }
  }

  private expire(): void {
    for (const w of this.leases.expire()) this.stop(w);
  }

  close(): void {
    for (const w of [...this.streams.keys()]) this.stop(w);
    this.leases.clear();
  }
}
