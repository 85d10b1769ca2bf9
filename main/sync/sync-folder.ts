import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/logger';
import { isSyncTemp, SYNC_COPY_ROOT, syncId } from '../link/sync-protocol';
import { type TreeWatch, type WatchBudget, watchTree } from '../vm/tree-watch';
import { folderIdentity } from './host-state';
import { Journal } from './journal';
import { RetryBudget } from './retry-budget';
import type { BatchContext } from './batch-context';
import { applyBatch, countDeletes, guestList, observe, observeAll } from './sync-batch';
import { type PauseReason, SYNC_TRANSITIONS, type SyncEvent, type SyncFolderStatus, type SyncState } from './sync-state';
import type { SyncWire } from './sync-wire';

/** Entries looked at per batch, in a whole reconcile and after events. */
const BATCH = 500;
/** How long events gather before a batch. */
const GATHER_MS = 30;
/** The longest the journal waits to be written after a batch. */
const SAVE_MS = 500;
/** How often a vanished host folder is looked for. */
const MISSING_CHECK_MS = 2000;
/** Tries at copying one entry before it is left for the next reconcile. */
const MAX_TRIES = 3;

export interface SyncFolderOptions {
  hostPath: string;
  /** Where journals live (`<dir>/<id>.json`). */
  journalDir: string;
  log: Logger;
  budget: WatchBudget;
  now?: () => Date;
  /** Where the guest keeps its copies; SYNC_COPY_ROOT but for sync.sh run on the host by tests. */
  copyRoot?: string;
}

/**
 * One synchronized folder: the host's tree watched, the VM's copy reported by
 * sync.sh, and every difference settled by the three-way rule in plan.ts
 * against the journal. A whole reconcile runs at each attach (a boot, a wake,
 * an agent that restarted after a crash) and after a resume; events in
 * between are gathered into small batches. Emits 'status' (no payload: `status()` reads the
 * conflict copies on disk, so it is asked for only when shown) on every change.
 */
export class SyncFolder extends EventEmitter {
  readonly id: string;
  readonly copy: string;
  private current: SyncState = 'waiting';
  private readonly journal: Journal;
  private wire?: SyncWire;
  private watch?: TreeWatch;
  private watchedIdentity?: string;
  private readonly dirty = new Set<string>();
  private readonly tries = new RetryBudget(MAX_TRIES);
  private timer?: NodeJS.Timeout;
  private saveTimer?: NodeJS.Timeout;
  private missingTimer?: NodeJS.Timeout;
  private work: Promise<void> = Promise.resolve();
  private busy = false;
  private progress?: { done: number; total: number };
  private paused?: PauseReason;
  private allowMassDelete = false;
  private error?: string;
  private lastSync?: string;

  constructor(private readonly opts: SyncFolderOptions) {
    super();
    this.id = syncId(opts.hostPath);
    this.copy = `${opts.copyRoot ?? SYNC_COPY_ROOT}/${this.id}/copy`;
    this.journal = Journal.open(join(opts.journalDir, `${this.id}.json`), opts.hostPath);
    if (this.journal.recovered) opts.log.warn(`sync ${opts.hostPath}: the journal was unreadable (${this.journal.recovered}); every difference keeps both sides`);
  }

  get state(): SyncState {
    return this.current;
  }

  /** The VM's sync port is there: watch both sides and reconcile them whole. */
  attach(wire: SyncWire): void {
    if (!this.fire('attach')) return;
    this.wire = wire;
    this.queue(async () => {
      await wire.call('watch', this.id);
      await this.scan();
    });
  }

  /** The VM went away: nothing travels until the next attach. */
  detach(): void {
    this.wire = undefined;
    this.fire('detach');
  }

  /** The user's word: a paused folder goes on (a mass delete is applied), and any folder is reconciled whole. */
  resume(): void {
    this.allowMassDelete = true;
    if (this.paused?.kind === 'host-replaced') this.journal.data.identity = folderIdentity(this.opts.hostPath);
    if (this.fire('rescan')) this.queue(() => this.scan());
  }

  /** A path the guest's watch saw change (as the guest names it). */
  guestChanged(abs: string): void {
    const rel = relativeTo(this.copy, abs);
    if (rel !== undefined) this.changed(rel);
  }

  stop(): void {
    this.fire('stop');
    this.watch?.close();
    this.watch = undefined;
    for (const t of [this.timer, this.saveTimer, this.missingTimer]) clearTimeout(t);
    this.journal.save();
  }

  status(): SyncFolderStatus {
    const j = this.journal.data;
    return {
      hostPath: this.opts.hostPath,
      state: this.current,
      progress: this.progress,
      ready: j.complete,
      paused: this.current === 'paused' ? this.paused : undefined,
      conflicts: j.conflicts.filter((c) => existsSync(join(this.opts.hostPath, c.copy))),
      entries: Object.keys(j.entries).length,
      lastSync: this.lastSync,
      error: this.error,
    };
  }

  private fire(event: SyncEvent): boolean {
    const next = SYNC_TRANSITIONS[this.current][event];
    if (!next) return false;
    this.current = next;
    if (next !== 'paused') this.paused = undefined;
    this.emit('status');
    return true;
  }

  private changed(rel: string): void {
    if (isSyncTemp(rel)) return;
    this.dirty.add(rel);
    if (this.current === 'watching' && !this.busy) this.timer ??= setTimeout(() => this.flushSoon(), GATHER_MS);
  }

  private flushSoon(): void {
    this.timer = undefined;
    this.queue(() => this.flush());
  }

