import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { extract as tarExtract, type Headers, pack as tarPack } from 'tar-stream';
import { type EntryState, isSyncTemp, SYNC_TEMP_PREFIX } from '../link/sync-protocol';
import { entryKind } from '../common/entry-kind';
import { absolute, realParents } from './host-state';

/** One entry to send, with the state it was observed with. */
export interface PackEntry {
  rel: string;
  state: EntryState;
}

/**
 * The entries as one tar for the guest's `put`: folders with their modes, links, files with
 * their contents, modes, mtimes and owners as they are now. An entry gone since it was
 * observed is left out (its event is on the way); `sent` lists what went in.
 */
export async function packEntries(root: string, entries: readonly PackEntry[]): Promise<{ tar: Buffer; sent: PackEntry[] }> {
  const p = tarPack();
  const chunks: Buffer[] = [];
  p.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  const sent: PackEntry[] = [];
  for (const e of entries) {
    const abs = absolute(root, e.rel);
    try {
      if (!realParents(root, e.rel)) continue;
      const st = lstatSync(abs);
      const head: Headers = { name: e.rel || '.', mtime: st.mtime, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 };
      if (st.isDirectory()) p.entry({ ...head, type: 'directory' });
      else if (st.isSymbolicLink()) p.entry({ ...head, type: 'symlink', linkname: e.state.type === 'link' ? e.state.target : '' });
      else if (st.isFile()) p.entry({ ...head, type: 'file' }, readFileSync(abs));
      else continue;
      sent.push(e);
    } catch {
      // Gone since it was observed.
    }
  }
  p.finalize();
  await done;
  return { tar: Buffer.concat(chunks), sent };
}

/**
 * Writes a tar from the guest into the host folder. Every file and link goes in through a
 * temporary name beside it and a rename, so no reader sees half a file; a folder gets its
 * mode. An entry whose name leaves the folder, or whose parent on the host is not a real
 * folder (a link could lead anywhere), is refused and named in `refused`.
 */
export async function unpackInto(root: string, tar: Buffer, rename: (rel: string) => string = (r) => r): Promise<{ written: string[]; refused: string[] }> {
  const written: string[] = [];
  const refused: string[] = [];
  const x = tarExtract();
  const done = new Promise<void>((resolve, reject) => {
    x.on('finish', () => resolve());
    x.on('error', reject);
  });
  x.on('entry', (h: Headers, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: Buffer) => parts.push(c));
    stream.on('end', () => {
      const rel = entryName(h.name);
      if (rel === undefined) refused.push(h.name);
      else if (writeEntry(root, rename(rel), h, Buffer.concat(parts))) written.push(rel);
      else refused.push(rel);
      next();
    });
    stream.resume();
  });
  x.end(tar);
  await done;
  return { written, refused };
}

/** A tar entry's name as a path inside the folder ('' for the folder itself), or undefined when it would leave it. */
function entryName(name: string): string | undefined {
  const rel = name
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '')
    .replace(/^\.$/, '');
  if (rel.startsWith('/') || rel.split('/').some((p) => p === '..' || (rel !== '' && p === '')) || isSyncTemp(rel) || /[\t\n]/.test(rel)) return undefined;
  return rel;
}

function writeEntry(root: string, rel: string, h: Headers, content: Buffer): boolean {
  if (!realParents(root, rel)) return false;
  const abs = absolute(root, rel);
  const mode = (h.mode ?? 0o644) & 0o7777;
  try {
    mkdirSync(dirname(abs), { recursive: true });
    const existing = entryKind(abs);
    if (h.type === 'directory') {
      if (existing && existing !== 'dir') unlinkSync(abs);
      if (existing !== 'dir') mkdirSync(abs);
      chmodSync(abs, mode);
      return true;
    }
    const tmp = `${dirname(abs)}/${SYNC_TEMP_PREFIX}${randomBytes(6).toString('hex')}`;
    if (h.type === 'symlink') symlinkSync(h.linkname ?? '', tmp);
    else if (h.type === 'file') {
      writeFileSync(tmp, content, { mode });
      chmodSync(tmp, mode);
      if (h.mtime) utimesSync(tmp, h.mtime, h.mtime);
    } else return false;
    try {
      // A folder in the way goes only when empty: what is in it is news the other side has not had.
      if (existing === 'dir') rmdirSync(abs);
      renameSync(tmp, abs);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    return true;
  } catch {
    return false;
  }
}
