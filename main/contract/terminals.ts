import type { ExecTerminal } from '../engine/exec-terminal';
import { CodedError } from '../common/coded-error';
import { LeasedStreams } from './leased-streams';
import type { WatchLease } from './stats-hub';

/** Output of one terminal, addressed to the page that opened it. */
export interface TerminalOutput {
  terminal: string;
  data: string;
  /** The shell ended (exit, the container stopped, or the terminal was closed). */
  ended?: boolean;
}

type Open = (container: string, terminal: string, size: { cols: number; rows: number }, onData: (d: string) => void, onEnd: () => void) => Promise<ExecTerminal>;

const LEASE: WatchLease = { intervalMs: 0, leaseMs: 10_000 };
/** Enough for any page; a page that opens more is broken, not busy. */
const MAX_TERMINALS = 32;

/**
 * The terminals pages have open, by the page's own id for each. Each is held
 * on a lease like a log stream, so a tab that vanished (closed, crashed, its
 * socket dropped) ends its shells within one lease instead of leaking them.
 */
export class Terminals {
  private readonly open = new LeasedStreams<ExecTerminal>(LEASE.leaseMs, (_t, shell) => shell.then((s) => s.close()).catch(() => undefined));

  constructor(
    private readonly start: Open,
    private readonly emit: (out: TerminalOutput) => void,
  ) {}

  /** Opens a terminal, or renews its lease when it is open already. */
  async hold(container: string, terminal: string, cols: number, rows: number): Promise<WatchLease> {
    if (!this.open.get(terminal) && this.open.size >= MAX_TERMINALS) throw new CodedError('refused', `at most ${MAX_TERMINALS} terminals can be open at once`);
    await this.open.hold(terminal, () =>
      this.start(
        container,
        terminal,
        { cols, rows },
        (data) => this.emit({ terminal, data }),
        () => this.ended(terminal),
      ),
    );
    return LEASE;
  }

  async input(terminal: string, data: string): Promise<void> {
    (await this.get(terminal)).write(data);
  }

  async resize(terminal: string, cols: number, rows: number): Promise<void> {
    await (await this.get(terminal)).resize(cols, rows);
  }

  /** Ends a terminal's shell and everything it started. */
  close(terminal: string): Promise<void> {
    return this.open.release(terminal);
  }

  /** Terminals open now. */
  get count(): number {
    return this.open.size;
  }

  closeAll(): void {
    this.open.close();
  }

  private async get(terminal: string): Promise<ExecTerminal> {
    const t = this.open.get(terminal);
    if (!t) throw new CodedError('not_found', 'this terminal is closed');
    return t;
  }

  /** The shell ended by itself (exit, the container stopped): the page is told once. */
  private ended(terminal: string): void {
    if (this.open.forget(terminal)) this.emit({ terminal, data: '', ended: true });
  }
}
