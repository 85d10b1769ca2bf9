import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EntryState } from '../link/sync-protocol';

/** A conflict the sync kept both sides of: the host's version at `path`, the VM's at `copy`. */
export interface SyncConflict {
  path: string;
  copy: string;
  at: string;
}

/** What one synchronized folder remembers between runs. */
export interface JournalData {
  hostPath: string;
  /** The token written beside the VM's copy: a copy without it (a reset, a new disk) is not the one these entries describe. */
  marker: string;
  /** True once a whole first copy finished: until then the host's version wins every difference. */
  complete: boolean;
  /** The host folder's device and inode when the sync began. */
  identity?: string;
  /** Each entry's state when both sides last agreed on it. */
  entries: Record<string, EntryState>;
  conflicts: SyncConflict[];
}

/**
 * The sync's journal for one folder: the last agreed state of every entry,
 * written atomically after each batch is applied, never before. A crash
 * between the two leaves entries whose sides agree anyway, which the next
 * reconcile records again, so no state of the journal can cause a loss.
 */
export class Journal {
  private constructor(
    private readonly file: string,
    readonly data: JournalData,
    /** Why an existing journal could not be read (it is set aside, and the sync keeps both sides of every difference). */
    readonly recovered?: string,
  ) {}

  /** Opens the journal, or starts a new one; an unreadable one is moved aside and replaced. */
  static open(file: string, hostPath: string): Journal {
    if (!existsSync(file)) return new Journal(file, fresh(hostPath));
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as JournalData;
      if (data.hostPath !== hostPath || typeof data.entries !== 'object' || !Array.isArray(data.conflicts)) throw new Error('not a journal for this folder');
      return new Journal(file, data);
    } catch (e) {
      const backup = `${file}.unreadable-${Date.now()}`;
      renameSync(file, backup);
      // Complete, with no entries: every difference becomes a conflict that keeps both sides.
      return new Journal(file, { ...fresh(hostPath), complete: true, marker: '' }, `${(e as Error).message}; moved to ${backup}`);
    }
  }

  /** Forgets every entry and takes a new marker: the VM's copy is new (a reset, a new disk), and the host is the source of truth. */
  restart(identity: string | undefined): void {
    Object.assign(this.data, { marker: randomBytes(8).toString('hex'), complete: false, identity, entries: {} });
  }

  record(rel: string, state: EntryState | undefined): void {
    if (state) this.data.entries[rel] = state;
    else delete this.data.entries[rel];
  }

  base(rel: string): EntryState | undefined {
    return this.data.entries[rel];
  }

  /** Every entry under `rel` (itself excluded). */
  under(rel: string): string[] {
    const prefix = rel ? `${rel}/` : '';
    return Object.keys(this.data.entries).filter((k) => k !== rel && k.startsWith(prefix));
  }

  save(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

function fresh(hostPath: string): JournalData {
  return { hostPath, marker: randomBytes(8).toString('hex'), complete: false, entries: {}, conflicts: [] };
}
