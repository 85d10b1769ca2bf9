import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../common/logger';
import { groups } from '../common/groups';
import { isInside } from '../common/path-inside';
import type { ShareEvents } from './machine-driver';
import type { SharedFolder } from './shared-folders';
import { type TreeWatch, type WatchBudget, watchTree } from './tree-watch';

/** Folders watched at most, across all bind mounts (Linux: one inotify watch each). */
const DEFAULT_WATCH_BUDGET = 20_000;
/** How long changes gather before they go to the guest as one batch. */
const GATHER_MS = 40;
/**
 * After a batch, the next waits this many times as long as the guest took, so raising events
 * (a few processes per batch, on the guest CPU a container's own work needs) takes at most a
 * quarter of it while a container writes thousands of files, each of which comes back from
 * the host. Measured: sent back to back, batches tripled a 5,000-file extract.
 */
const SPACING_FACTOR = 3;
/** The longest wait between batches, so a host edit still reaches a watcher within 1 s. */
const MAX_SPACING_MS = 500;
/**
 * While the guest's containers write in bulk (ShareEvents.writing), a path not yet known as
 * theirs waits up to HOLD_MS for its record to arrive before the guest is asked to bring the
 * record up to date (ShareEvents.settle), which would cost it a command each batch. A
 * container's occasional write does not make a host edit wait.
 */
const HOLD_MS = 200;
/** The longest batch line sent to the guest. */
const MAX_BATCH_CHARS = 60 * 1024;

/** A bind-mounted folder, by its path on the host and in the guest (they differ for macOS's /tmp). */
interface Root {
  host: string;
  guest: string;
  watch: TreeWatch;
}

export interface LiveChangesOptions {
  shares: () => readonly SharedFolder[];
  /** The running machine's way to raise events in the guest; undefined while there is none. */
  target: () => ShareEvents | undefined;
  log: Logger;
  budget?: number;
  platform?: NodeJS.Platform;
  /** Host folders whose changes reach the guest another way (synchronized folders, whose copy is local there). */
  skip?: () => readonly string[];
}

/**
 * Host changes in folders that running containers bind-mount, raised as inotify
 * events in the guest, so watchers in containers (vite, webpack, nodemon) see
 * host edits. Only those folders are watched, nothing when there are none. A
 * change is sent once per state of the file (inode, size, mtime): the guest's
 * chown of a path to its own owner, which changes only the ctime, does not come
 * back; paths its containers just wrote, which the guest streams (ShareEvents.own), are
 * dropped here and never sent.
 */
export class LiveChanges {
  private roots = new Map<string, Root>();
  private readonly budget: WatchBudget;
  /** Changed host paths, each with when the host first saw it change. */
  private pending = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private readonly sent = new Map<string, string>();
  private inFlight?: Promise<void>;
  /** When the guest has rested long enough after the last batch (SPACING_FACTOR). */
  private restUntil = 0;

  constructor(private readonly opts: LiveChangesOptions) {
    this.budget = { max: opts.budget ?? DEFAULT_WATCH_BUDGET, used: 0 };
  }

  /** The bind mounts of the running containers now (their sources, as the guest names them). */
  setBinds(guestPaths: readonly string[]): void {
    const skip = this.opts.skip?.() ?? [];
    const wanted = outermost(guestPaths.map((g) => this.toHost(g)).filter((r): r is { host: string; guest: string } => !!r && !skip.some((s) => isInside(r.host, s))));
    const keys = new Set(wanted.map((r) => r.host));
    const removed = [...this.roots.values()].filter((r) => !keys.has(r.host));
    for (const r of removed) {
      r.watch.close();
      this.roots.delete(r.host);
    }
    const added = wanted.filter((r) => !this.roots.has(r.host));
    for (const r of added) this.roots.set(r.host, { ...r, watch: watchTree(r.host, (p) => this.changed(p), this.budget, this.opts.platform) });
    if (!added.length && !removed.length) return;
    const w = this.watched();
    this.opts.log.info(`live changes: watching ${w.roots.length ? w.roots.join(', ') : 'nothing'} (${w.watches} watches)`);
    const capped = added.filter((r) => this.roots.get(r.host)?.watch.capped);
    if (capped.length)
      this.opts.log.warn(`live changes: the cap of ${this.budget.max} watched folders is reached; changes deeper in ${capped.map((r) => r.host).join(', ')} are not sent to containers`);
    const guestRoots = [...this.roots.values()].map((r) => r.guest);
    void this.opts
      .target()
      ?.watch(guestRoots)
      .catch((e: Error) => this.opts.log.warn(`live changes: ${e.message}`));
  }

  /** What is watched now, for status and logs. */
  watched(): { roots: string[]; watches: number; capped: boolean } {
    const all = [...this.roots.values()];
    return { roots: all.map((r) => r.host), watches: this.budget.used, capped: all.some((r) => r.watch.capped) };
  }

