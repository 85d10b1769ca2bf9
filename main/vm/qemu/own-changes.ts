import type { Duplex } from 'node:stream';
import { connectWhenListening } from '../../common/unix-socket';

/**
 * How long after a container changed a path the host's change of it still counts as that
 * same change coming back: the guest judges its own record by the same 3 s (live-changes.sh).
 */
export const OWN_WINDOW_MS = 3000;
/** Paths older than this are forgotten; only the last OWN_WINDOW_MS are ever asked about. */
const KEEP_MS = 10_000;
/** The longest record line kept; a longer one is a broken stream, and is dropped. */
const MAX_LINE = 64 * 1024;
/** Record lines within about BUCKET_MS–2×BUCKET_MS that make the containers' writing a bulk (an extract, an install, a delete). */
const BULK_LINES = 20;
const BUCKET_MS = 500;
/** The file the guest touches on `mark`, watched beside the folders (live-changes.sh). */
export const OWN_MARK = '/run/berth/live/mark';

/**
 * The guest's record of its containers' own changes in watched folders, as live-changes.sh
 * streams it on its own virtio-serial port: one guest path a line.
 * With it the host drops a container's own writes before sending them back as live changes,
 * so the guest spends nothing on them (docs/performance.md#file-sharing). Times are the
 * host's, when a line arrives: the guest's clock has whole seconds only.
 */
export class OwnChanges {
  /** Guest path → when its last change arrived; in arrival order, so the oldest go first. */
  private readonly seen = new Map<string, number>();
  private partial = '';
  /** Lines that arrived in the current bucket of BUCKET_MS, and in the one before. */
  private bucket = { start: 0, lines: 0, previous: 0 };
  /** Settles waiting for the mark's line. */
  private marks: (() => void)[] = [];

  constructor(
    private readonly stream: Duplex,
    private readonly now: () => number = Date.now,
  ) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.take(chunk));
    stream.on('error', () => undefined);
  }

  /** Connects to QEMU's end of the port, retrying while QEMU creates the socket. */
  static async connect(path: string, timeoutMs = 5000): Promise<OwnChanges> {
    return new OwnChanges(await connectWhenListening(path, "the guest's own-changes port", timeoutMs));
  }

  close(): void {
    this.stream.destroy();
  }

  /**
   * Asks the guest, on this port, to drop what it caches of files it is not using (virtio-fs
   * only; virtiofs-fd-guard.ts). Not the control port: a long batch of changes can hold that
   * one. Resolves once the ask is written; the guest does not answer.
   */
  forget(): Promise<void> {
    return new Promise((resolve, reject) => this.stream.write('forget\n', (e) => (e ? reject(e) : resolve())));
  }

  /**
   * Resolves once the record holds every change the guest saw before `touchMark` ran: the
   * guest's one inotify queue keeps order, so the mark's own line comes after them. Rejects
   * after `timeoutMs` (the guest too busy to answer, or the port closed).
   */
  settle(touchMark: () => Promise<void>, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.marks = this.marks.filter((m) => m !== done);
        reject(new Error(`the guest's own-changes record did not reach its mark within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.marks.push(done);
      touchMark().catch((e: Error) => {
        clearTimeout(timer);
        this.marks = this.marks.filter((m) => m !== done);
        reject(e);
      });
    });
  }

  /**
   * True when a container changed `guestPath`, or a folder above it, at most OWN_WINDOW_MS
   * before `since`, or after it: a file made in a new folder may have come before the
   * guest's watch on that folder did.
   */
  has(guestPath: string, since: number): boolean {
    const from = since - OWN_WINDOW_MS;
    for (let p = guestPath; p.length > 1; p = p.slice(0, Math.max(p.lastIndexOf('/'), 1))) {
      if ((this.seen.get(p) ?? -Infinity) >= from) return true;
    }
    return false;
  }

  /** True while the containers write in bulk: their changes arrive by the dozen, each a moment after the host saw it. */
  writing(): boolean {
    const age = this.now() - this.bucket.start;
    if (age >= 2 * BUCKET_MS) return false;
    return (age < BUCKET_MS ? this.bucket.lines + this.bucket.previous : this.bucket.lines) >= BULK_LINES;
  }

  private count(t: number): void {
    const age = t - this.bucket.start;
    if (age >= BUCKET_MS) this.bucket = { start: t, lines: 0, previous: age < 2 * BUCKET_MS ? this.bucket.lines : 0 };
    this.bucket.lines++;
  }

  private reachedMark(): void {
    const waiting = this.marks;
    this.marks = [];
    for (const m of waiting) m();
  }

  private take(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > MAX_LINE) this.partial = '';
    const t = this.now();
    for (const path of lines) {
      if (path === OWN_MARK) this.reachedMark();
      else if (path.startsWith('/')) {
        this.seen.delete(path);
        this.seen.set(path, t);
        this.count(t);
      }
    }
    for (const [p, at] of this.seen) {
      if (at >= t - KEEP_MS) break;
      this.seen.delete(p);
    }
  }
}
