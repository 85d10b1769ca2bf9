import { createInterface } from 'node:readline';
import type { Duplex, Readable } from 'node:stream';
import type { SyncVerb } from '../link/sync-protocol';

/** The guest refused a sync command, or the port closed under it. */
export class SyncWireError extends Error {}

/** What the guest sent back for one command: its fact lines, and any tar it sent. */
export interface SyncAnswer {
  lines: string[];
  blobs: Buffer[];
}

/** How long a command may go unanswered before the wire is taken to be out of step: long for a whole tree or a big tar. */
const ANSWER_MS: Partial<Record<SyncVerb, number>> & { default: number } = { default: 120_000, list: 600_000, put: 600_000, gettree: 600_000 };
/** The longest line the guest may send: a fact line names one path. */
const MAX_LINE = 64 * 1024;

interface Pending extends SyncAnswer {
  seq: number;
  timer: NodeJS.Timeout;
  resolve: (a: SyncAnswer) => void;
  reject: (e: Error) => void;
}

/**
 * The host's end of sync.sh's two ports: commands, answered in order with the fact lines
 * and tar streams each asked for, and the stream of paths its inotify watch saw change.
 * The guest serves one command at a time; calls queue here and travel in order.
 */
export class SyncWire {
  private seq = 0;
  private readonly pending: Pending[] = [];
  private closed?: Error;
  private buf: Buffer = Buffer.alloc(0);
  private blob?: { size: number; parts: Buffer[]; got: number };

  constructor(
    private readonly commands: Duplex,
    changes: Readable,
    onChange: (absPath: string) => void,
    /** Hears what went wrong with the wire itself (a lost answer, one that never came). */
    private readonly onProblem: (why: string) => void = () => undefined,
  ) {
    commands.on('data', (d: Buffer) => this.onData(d));
    createInterface({ input: changes })
      .on('line', (l) => l && onChange(l))
      .on('error', () => undefined);
    commands.on('error', () => undefined);
    changes.on('error', () => undefined);
    commands.on('close', () => this.fail(new SyncWireError('the sync port closed')));
  }

  /**
   * Sends one command, and `payload` after its line (a tar for `put`, whose size is then its
   * argument). Paths are relative to the folder ('' is the folder itself, sent as `.`: an empty
   * field would vanish in the shell's word splitting) and hold no tab or newline.
   */
  call(verb: SyncVerb, id: string, paths: readonly string[] = [], payload?: Buffer): Promise<SyncAnswer> {
    if (this.closed) return Promise.reject(this.closed);
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.stuck(verb, seq), ANSWER_MS[verb] ?? ANSWER_MS.default);
      this.pending.push({ seq, timer, lines: [], blobs: [], resolve, reject });
      const args = payload ? [String(payload.length)] : paths.map((p) => p || '.');
      this.commands.write(`${[seq, verb, id, ...args].join('\t')}\n`);
      if (payload) this.commands.write(payload);
    });
  }

  close(): void {
    this.fail(new SyncWireError('the sync port was closed'));
    this.commands.destroy();
  }

  /** Lines, and after a `blob <size>` line that many raw bytes, in whatever pieces the port delivers them. */
  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      const b = this.blob;
      if (b) {
        const take = this.buf.subarray(0, b.size - b.got);
        b.parts.push(take);
        b.got += take.length;
        this.buf = this.buf.subarray(take.length);
        if (b.got < b.size) return;
        this.blob = undefined;
        this.pending[0]?.blobs.push(Buffer.concat(b.parts));
        continue;
      }
      const nl = this.buf.indexOf(10);
      if (nl < 0) {
        if (this.buf.length > MAX_LINE) this.close();
        return;
      }
      const line = this.buf.subarray(0, nl).toString('utf8');
      this.buf = this.buf.subarray(nl + 1);
      const size = /^blob\t(\d+)$/.exec(line)?.[1];
      if (size !== undefined) this.blob = { size: Number(size), parts: [], got: 0 };
      else this.onLine(line);
    }
  }

  private onLine(line: string): void {
    const f = line.split('\t');
    const answer = (f[0] === 'ok' || f[0] === 'err') && /^\d+$/.test(f[1] ?? '') ? Number(f[1]) : undefined;
    // An answer to a later command: the earlier ones never reached the guest, or their answers were lost.
    while (answer !== undefined && this.pending.length && this.pending[0]!.seq < answer) {
      const lost = this.pending.shift()!;
      this.onProblem(`command ${lost.seq} was never answered`);
      this.settle(lost, new SyncWireError('the guest never answered'));
    }
    const head = this.pending[0];
    if (!head) return;
    if (answer === head.seq) {
      this.pending.shift();
      this.settle(head, f[0] === 'ok' ? undefined : new SyncWireError(f.slice(2).join(' ').trim() || 'no reason given'));
      return;
    }
    head.lines.push(line);
  }

  private settle(p: Pending, e?: Error): void {
    clearTimeout(p.timer);
    if (e) p.reject(e);
    else p.resolve({ lines: p.lines, blobs: p.blobs });
  }

  /** A command unanswered for too long: the wire is out of step, and is closed so that it is opened afresh. */
  private stuck(verb: SyncVerb, seq: number): void {
    this.onProblem(`no answer to ${verb} (command ${seq})`);
    this.close();
  }

  private fail(e: Error): void {
    this.closed ??= e;
    for (const p of this.pending.splice(0)) this.settle(p, e);
  }
}
