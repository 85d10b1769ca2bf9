import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';

/** A QMP asynchronous event, e.g. SHUTDOWN or POWERDOWN. */
export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

/** An error QEMU returned for a command. */
export class QmpError extends Error {
  constructor(
    public readonly qmpClass: string,
    desc: string,
  ) {
    super(`QMP ${qmpClass}: ${desc}`);
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A small QMP client: connects to QEMU's control socket, negotiates
 * capabilities, runs commands one at a time (QMP answers in order, matched by
 * id), and re-emits QEMU's events as 'event'. Emits 'close' when the socket
 * goes away, which is how a QEMU exit shows up.
 */
export class QmpClient extends EventEmitter {
  private socket?: Socket;
  private buf = '';
  private seq = 0;
  private pending = new Map<string, Pending>();
  private greeted?: (v: unknown) => void;

  /** Connects and finishes the capabilities handshake. */
  static async connect(path: string, timeoutMs = 5000): Promise<QmpClient> {
    const c = new QmpClient();
    await c.open(path, timeoutMs);
    return c;
  }

  private open(path: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`QMP at ${path} did not greet within ${timeoutMs} ms`)), timeoutMs);
      const fail = (e: Error) => {
        clearTimeout(timer);
        this.socket?.destroy();
        reject(e);
      };
      const sock = createConnection(path);
      this.socket = sock;
      sock.setEncoding('utf8');
      sock.on('data', (d: string) => this.onData(d));
      sock.on('error', (e) => fail(e));
      sock.on('close', () => this.onClose());
      this.greeted = () => {
        sock.removeListener('error', fail);
        sock.on('error', () => undefined);
        this.execute('qmp_capabilities').then(() => {
          clearTimeout(timer);
          resolve();
        }, fail);
      };
    });
  }

  /** Runs one QMP command and resolves with its `return` value. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    const sock = this.socket;
    if (!sock || sock.destroyed) return Promise.reject(new Error('QMP connection is closed'));
    const id = `berth-${++this.seq}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`QMP ${command} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      sock.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id })}\n`);
    });
  }

  /** Runs a human-monitor command (e.g. hostfwd_add) and returns its text output. */
  async hmp(commandLine: string): Promise<string> {
    return this.execute<string>('human-monitor-command', { 'command-line': commandLine });
  }

  close(): void {
    this.socket?.destroy();
  }

  get closed(): boolean {
    return !this.socket || this.socket.destroyed;
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    for (let nl = this.buf.indexOf('\n'); nl >= 0; nl = this.buf.indexOf('\n')) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line) this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // QEMU only speaks JSON here; anything else is noise we can drop.
    }
    if ('QMP' in msg) {
      this.greeted?.(msg);
      this.greeted = undefined;
      return;
    }
    if (typeof msg.event === 'string') {
      this.emit('event', msg as unknown as QmpEvent);
      return;
    }
    const id = String(msg.id ?? '');
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in msg) {
      const err = msg.error as { class?: string; desc?: string };
      p.reject(new QmpError(err.class ?? 'GenericError', err.desc ?? 'unknown error'));
    } else {
      p.resolve(msg.return);
    }
  }

  private onClose(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('QMP connection closed'));
      this.pending.delete(id);
    }
    this.emit('close');
  }
}
