import { createHash } from 'node:crypto';

/**
 * What host and guest agree on for synchronized folders: the guest's folders,
 * the virtio-serial port, and the line format sync.sh speaks on it.
 *
 * Every line is tab-separated. The host sends `<seq> <verb> <id> [<path>…]`
 * (`put`'s one argument is the size of the tar that follows the line); the guest
 * answers `ok <seq>` or `err <seq> <why>`, after any facts or tar the verb asked
 * for (a tar as `blob <size>`, then its bytes). Facts about the guest's copy come as
 * `s <id> <type> <mode> <size> <mtime> <path>` (busybox stat), `h <id> <sha1>  <path>`
 * (sha1sum) and `l <id> <target> <path>` (readlink), with the copy's own absolute paths;
 * `rm` answers `kept <path>` (as sent) for each folder it left because it was not empty;
 * changes its inotify watch sees come unasked as `c <id> <path>`.
 */

/** The virtio-serial port sync.sh reads. */
export const GUEST_SYNC_PORT = 'berth.sync';
/** The virtio-serial port sync.sh's inotify watch writes the copies' changes to. */
export const GUEST_SYNC_CHANGES_PORT = 'berth.sync-changes';
/** Where each synchronized folder's copy lives on the VM's data disk (`<root>/<id>/copy`, and its `marker`). */
export const SYNC_COPY_ROOT = '/mnt/data/sync';
/** Names both sides skip: what the host writes before it renames into place. */
export const SYNC_TEMP_PREFIX = '.berth-sync-';

/** How `rm`'s answer line for a folder it kept begins; the path sent follows. */
export const SYNC_KEPT = 'kept\t';

/** The verbs sync.sh knows: `put` takes a tar into the copy; `get` sends entries as one (`gettree` with everything under them). */
export type SyncVerb = 'list' | 'stat' | 'mark' | 'watch' | 'put' | 'get' | 'gettree' | 'rm';

/** One entry's state on either side. Folders compare by mode; links by target; files by content, mode and whole-second mtime. */
export type EntryState = { type: 'dir'; mode: number } | { type: 'link'; target: string } | { type: 'file'; mode: number; size: number; mtime: number; sha1: string };

/** A synchronized folder's id: stable for its host path, and safe as one path component in the guest. */
export function syncId(hostPath: string): string {
  return createHash('sha1').update(hostPath).digest('hex').slice(0, 12);
}

/** True for a path (relative to the folder) that either side should leave alone: sync.sh's temporary names. */
export function isSyncTemp(rel: string): boolean {
  return rel.split('/').some((part) => part.startsWith(SYNC_TEMP_PREFIX));
}

/** True when two states are the same for the sync: what the other side would get by a copy. */
export function sameState(a: EntryState | undefined, b: EntryState | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.type === 'dir' && b.type === 'dir') return a.mode === b.mode;
  if (a.type === 'link' && b.type === 'link') return a.target === b.target;
  if (a.type === 'file' && b.type === 'file') return a.sha1 === b.sha1 && a.mode === b.mode && a.size === b.size && a.mtime === b.mtime;
  return false;
}

/** True when two states have the same content, whatever their metadata (a conflict needs no copy then). */
export function sameContent(a: EntryState, b: EntryState): boolean {
  if (a.type === 'file' && b.type === 'file') return a.sha1 === b.sha1;
  return sameState(a, b);
}

/** Gathers the guest's fact lines into states, keyed by path relative to `copy`; lines for other folders or outside it are ignored. */
export class GuestFacts {
  private readonly stats = new Map<string, { type: string; mode: number; size: number; mtime: number }>();
  private readonly sums = new Map<string, string>();
  private readonly links = new Map<string, string>();

  constructor(
    private readonly id: string,
    private readonly copy: string,
  ) {}

  /** Takes one line; returns false when it is not a fact line for this folder. */
  add(line: string): boolean {
    const f = line.split('\t');
    if (f[1] !== this.id) return false;
    if (f[0] === 's' && f.length >= 7) {
      const rel = this.rel(f.slice(6).join('\t'));
      if (rel !== undefined) this.stats.set(rel, { type: f[2], mode: Number.parseInt(f[3], 8), size: Number(f[4]), mtime: Number(f[5]) });
    } else if (f[0] === 'h' && f.length >= 3) {
      const rest = f.slice(2).join('\t');
      const rel = this.rel(rest.slice(42));
      if (rel !== undefined) this.sums.set(rel, rest.slice(0, 40));
    } else if (f[0] === 'l' && f.length >= 4) {
      const rel = this.rel(f.slice(3).join('\t'));
      if (rel !== undefined) this.links.set(rel, f[2]);
    } else return false;
    return true;
  }

  /** The states gathered; a file without its checksum (gone between stat and sha1sum) is left out. */
  states(): Map<string, EntryState> {
    const out = new Map<string, EntryState>();
    for (const [rel, s] of this.stats) {
      const state = toState(s, this.sums.get(rel), this.links.get(rel));
      if (state) out.set(rel, state);
    }
    return out;
  }

  /** A fact's path: absolute in the copy (`list`), or relative to it (`stat`, which runs inside it). */
  private rel(name: string): string | undefined {
    let rel: string;
    if (!name.startsWith('/')) rel = name.replace(/^(\.\/)+/, '');
    else if (name === this.copy || name.startsWith(`${this.copy}/`)) rel = name.slice(this.copy.length + 1);
    else return undefined;
    if (rel === '.') rel = '';
    return isSyncTemp(rel) ? undefined : rel;
  }
}

function toState(s: { type: string; mode: number; size: number; mtime: number }, sha1?: string, target?: string): EntryState | undefined {
  if (s.type === 'directory') return { type: 'dir', mode: s.mode & 0o7777 };
  if (s.type === 'symbolic link') return target === undefined ? undefined : { type: 'link', target };
  if (s.type.startsWith('regular')) return sha1 ? { type: 'file', mode: s.mode & 0o7777, size: s.size, mtime: s.mtime, sha1 } : undefined;
  return undefined;
}
