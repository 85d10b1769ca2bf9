import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { entryKind } from '../common/entry-kind';
import { type EntryState, isSyncTemp } from '../link/sync-protocol';

/** A path inside a synchronized folder, relative to it ('' is the folder itself). */
export function absolute(root: string, rel: string): string {
  return rel ? join(root, rel) : root;
}

/**
 * True when every folder above `rel` inside `root` that exists is a real folder, not a link:
 * a path through a link would read or write outside the synchronized folder.
 */
export function realParents(root: string, rel: string): boolean {
  const parts = rel.split('/').slice(0, -1);
  let at = root;
  for (const p of parts) {
    at = join(at, p);
    try {
      if (!lstatSync(at).isDirectory()) return false;
    } catch {
      return true;
    }
  }
  return true;
}

/** One entry's state on the host, or undefined when it is gone, lies beyond a link, or is neither a file, a folder nor a link. */
export function hostState(root: string, rel: string): EntryState | undefined {
  return realParents(root, rel) ? entryState(absolute(root, rel)) : undefined;
}

/** The state of the entry at `abs`, its folders above already known to be real ones. */
function entryState(abs: string): EntryState | undefined {
  let st: Stats;
  try {
    st = lstatSync(abs);
  } catch {
    return undefined;
  }
  try {
    return stateOf(abs, st);
  } catch {
    // Gone between the lstat and the read.
    return undefined;
  }
}

function stateOf(abs: string, st: Stats): EntryState | undefined {
  if (st.isDirectory()) return { type: 'dir', mode: st.mode & 0o7777 };
  if (st.isSymbolicLink()) return { type: 'link', target: readlinkSync(abs) };
  if (!st.isFile()) return undefined;
  const sha1 = createHash('sha1').update(readFileSync(abs)).digest('hex');
  return { type: 'file', mode: st.mode & 0o7777, size: st.size, mtime: Math.floor(st.mtimeMs / 1000), sha1 };
}

/**
 * Every entry under `rel` (itself included), by path relative to `root`. Names that the
 * line protocol cannot carry (a tab or a newline) and the sync's own temporary names are skipped.
 */
export function hostTree(root: string, rel = ''): Map<string, EntryState> {
  return walkTree(root, rel, entryState, (s) => s.type === 'dir');
}

/** The paths hostTree would give, without reading any file: for a list of names only. */
export function hostNames(root: string, rel = ''): string[] {
  return [...walkTree(root, rel, entryKind, (k) => k === 'dir').keys()];
}

function walkTree<T>(root: string, rel: string, look: (abs: string) => T | undefined, isDir: (t: T) => boolean): Map<string, T> {
  const out = new Map<string, T>();
  // The walk descends through real folders only, so no entry's parents need looking at again.
  const walk = (r: string) => {
    const s = look(absolute(root, r));
    if (s === undefined) return;
    out.set(r, s);
    if (!isDir(s)) return;
    let names: string[];
    try {
      names = readdirSync(absolute(root, r));
    } catch {
      return;
    }
    for (const n of names) {
      const child = r ? `${r}/${n}` : n;
      if (!/[\t\n]/.test(n) && !isSyncTemp(child)) walk(child);
    }
  };
  walk(rel);
  return out;
}

/** The identity of the folder itself (device and inode), so a folder that vanished and came back as another is noticed. */
export function folderIdentity(root: string): string | undefined {
  try {
    const st = lstatSync(root);
    return st.isDirectory() ? `${st.dev}:${st.ino}` : undefined;
  } catch {
    return undefined;
  }
}
