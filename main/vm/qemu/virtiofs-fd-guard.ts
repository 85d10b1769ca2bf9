import { readdirSync, readFileSync } from 'node:fs';

/** How many descriptors a process holds, and may hold (Linux's /proc); injected in tests. */
export interface FdCounter {
  /** The most that the process, or a child it forked, holds: QEMU's C virtiofsd serves from a child in its sandbox. */
  held(pid: number): number;
  limit(pid: number): number;
}

/** The host's own count, from /proc: a virtiofsd runs only on Linux. */
export const procFds: FdCounter = {
  held: (pid) => {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    return Math.max(readdirSync(`/proc/${pid}/fd`).length, ...children.map(heldByChild));
  },
  limit: (pid) => {
    const soft = /^Max open files\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))?.[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : Number.POSITIVE_INFINITY;
  },
};

/** A child's count; 0 when it ended since its parent listed it. */
function heldByChild(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** The guard's pacing. */
export const FD_GUARD = {
  /**
   * How often it looks: at least twice a second, and sooner while the count climbs towards the
   * line, so a fast walk is caught before it gets there (the guest's READDIRPLUS looks up a
   * folder's files in one request: 8,000 a second here, under emulation). Counting 8,000
   * descriptors takes about a millisecond.
   */
  CHECK_MS: 500,
  SOONEST_MS: 100,
  /** The look after an ask, which tells whether the drop freed the descriptors. */
  FOLLOW_UP_MS: 200,
  /** The share of its limit a virtiofsd may hold before the guest is asked to let go. */
  SHARE: 0.4,
  /** Between two asks that do not help: at first, and at most (the time doubles each time). */
  MIN_GAP_MS: 5000,
  MAX_GAP_MS: 300_000,
} as const;

/** What the guard needs of the boot it watches. */
export interface FdGuardOptions {
  /** The virtiofsd processes running now. */
  pids: () => readonly number[];
  /** Asks the guest to drop what it caches of files it is not using. */
  forget: () => Promise<void>;
  log: (line: string) => void;
  fds?: FdCounter;
  now?: () => number;
}

/**
 * The guard's states: `clear` (under the line, or never asked), `asked` (the guest was just
 * asked; the next look tells whether it helped), `stuck` (an ask freed little: files open in
 * the VM and watched folders keep their descriptors, so asking again waits a growing gap).
 */
type GuardState = 'clear' | 'asked' | 'stuck';
/** What one look finds: under the line; over it though the last ask freed most; over it. */
type Look = 'under' | 'refilled' | 'over';
/** What a look does: `ask` at once, or `ask-when-due` once the gap since the last ask has passed. */
type Act = 'none' | 'ask' | 'ask-when-due';

/** Each state's next state and act for each look; `ask-when-due` goes to `asked` only when it asks. */
const TRANSITIONS: Record<GuardState, Record<Look, { to: GuardState; act: Act }>> = {
  clear: { under: { to: 'clear', act: 'none' }, refilled: { to: 'asked', act: 'ask' }, over: { to: 'asked', act: 'ask' } },
  // A drop that freed most of what was held worked, however fast a walk fills the count again.
  asked: { under: { to: 'clear', act: 'none' }, refilled: { to: 'asked', act: 'ask' }, over: { to: 'stuck', act: 'none' } },
  stuck: { under: { to: 'clear', act: 'none' }, refilled: { to: 'stuck', act: 'ask-when-due' }, over: { to: 'stuck', act: 'ask-when-due' } },
};

/**
 * Keeps each virtiofsd under its descriptor limit. virtiofsd holds a descriptor for every file
 * the guest's kernel keeps cached, and the guest forgets a file only under memory pressure, so a
 * walk through more files than the limit allows (20,000 on some hosts) ends in "Too many open
 * files" inside containers. Past a share of the limit, the guard has the guest drop its cached
 * names (`forget`), and again each time the count is back over the line. Files open in the VM
 * and folders watched there keep theirs, so when a drop frees little, it asks less and less
 * often, and says why once (TRANSITIONS).
 */
export class VirtiofsFdGuard {
  private timer?: NodeJS.Timeout;
  private running = false;
  private last?: { at: number; held: number };
  /** Descriptors a ms, as the count last rose. */
  private pace = 0;
  private state: GuardState = 'clear';
  /** The count when the guest was last asked. */
  private askedAt = 0;
  private gap: number = FD_GUARD.MIN_GAP_MS;
  private lastAsk = Number.NEGATIVE_INFINITY;
  private warned = false;
  /** Each daemon's limit, read once: it is set as the daemon starts. */
  private readonly limits = new Map<number, number>();
  private readonly fds: FdCounter;
  private readonly now: () => number;

  constructor(private readonly opts: FdGuardOptions) {
    this.fds = opts.fds ?? procFds;
    this.now = opts.now ?? Date.now;
  }

  /** Looks one after another: the next look is set only once the last has finished. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = async () => {
      const next = await this.check();
      if (this.running) this.timer = setTimeout(tick, next).unref();
    };
    this.timer = setTimeout(tick, FD_GUARD.CHECK_MS).unref();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** One look at every virtiofsd; asks the guest to let go when one holds too many. Resolves to the ms until the next look. */
  async check(): Promise<number> {
    const worst = this.fullest();
    if (!worst) return FD_GUARD.CHECK_MS;
    const line = worst.limit * FD_GUARD.SHARE;
    const next = this.untilLine(worst.held, line);
    const look: Look = worst.held < line ? 'under' : this.state === 'asked' && worst.held < this.askedAt / 2 ? 'refilled' : 'over';
    const { to, act } = TRANSITIONS[this.state][look];
    this.state = to;
    if (look === 'under') this.gap = FD_GUARD.MIN_GAP_MS;
    if (act === 'none' || (act === 'ask-when-due' && this.now() - this.lastAsk < this.gap)) return next;
    if (act === 'ask-when-due') this.slowDown(worst);
    // An ask the guest could not carry out is as good as one that freed nothing.
    this.state = (await this.ask(worst)) ? 'asked' : 'stuck';
    return FD_GUARD.FOLLOW_UP_MS;
  }

  /** Asks the guest to drop its cache; false when it could not. */
  private async ask(worst: { held: number; limit: number }): Promise<boolean> {
    this.lastAsk = this.now();
    this.askedAt = worst.held;
    try {
      await this.opts.forget();
      this.opts.log(`[berth] virtiofsd held ${worst.held} of its ${worst.limit} file descriptors, one for each file the VM had cached: the VM dropped its cache`);
      return true;
    } catch (e) {
      this.opts.log(`[berth] virtiofsd holds ${worst.held} of its ${worst.limit} file descriptors, and the VM could not drop its cache: ${(e as Error).message}`);
      return false;
    }
  }

  /**
   * Half the time the count, at its pace, needs to reach the line; within the pacing's bounds.
   * The pace is the last rise: a fall is a drop, which the walk behind it does not slow.
   */
  private untilLine(held: number, line: number): number {
    const at = this.now();
    const last = this.last;
    this.last = { at, held };
    if (last && at > last.at && held >= last.held) this.pace = (held - last.held) / (at - last.at);
    if (this.pace <= 0 || held >= line) return FD_GUARD.CHECK_MS;
    return Math.min(FD_GUARD.CHECK_MS, Math.max(FD_GUARD.SOONEST_MS, (line - held) / this.pace / 2));
  }

  private slowDown(worst: { held: number; limit: number }): void {
    this.gap = Math.min(this.gap * 2, FD_GUARD.MAX_GAP_MS);
    if (this.warned) return;
    this.warned = true;
    this.opts.log(
      `[berth] virtiofsd still holds ${worst.held} of its ${worst.limit} file descriptors after the VM was asked to drop its cache: files open in containers and watched folders keep theirs. Raise the host's open-files limit (ulimit -Hn) if containers see "Too many open files"`,
    );
  }

  /** The virtiofsd nearest its limit; undefined when none runs (or all ended meanwhile). */
  private fullest(): { held: number; limit: number } | undefined {
    let worst: { held: number; limit: number } | undefined;
    for (const pid of this.opts.pids()) {
      try {
        const limit = this.limits.get(pid) ?? this.fds.limit(pid);
        this.limits.set(pid, limit);
        const c = { held: this.fds.held(pid), limit };
        if (!worst || c.held / c.limit > worst.held / worst.limit) worst = c;
      } catch {
        // ended since the list was taken
      }
    }
    return worst;
  }
}
