import type { Logger } from '../common/logger';

/** What the idle watch is given; each function is asked at every look, so setting changes apply at once. */
export interface IdleSleepOptions {
  /** The idleSleep setting. */
  enabled: () => boolean;
  /** How long the VM must be idle before it sleeps (idleSleepMinutes). */
  idleMs: () => number;
  /** Whether the VM is running and healthy: only then can it go to sleep. */
  awake: () => boolean;
  /** Why the VM is busy now (running containers, open client connections), or undefined when it is idle. */
  busy: () => Promise<string | undefined>;
  /** When a docker client last connected or disconnected (ms since the epoch). */
  lastClientActivity: () => number;
  sleep: () => Promise<void>;
  log: Logger;
  now?: () => number;
}

/**
 * Puts the VM to sleep once it has been idle for idleSleepMinutes: no
 * running containers and no client on the Docker socket for that long (as
 * Docker Desktop's Resource Saver counts it). Looks a few times per idle
 * period, at most every 15 s, and never while a look is in progress.
 */
export class IdleSleep {
  private timer?: NodeJS.Timeout;
  private busySince: number;
  private looking = false;
  private readonly now: () => number;

  constructor(private readonly opts: IdleSleepOptions) {
    this.now = opts.now ?? Date.now;
    this.busySince = this.now();
  }

  /** Starts looking; the idle period counts from now (the VM just woke or booted). */
  start(): void {
    this.stop();
    this.busySince = this.now();
    const every = Math.min(15_000, Math.max(500, this.opts.idleMs() / 4));
    this.timer = setInterval(() => void this.look(), every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look: records activity, or sleeps when the idle period has passed (the timer calls it; tests call it directly). */
  async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      if (!this.opts.enabled() || !this.opts.awake()) {
        this.busySince = this.now();
        return;
      }
      const why = await this.opts.busy();
      if (why) {
        this.busySince = this.now();
        return;
      }
      const idleFrom = Math.max(this.busySince, this.opts.lastClientActivity());
      const idleMs = this.now() - idleFrom;
      if (idleMs < this.opts.idleMs()) return;
      this.stop();
      this.opts.log.info(`idle: no running containers and no docker clients for ${Math.round(idleMs / 1000)} s; the VM goes to sleep`);
      await this.opts.sleep().catch((e: Error) => this.opts.log.warn(`idle: could not sleep: ${e.message}`));
    } finally {
      this.looking = false;
    }
  }
}

/** Why the VM may not sleep now: open docker connections, then running containers; undefined when it is idle. */
export async function busyReason(openConnections: number, busyContainers: () => Promise<number | undefined>): Promise<string | undefined> {
  if (openConnections) return `${openConnections} docker client connection(s) open`;
  const live = await busyContainers();
  if (live === undefined) return 'no engine';
  return live ? `${live} container(s) running` : undefined;
}