  /** Stops every watch; the next `setBinds` starts afresh. */
  close(): void {
    for (const r of this.roots.values()) r.watch.close();
    this.roots.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private changed(hostPath: string): void {
    if (!this.pending.has(hostPath)) this.pending.set(hostPath, Date.now());
    this.schedule();
  }

  private schedule(): void {
    if (!this.inFlight && this.pending.size) this.timer ??= setTimeout(() => this.flush(), this.delay());
  }

  /** The gathering time, or longer while the guest rests from the last batch. */
  private delay(): number {
    return Math.max(GATHER_MS, this.restUntil - Date.now());
  }

  /**
   * Sends what gathered, one request at a time: while the guest works on one, changes gather
   * for the next, so a container's heavy writing (whose every path comes back from the host)
   * costs the guest a few large batches rather than one every 40 ms.
   */
  private flush(): void {
    this.timer = undefined;
    const target = this.opts.target();
    const now = Date.now();
    const busy = !!target?.writing();
    const folders = new Map<string, boolean>();
    const fresh: ReturnType<LiveChanges['fresh']>[] = [];
    // Each path is judged against when the host first saw it change, not when it is sent.
    for (const [p, seen] of this.pending) {
      if (busy && now - seen < HOLD_MS && !this.isOwn(target, p, seen)) continue;
      this.pending.delete(p);
      fresh.push(this.fresh(p, seen, folders));
    }
    const raise = fresh.flatMap((f) => f.raise);
    if (target && raise.length) {
      const t0 = Date.now();
      this.inFlight = send(
        target,
        raise,
        fresh.some((f) => f.gone),
      )
        .catch((e: Error) => this.opts.log.warn(`live changes: ${e.message}`))
        .finally(() => {
          this.inFlight = undefined;
          this.restUntil = Date.now() + Math.min((Date.now() - t0) * SPACING_FACTOR, MAX_SPACING_MS);
          this.schedule();
        });
    }
    this.schedule();
  }

  /** True when the guest's record already names this change as a container's own. */
  private isOwn(target: ShareEvents | undefined, hostPath: string, seen: number): boolean {
    const guest = this.toGuest(hostPath);
    return !!target && !!guest && target.own(guest, seen);
  }

  /** A watched host path as the guest names it; undefined outside every watched folder. */
  private toGuest(hostPath: string): string | undefined {
    const root = [...this.roots.values()].find((r) => isInside(hostPath, r.host));
    return root && root.guest + hostPath.slice(root.host.length);
  }

  /**
   * The guest paths to raise events on, unless this state of the file was sent already: the file
   * itself while it exists, and its folder when that changed too (a name made, gone or moved
   * there), so the guest's cached listing and attributes of the folder are refreshed. A path
   * that is gone has only its folder raised: the guest may still hold its name (virtio-fs
   * `cache=always`), and its refresh would succeed on the deleted file. The folder's own event,
   * which the refresh raises on the host, then finds its state already sent. A folder is
   * raised for each change in it, so a container's own changes there do not hide the host's.
   */
  private fresh(hostPath: string, since: number, folders: Map<string, boolean>): { raise: Raise[]; gone: boolean } {
    const none = { raise: [], gone: false };
    const cause = this.toGuest(hostPath);
    if (!cause || this.opts.skip?.().some((s) => isInside(hostPath, s))) return none;
    const own = stateOf(hostPath);
    const dir = dirname(hostPath);
    const folder = stateOf(dir) ?? 'gone';
    const state = own ?? `gone ${folder}`;
    if (this.sent.get(hostPath) === state) return none;
    if (this.sent.size > 100_000) this.sent.clear();
    this.sent.set(hostPath, state);
    // Judged once a batch, so each change in the folder is a cause of its refresh.
    let folderChanged = folders.get(dir);
    if (folderChanged === undefined) {
      folderChanged = !this.roots.has(hostPath) && this.sent.get(dir) !== folder;
      folders.set(dir, folderChanged);
      if (folderChanged) this.sent.set(dir, folder);
    }
    const raise = [...(own ? [{ path: cause, cause, since }] : []), ...(folderChanged ? [{ path: dirname(cause), cause, since }] : [])];
    return { raise, gone: !own };
  }

  /** A bind source (a guest path) as the share it is in names it on the host. */
  private toHost(guest: string): { host: string; guest: string } | undefined {
    const share = this.opts
      .shares()
      .map((s) => ({ s, mount: s.guestPath ?? s.hostPath }))
      .filter(({ mount }) => isInside(guest, mount))
      .sort((a, b) => b.mount.length - a.mount.length)[0];
    return share && { host: share.s.hostPath + guest.slice(share.mount.length), guest };
  }
}

/** A file's state as far as an event goes: inode, size, mtime; undefined when it is gone. Symlinks are their own state. */
function stateOf(path: string): string | undefined {
  try {
    const s = lstatSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return undefined;
  }
}

/** A guest path to raise an event on, the changed path that calls for it (itself, or a name in a folder), and when the host saw that change. */
interface Raise {
  path: string;
  cause: string;
  since: number;
}

/**
 * Sends the paths whose change is not a container's own write coming back. Most are known as
 * such at once; for the rest the guest's record is brought up to date first (the host can see
 * a change before the guest's recorder has streamed it), so no container hears its own write twice.
 */
async function send(target: ShareEvents, raise: Raise[], gone: boolean): Promise<void> {
  const notOwn = () => [...new Set(raise.filter((r) => !target.own(r.cause, r.since)).map((r) => r.path))];
  let todo = notOwn();
  if (!todo.length) return;
  // A guest that cannot say (no recorder yet, too busy) still gets the paths: an echo beats a lost edit.
  const settled = await target.settle().then(
    () => true,
    () => false,
  );
  if (settled) todo = notOwn();
  const all = batches(todo);
  for (const [i, b] of all.entries()) await target.changed(b, gone && i === all.length - 1);
}

/** Drops any root inside another: the outer one's watch covers it. */
function outermost<T extends { host: string }>(roots: T[]): T[] {
  const uniq = roots.filter((r, i) => roots.findIndex((o) => o.host === r.host) === i);
  return uniq.filter((r) => !uniq.some((o) => o !== r && isInside(r.host, o.host)));
}

/** Paths in lines of at most MAX_BATCH_CHARS; a path with a tab or newline cannot travel in one and is skipped. */
function batches(paths: string[]): string[][] {
  return groups(
    paths.filter((x) => !/[\t\n]/.test(x)),
    (p) => p.length + 1,
    MAX_BATCH_CHARS,
  );
}
