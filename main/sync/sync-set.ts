import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '../common/logger';
import { isInside } from '../common/path-inside';
import { syncId } from '../link/sync-protocol';
import type { SyncPorts } from '../vm/machine-driver';
import type { SyncedFolder } from '../vm/shared-folders';
import { SyncFolder } from './sync-folder';
import type { SyncFolderStatus } from './sync-state';
import { SyncWire } from './sync-wire';

/** The least time between two status reports: a first copy changes its progress many times a second. */
const STATUS_MS = 500;
/** How long after a wire closed under a running VM it is opened again. */
const REATTACH_MS = 2000;
/** Folders watched at most across synchronized folders (Linux: one inotify watch each). */
const WATCH_BUDGET = 100_000;

export interface SyncSetOptions {
  journalDir: string;
  log: Logger;
  /** Hears every folder's status after a change, at most every STATUS_MS. */
  changed?: (folders: SyncFolderStatus[]) => void;
}

/**
 * Every synchronized folder of the agent: which ones a boot gets (from the
 * `syncedPaths` setting), one wire to the guest's sync.sh per running VM,
 * and the status the CLI, the tray and the dashboard show.
 */
export class SyncSet {
  private readonly folders = new Map<string, SyncFolder>();
  private wire?: SyncWire;
  private attaching = false;
  private readonly budget = { max: WATCH_BUDGET, used: 0 };
  private statusTimer?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;

  constructor(private readonly opts: SyncSetOptions) {}

  /**
   * The folders this boot synchronizes, from the setting: folders that do not exist, that hold
   * Berth's own home, or that lie inside another synchronized folder are skipped, and said so.
   */
  configure(paths: readonly string[], berthHome: string): SyncedFolder[] {
    const wanted = [...new Set(paths.map((p) => resolve(p)))].filter((p) => {
      const why =
        !existsSync(p) || !statSync(p).isDirectory()
          ? 'does not exist or is not a folder'
          : isInside(berthHome, p)
            ? "holds Berth's own files"
            : paths.some((o) => o !== p && isInside(p, resolve(o)))
              ? 'lies inside another synchronized folder'
              : undefined;
      if (why) this.opts.log.warn(`sync: ${p} ${why}; not synchronized`);
      return !why;
    });
    for (const [p, f] of this.folders) {
      if (wanted.includes(p)) continue;
      f.stop();
      this.folders.delete(p);
    }
    for (const p of wanted) {
      if (this.folders.has(p)) continue;
      const f = new SyncFolder({ hostPath: p, journalDir: this.opts.journalDir, log: this.opts.log, budget: this.budget });
      f.on('status', () => this.report());
      this.folders.set(p, f);
    }
    return wanted.map((hostPath) => ({ id: syncId(hostPath), hostPath }));
  }

  /** Follows the VM: connects to its sync ports while it runs, and lets go of them when it does not. */
  follow(machine: { openSync?(): Promise<SyncPorts> } | undefined): void {
    clearTimeout(this.retry);
    if (!machine?.openSync) {
      this.detach();
      return;
    }
    if (this.wire || this.attaching || !this.folders.size) return;
    this.attaching = true;
    machine
      .openSync()
      .then((ports) => {
        const wire = new SyncWire(
          ports.commands,
          ports.changes,
          (abs) => this.dispatch(abs),
          (why) => this.opts.log.warn(`sync: the guest's port: ${why}`),
        );
        // A wire that closes under a running VM (out of step, or the guest's script restarted) is opened afresh.
        ports.commands.once('close', () => {
          if (this.wire !== wire) return;
          this.detach();
          this.retry = setTimeout(() => this.follow(machine), REATTACH_MS);
        });
        this.wire = wire;
        for (const f of this.folders.values()) f.attach(wire);
      })
      .catch((e: Error) => this.opts.log.warn(`sync: ${e.message}`))
      .finally(() => (this.attaching = false));
  }

  status(): SyncFolderStatus[] {
    return [...this.folders.values()].map((f) => f.status());
  }

  /** The user's word for a paused folder (or a reconcile of a running one); false when the path is not synchronized. */
  resume(path: string): boolean {
    const f = this.folders.get(resolve(path));
    f?.resume();
    return !!f;
  }

  /** The reason a container may not bind-mount `path` yet: it lies in a folder whose first copy is not complete. */
  notReady(path: string): string | undefined {
    for (const f of this.folders.values()) {
      const s = f.status();
      if (s.ready || !isInside(path, s.hostPath)) continue;
      const progress = s.progress ? ` (${s.progress.done} of ${s.progress.total} entries)` : '';
      return `${s.hostPath} is still being copied into the VM${progress}, so the container would see part of it. Wait until \`berth sync\` shows it in step, then run the container again.`;
    }
    return undefined;
  }

  /** The host paths synchronized now. */
  paths(): string[] {
    return [...this.folders.keys()];
  }

  close(): void {
    clearTimeout(this.statusTimer);
    clearTimeout(this.retry);
    this.detach();
    for (const f of this.folders.values()) f.stop();
    this.folders.clear();
  }

  private detach(): void {
    const w = this.wire;
    this.wire = undefined;
    for (const f of this.folders.values()) f.detach();
    w?.close();
  }

  private report(): void {
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = undefined;
      this.opts.changed?.(this.status());
    }, STATUS_MS);
  }

  private dispatch(abs: string): void {
    for (const f of this.folders.values()) f.guestChanged(abs);
  }
}
