import { LeasedStreams } from './leased-streams';
import type { WatchLease } from './stats-hub';

/** One chunk of a followed container's logs, addressed to the page that asked. */
export interface LogChunk {
  watcher: string;
  id: string;
  text: string;
  /** The container stopped; no more text follows. */
  ended?: boolean;
}

/** How a drawer follows: the lines it starts from, and whether each line carries its timestamp. */
export interface FollowOptions {
  tail: number;
  timestamps: boolean;
}

type Open = (id: string, opts: FollowOptions, onText: (t: string) => void, onEnd: () => void) => Promise<() => void>;

const LEASE: WatchLease = { intervalMs: 0, leaseMs: 10_000 };

/**
 * The log streams open for the drawers that follow them: one per watcher,
 * held on a lease like the stats, so a page that vanished stops its stream.
 */
export class LogFollowers {
  /** What each watcher follows: the container and whether with timestamps. */
  private readonly following = new Map<string, string>();
  private readonly streams = new LeasedStreams<() => void>(LEASE.leaseMs, (watcher, stop) => {
    this.following.delete(watcher);
    return stop.then((s) => s()).catch(() => undefined);
  });

  constructor(
    private readonly open: Open,
    private readonly emit: (chunk: LogChunk) => void,
  ) {}

  /** Starts following (or renews the lease); a watcher that switches container, or timestamps, drops its old stream. */
  async follow(watcher: string, id: string, opts: FollowOptions): Promise<WatchLease> {
    const what = `${id}\t${opts.timestamps}`;
    if (this.streams.get(watcher) && this.following.get(watcher) !== what) void this.streams.release(watcher);
    this.following.set(watcher, what);
    await this.streams.hold(watcher, () =>
      this.open(
        id,
        opts,
        (text) => this.emit({ watcher, id, text }),
        () => this.emit({ watcher, id, text: '', ended: true }),
      ),
    );
    return LEASE;
  }

  unfollow(watcher: string): void {
    void this.streams.release(watcher);
  }

  /** Streams open now. */
  get count(): number {
    return this.streams.size;
  }

  close(): void {
    this.streams.close();
  }
}
