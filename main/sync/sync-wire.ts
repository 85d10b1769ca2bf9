import { createInterface } from 'node:readline';
import type { Duplex, Readable } from 'node:stream';
import type { SyncVerb } from '../link/sync-protocol';

/** The guest refused a sync command, or the port closed under it. */
export class SyncWireError extends Error {}

interface Pending {
  seq: number;
  lines: string[];
  resolve: (lines: string[]) => void;
  reject: (e: Error) => void;
}

/**
 * The host's end of sync.sh's two ports: commands, answered in order with the
 * fact lines each asked for, and the stream of paths its inotify watch saw change.
 * The guest serves one command at a time; calls queue here and travel in order.
 */
export class SyncWire {
  private seq = 0;
  private readonly pending: Pending[] = [];
  private closed?: Error;

  constructor(
    private readonly commands: Duplex,
    changes: Readable,
    onChange: (absPath: string) => void,
  ) {
    createInterface({ input: commands })
      .on('line', (l) => this.onLine(l))
      .on('error', () => undefined);
    createInterface({ input: changes })
      .on('line', (l) => l && onChange(l))
      .on('error', () => undefined);
    commands.on('error', () => undefined);
    changes.on('error', () => undefined);
    commands.on('close', () => this.fail(new SyncWireError('the sync port closed')));
  }

  /**
   * Sends one command; resolves with the fact lines that came before its `ok`. Paths are
   * relative to the folder ('' is the folder itself, sent as `.`: an empty field would vanish
   * in the shell's word splitting) and hold no tab or newline.
   */
  call(verb: SyncVerb, id: string, paths: readonly string[] = []): Promise<string[]> {
    if (this.closed) return Promise.reject(this.closed);
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.push({ seq, lines: [], resolve, reject });
      this.commands.write(`${[seq, verb, id, ...paths.map((p) => p || '.')].join('\t')}\n`);
    });
  }

  /** True once the port closed; every later call fails. */
  get isClosed(): boolean {
    return !!this.closed;
  }

  close(): void {
    this.fail(new SyncWireError('the sync port was closed'));
    this.commands.destroy();
  }

  private onLine(line: string): void {
    const head = this.pending[0];
    if (!head) return;
    const f = line.split('\t');
    if ((f[0] === 'ok' || f[0] === 'err') && Number(f[1]) === head.seq) {
      this.pending.shift();
      if (f[0] === 'ok') head.resolve(head.lines);
      else head.reject(new SyncWireError(f.slice(2).join(' ').trim() || 'no reason given'));
      return;
    }
    head.lines.push(line);
  }

  private fail(e: Error): void {
    this.closed ??= e;
    for (const p of this.pending.splice(0)) p.reject(e);
  }
}
