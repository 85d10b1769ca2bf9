import { type EntryState, sameContent, sameState } from '../link/sync-protocol';

/**
 * What to do with one entry, from its last agreed state (`base`) and both sides now:
 * - `agree`: both sides are the same (or both gone); record that;
 * - `toGuest` / `toHost`: one side changed, so the other gets its state (a copy, or a delete when it is gone);
 * - `conflict`: both changed to different contents; the host's stays, the VM's is kept beside it as a copy.
 */
export type Decision =
  | { kind: 'agree'; state: EntryState | undefined }
  | { kind: 'toGuest'; state: EntryState | undefined }
  | { kind: 'toHost'; state: EntryState | undefined }
  | { kind: 'conflict'; host: EntryState; guest: EntryState };

/**
 * The three-way rule. While the first copy is incomplete (`initial`), an entry both sides have
 * and the journal does not know takes the host's version: the VM's copy is a partial copy of
 * the host's, not an edit. Otherwise nothing is ever dropped: a delete against an edit loses
 * to the edit, and two edits keep both.
 */
export function decide(base: EntryState | undefined, host: EntryState | undefined, guest: EntryState | undefined, initial: boolean): Decision {
  if (sameState(host, guest)) return { kind: 'agree', state: host };
  const hostChanged = !sameState(base, host);
  const guestChanged = !sameState(base, guest);
  if (!guestChanged) return { kind: 'toGuest', state: host };
  if (!hostChanged) return { kind: 'toHost', state: guest };
  // Both changed. One side gone: the other side's edit is restored there.
  if (!host) return { kind: 'toHost', state: guest };
  if (!guest) return { kind: 'toGuest', state: host };
  if (initial && !base) return { kind: 'toGuest', state: host };
  // A side whose content is still the base's changed only its mode or mtime: the other side's content wins.
  if (base && sameContent(base, guest) && !sameContent(base, host)) return { kind: 'toGuest', state: host };
  if (base && sameContent(base, host) && !sameContent(base, guest)) return { kind: 'toHost', state: guest };
  // Two folders, or the same content with other metadata: nothing to lose, and the host's wins.
  if ((host.type === 'dir' && guest.type === 'dir') || sameContent(host, guest)) return { kind: 'toGuest', state: host };
  return { kind: 'conflict', host, guest };
}

/** The name a conflict's VM version gets beside the host's: `notes (VM conflict 2026-12-06 101502).txt`. */
export function conflictName(rel: string, at: Date): string {
  const slash = rel.lastIndexOf('/');
  const dir = rel.slice(0, slash + 1);
  const name = rel.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const stamp = at.toISOString().replace('T', ' ').replace(/:/g, '').slice(0, 17);
  return `${dir}${stem} (VM conflict ${stamp})${ext}`;
}

/** The fewest deletes a batch must hold, and the share of the folder's entries, before it pauses and asks. */
export const MASS_DELETE = { entries: 1000, fraction: 0.5 } as const;

/** True when a batch deletes so much of a folder that it should wait for the user's word. */
export function isMassDelete(deletes: number, tracked: number): boolean {
  return deletes >= MASS_DELETE.entries && deletes >= tracked * MASS_DELETE.fraction;
}
