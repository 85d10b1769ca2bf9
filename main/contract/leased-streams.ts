import { Leases } from './leases';

/**
 * Streams main runs for pages (a followed log, a terminal), one per page's own
 * key, each alive only while the page renews its lease: a tab that closed,
 * crashed or lost its socket ends its streams within one lease.
 */
export class LeasedStreams<T> {
  private readonly leases: Leases;
  private readonly open = new Map<string, Promise<T>>();
  private sweep?: NodeJS.Timeout;

  /** `end` is called once for each stream that stops (released, expired or closed), with what its start gave; it resolves once the stream is down. */
  constructor(
    readonly leaseMs: number,
    private readonly end: (key: string, stream: Promise<T>) => Promise<void>,
  ) {
    this.leases = new Leases(leaseMs);
  }

  /**
   * Renews the key's lease, and starts its stream when it has none. A start
   * that fails holds nothing and rejects with its error.
   */
  async hold(key: string, start: () => Promise<T>): Promise<void> {
    this.leases.renew(key);
    if (this.open.has(key)) return;
    const stream = start();
    this.open.set(key, stream);
    try {
      await stream;
    } catch (e) {
      this.forget(key);
      throw e;
    }
    this.sweep ??= setInterval(() => this.expire(), this.leaseMs / 2).unref();
  }

  /** The key's stream, while it runs. */
  get(key: string): Promise<T> | undefined {
    return this.open.get(key);
  }

  /** Stops the key's stream, if it has one; resolves once it is down. */
  release(key: string): Promise<void> {
    const stream = this.open.get(key);
    this.forget(key);
    return stream ? this.end(key, stream) : Promise.resolve();
  }

  /** Forgets a stream that ended by itself; true if it was held. */
  forget(key: string): boolean {
    const had = this.open.delete(key);
    this.leases.drop(key);
    if (this.open.size === 0) {
      clearInterval(this.sweep);
      this.sweep = undefined;
    }
    return had;
  }

  get size(): number {
    return this.open.size;
  }

  close(): void {
    for (const key of [...this.open.keys()]) void this.release(key);
    this.leases.clear();
  }

  private expire(): void {
    for (const key of this.leases.expire()) void this.release(key);
  }
}
