import type { Socket } from 'node:net';
import { connectWhenListening } from '../../common/unix-socket';
import { createInterface } from 'node:readline';
import { sleep } from '../../common/sleep';
import type { ShareEvents } from '../machine-driver';

/** The commands the guest's rc.control understands (see main/link/guest.ts GUEST_CONTROL_PORT). */
export type GuestCommand = 'suspend' | 'mount' | 'mark' | `time ${number}` | `watch ${string}` | `changed ${number} ${0 | 1}`;

/** The longest answer line the guest may send. */
const MAX_LINE = 64 * 1024;

/** How long an answer a timed-out command is owed is still taken as that command's. */
const OWED_FOR_MS = 5 * 60_000;

/** The guest refused a command, or did not answer it. */
export class GuestControlError extends Error {}

/**
 * The agent's end of the guest's control port: QEMU listens on a unix socket
 * and passes its bytes to the virtio-serial port rc.control reads. One command
 * at a time, each answered by one line, `ok <command>` or `err <command> <why>`.
 */
export class GuestControl {
  private queue: Promise<unknown> = Promise.resolve();
  private waiting?: { name: string; resolve: () => void; reject: (e: Error) => void };
  /**
   * Answers still owed to commands that timed out, oldest first. The guest answers in order, so
   * the next answer of that name is theirs, not the waiting command's; each is owed for a while
   * only, in case the guest never sends it.
   */
  private owed: { name: string; until: number }[] = [];

  private constructor(private readonly socket: Socket) {
    // A reset connection ends through 'close' below; readline would rethrow the socket's error as its own.
    createInterface({ input: socket })
      .on('line', (line) => this.onLine(line))
      .on('error', () => undefined);
    // An answer is one short line; a guest that sends an endless one is cut off rather than buffered without bound.
    let unended = 0;
    socket.on('data', (d: Buffer) => {
      const nl = d.lastIndexOf(10);
      unended = nl < 0 ? unended + d.length : d.length - nl - 1;
      // Closed without an error object: the waiting command fails through 'close', and readline has nothing to rethrow.
      if (unended > MAX_LINE) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.waiting?.reject(new GuestControlError('the control port closed')));
  }

  /** Connects to QEMU's end of the port, retrying while QEMU creates the socket. */
  static async connect(path: string, timeoutMs = 5000): Promise<GuestControl> {
    try {
      return new GuestControl(await connectWhenListening(path, "the guest's control port", timeoutMs));
    } catch (e) {
      throw new GuestControlError((e as Error).message);
    }
  }

  /** Sends one command (and the bytes its line announces) and resolves when the guest answers `ok`. */
  send(command: GuestCommand, timeoutMs: number, payload?: Buffer): Promise<void> {
    const run = this.queue.then(() => this.exchange(command, timeoutMs, payload));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Sets the guest's clock from the host's. The guest takes whole seconds: at
   * once, the nearest second (right to within half a second); `exact` waits
   * for the host's next second boundary, so what the guest sets is right to
   * within the time the line takes to reach it.
   */
  async setClock(timeoutMs: number, exact = false): Promise<void> {
    const now = Date.now();
    if (!exact) return this.send(`time ${Math.round(now / 1000)}`, timeoutMs);
    const next = Math.ceil((now + 1) / 1000);
    await sleep(next * 1000 - now);
    await this.send(`time ${next}`, timeoutMs);
  }

  /**
   * Live changes (main/vm/live-changes.ts), one command a batch. A batch's paths follow its line
   * as a counted block of tab-separated bytes, which the guest reads with one dd: the shell's
   * `read` takes a byte per system call, which under emulation cost a large batch most of a second.
   */
  readonly shareEvents: Pick<ShareEvents, 'watch' | 'changed'> = {
    watch: (paths) => this.send(`watch ${paths.join('\t')}`, 30_000),
    changed: (paths, forget) => {
      const body = Buffer.from(`${paths.join('\t')}\n`);
      return this.send(`changed ${body.length} ${forget ? 1 : 0}`, 60_000, body);
    },
  };

  /** Has the guest touch the mark its own-changes record watches (own-changes.ts). */
  mark(timeoutMs: number): Promise<void> {
    return this.send('mark', timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }

  private exchange(command: GuestCommand, timeoutMs: number, payload?: Buffer): Promise<void> {
    const name = command.split(' ')[0];
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.owed.push({ name, until: Date.now() + OWED_FOR_MS });
        done(new GuestControlError(`the guest did not answer "${name}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (e?: Error) => {
        clearTimeout(timer);
        this.waiting = undefined;
        if (e) reject(e);
        else resolve();
      };
      this.waiting = { name, resolve: () => done(), reject: done };
      if (this.socket.destroyed) return done(new GuestControlError('the control port is closed'));
      this.socket.write(payload ? Buffer.concat([Buffer.from(`${command}\n`), payload]) : `${command}\n`);
    });
  }

  private onLine(line: string): void {
    const w = this.waiting;
    const [status, name, ...why] = line.trim().split(' ');
    const now = Date.now();
    this.owed = this.owed.filter((o) => o.until > now);
    const late = this.owed.findIndex((o) => o.name === name);
    if (late >= 0) {
      // Owed ones before it will not come now: the guest has moved past them.
      this.owed.splice(0, late + 1);
      return;
    }
    if (!w || name !== w.name) return;
    if (status === 'ok') w.resolve();
    else w.reject(new GuestControlError(`the guest could not ${name}: ${why.join(' ') || 'no reason given'}`));
  }
}