  private queue(job: () => Promise<void>): void {
    this.work = this.work.then(async () => {
      this.busy = true;
      try {
        await job();
        this.error = undefined;
      } catch (e) {
        this.error = (e as Error).message;
        this.opts.log.warn(`sync ${this.opts.hostPath}: ${this.error}`);
      } finally {
        this.busy = false;
        if (this.dirty.size && this.current === 'watching') this.timer ??= setTimeout(() => this.flushSoon(), GATHER_MS);
        this.emit('status');
      }
    });
  }

  private context(): BatchContext | undefined {
    return this.wire && { id: this.id, root: this.opts.hostPath, copy: this.copy, journal: this.journal, wire: this.wire, now: this.opts.now };
  }

  /** The host folder is there, and is the one synchronized; otherwise the folder pauses. */
  private hostFolderOk(): boolean {
    const identity = folderIdentity(this.opts.hostPath);
    if (!identity) return this.pause({ kind: 'host-missing' });
    const known = this.journal.data.identity;
    if (known && known !== identity && this.journal.data.complete) return this.pause({ kind: 'host-replaced' });
    if (this.watchedIdentity !== identity) {
      this.watch?.close();
      this.watch = watchTree(this.opts.hostPath, (p) => this.hostChanged(p), this.opts.budget);
      this.watchedIdentity = identity;
    }
    return true;
  }

  /** A host change: the next batch looks at it, and finds a vanished folder first (hostFolderOk). */
  private hostChanged(abs: string): void {
    const rel = relativeTo(this.opts.hostPath, abs);
    if (rel !== undefined) this.changed(rel);
  }

  private pause(reason: PauseReason): false {
    this.paused = reason;
    if (this.fire('pause')) this.opts.log.warn(`sync ${this.opts.hostPath}: paused: ${reason.kind}`);
    if (reason.kind === 'host-missing') this.awaitHostFolder();
    return false;
  }

  private awaitHostFolder(): void {
    clearTimeout(this.missingTimer);
    this.missingTimer = setTimeout(() => {
      if (this.current !== 'paused' || this.paused?.kind !== 'host-missing') return;
      if (!folderIdentity(this.opts.hostPath)) return this.awaitHostFolder();
      if (this.fire('rescan')) this.queue(() => this.scan());
    }, MISSING_CHECK_MS);
  }

  /** A whole reconcile: both sides listed, every entry decided, applied in batches. */
  private async scan(): Promise<void> {
    const ctx = this.context();
    if (!ctx || this.current !== 'scanning' || !this.hostFolderOk()) return;
    const guest = await guestList(ctx);
    this.adoptMarker(guest.marker);
    if (guest.marker !== this.journal.data.marker) await ctx.wire.call('mark', this.id, [this.journal.data.marker]);
    const seen = observeAll(ctx, guest);
    const initial = !this.journal.data.complete;
    const deletes = countDeletes(ctx, seen, initial);
    if (!this.allowMassDelete && deletes.mass) return void this.pause({ kind: 'mass-delete', ...deletes.mass });
    this.progress = { done: 0, total: seen.rels.length };
    for (let i = 0; i < seen.rels.length; i += BATCH) {
      const rels = seen.rels.slice(i, i + BATCH);
      const part = { host: seen.host, guest: seen.guest, rels };
      const r = await applyBatch(ctx, part, { initial, allowMassDelete: true });
      for (const rel of r.retry) this.dirty.add(rel);
      this.progress = { done: Math.min(i + BATCH, seen.rels.length), total: seen.rels.length };
      this.emit('status');
    }
    this.journal.data.complete = true;
    this.journal.save();
    this.progress = undefined;
    this.allowMassDelete = false;
    this.lastSync = new Date().toISOString();
    this.fire('scanned');
  }

  /** A copy without this journal's marker is a new copy (a reset, a new disk): the host is the source of truth. */
  private adoptMarker(marker: string | undefined): void {
    const j = this.journal;
    if (j.recovered && j.data.marker === '') {
      j.data.marker = marker && marker !== '-' ? marker : j.data.marker || 'recovered';
      return;
    }
    if (marker === j.data.marker) return;
    if (Object.keys(j.data.entries).length) this.opts.log.warn(`sync ${this.opts.hostPath}: the VM's copy is new; copying the host's folder into it again`);
    j.restart(folderIdentity(this.opts.hostPath));
  }

  /** One batch of the entries that changed since the last. */
  private async flush(): Promise<void> {
    const ctx = this.context();
    if (!ctx || this.current !== 'watching' || !this.dirty.size) return;
    if (!this.hostFolderOk()) return;
    const rels = [...this.dirty].slice(0, BATCH);
    for (const r of rels) this.dirty.delete(r);
    const seen = await observe(ctx, rels);
    const r = await applyBatch(ctx, seen, { initial: !this.journal.data.complete, allowMassDelete: this.allowMassDelete });
    if (r.massDelete) {
      for (const rel of rels) this.dirty.add(rel);
      return void this.pause({ kind: 'mass-delete', ...r.massDelete });
    }
    const { again, givenUp } = this.tries.settle(seen.rels, r.retry);
    for (const rel of again) this.dirty.add(rel);
    for (const rel of givenUp) this.opts.log.warn(`sync ${this.opts.hostPath}: ${rel || '.'} could not be copied or deleted; the next reconcile tries again`);
    this.lastSync = new Date().toISOString();
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = undefined;
      this.journal.save();
    }, SAVE_MS);
  }
}

/** `abs` as a path inside `root` ('' for the root itself), or undefined when it lies outside. */
function relativeTo(root: string, abs: string): string | undefined {
  if (abs === root) return '';
  return abs.startsWith(`${root}/`) ? abs.slice(root.length + 1) : undefined;
}
