import { rmdirSync, unlinkSync } from 'node:fs';
import { type EntryState, GuestFacts, SYNC_KEPT } from '../link/sync-protocol';
import { entryKind } from '../common/entry-kind';
import { absolute, hostNames, hostState, hostTree, realParents } from './host-state';
import { type Decision, decide, isMassDelete } from './plan';
import type { BatchContext } from './batch-context';
import { chunks, keepBoth, pullEntries, pushEntries } from './sync-copies';
import type { PackEntry } from './tar-transfer';

/** What a batch did, for the folder's status and its next steps. */
export interface BatchResult {
  applied: number;
  conflicts: number;
  /** Entries to look at again: their copy failed, or its result is not known. */
  retry: string[];
  /** Set when the batch was not applied: it would delete this many entries from the side named. */
  massDelete?: { side: 'host' | 'vm'; count: number };
}

/** Both sides' states of some entries, and the entries they were observed for. */
export interface Observed {
  host: Map<string, EntryState>;
  guest: Map<string, EntryState>;
  rels: string[];
}

/**
 * Both sides' states for a set of entries, with everything under a folder that is new on a
 * side (its whole tree: its watch may have come after its first files) or gone from one (the
 * journal's entries under it).
 */
export async function observe(ctx: BatchContext, rels: Iterable<string>): Promise<Observed> {
  const wanted = new Set(rels);
  const host = new Map<string, EntryState>();
  const newDir = (rel: string, s: EntryState | undefined) => s?.type === 'dir' && ctx.journal.base(rel)?.type !== 'dir';
  for (const rel of [...wanted]) {
    const s = hostState(ctx.root, rel);
    if (newDir(rel, s)) for (const [r, t] of hostTree(ctx.root, rel)) host.set(r, t);
    else if (s) host.set(rel, s);
    // Only a folder the journal knows has entries under it there (a scan of every entry otherwise).
    if (s?.type !== 'dir' && ctx.journal.base(rel)?.type === 'dir') for (const r of ctx.journal.under(rel)) wanted.add(r);
  }
  for (const r of host.keys()) wanted.add(r);
  const guest = await guestStates(ctx, [...wanted]);
  for (const [rel, s] of [...guest]) {
    if (newDir(rel, s)) for (const [r, t] of await guestList(ctx, rel)) guest.set(r, t);
  }
  for (const r of guest.keys()) wanted.add(r);
  for (const r of wanted) {
    if (!host.has(r)) {
      const s = hostState(ctx.root, r);
      if (s) host.set(r, s);
    }
  }
  return { host, guest, rels: [...wanted].sort() };
}

/** Both whole sides, and every entry the journal knows. */
export function observeAll(ctx: BatchContext, guest: Map<string, EntryState>): Observed {
  const host = hostTree(ctx.root);
  const rels = new Set([...host.keys(), ...guest.keys(), ...Object.keys(ctx.journal.data.entries)]);
  return { host, guest, rels: [...rels].sort() };
}

/** The guest's states of these entries (one `stat` per 32 KiB of paths). */
export async function guestStates(ctx: BatchContext, rels: string[]): Promise<Map<string, EntryState>> {
  const facts = new GuestFacts(ctx.id, ctx.copy);
  for (const chunk of chunks(rels)) for (const l of (await ctx.wire.call('stat', ctx.id, chunk)).lines) facts.add(l);
  return facts.states();
}

/** Everything in the guest's copy under `rel` (the whole copy for ''), and its marker when the whole was asked for. */
export async function guestList(ctx: BatchContext, rel = ''): Promise<Map<string, EntryState> & { marker?: string }> {
  const facts = new GuestFacts(ctx.id, ctx.copy);
  let marker: string | undefined;
  for (const l of (await ctx.wire.call('list', ctx.id, rel ? [rel] : [])).lines) {
    if (!facts.add(l) && l.startsWith('m\t')) marker = l.split('\t')[2];
  }
  return Object.assign(facts.states(), { marker });
}

/**
 * Decides and applies one batch. Deletes go first, deepest first and one entry at a time (a
 * folder only once empty); copies go parents first, a whole new folder as one tree copy. The
 * journal records each entry's state as observed before its copy: a side that changed during
 * the copy has an event on its way, and the entry is looked at again then.
 */
export async function applyBatch(ctx: BatchContext, seen: Observed, opts: { initial: boolean; allowMassDelete: boolean }): Promise<BatchResult> {
  const decisions = new Map<string, Decision>();
  for (const rel of seen.rels) decisions.set(rel, decide(ctx.journal.base(rel), seen.host.get(rel), seen.guest.get(rel), opts.initial));
  const mass = opts.allowMassDelete ? undefined : massDelete(ctx, decisions).mass;
  if (mass) return { applied: 0, conflicts: 0, retry: [], massDelete: mass };
  const deletes = await applyDeletes(ctx, decisions);
  const pulls = treeCopies(pick(decisions, 'toGuest', true), seen.guest, seen.host);
  const pullList = withTrees(pulls, seen.host);
  const pullFailed = await pullEntries(ctx, pullList);
  copied(pullList, pullFailed, seen.guest);
  const pushes = treeCopies(pick(decisions, 'toHost', true), seen.host, seen.guest);
  const pushed = await pushEntries(ctx, pushes.single, pushes.trees);
  copied(withTrees(pushes, seen.guest), pushed.failed, seen.host);
  // A failed copy leaves nothing under it known; a kept folder leaves only itself unknown, so
  // what was deleted inside it is recorded as gone.
  const failed = [...deletes.failed, ...pullFailed, ...pushed.failed];
  const conflicts = [...decisions].filter(([, d]) => d.kind === 'conflict');
  for (const [rel, d] of conflicts) if (d.kind === 'conflict') await keepBoth(ctx, rel, d.host).catch(() => failed.push(rel));
  const skip = new Set([...failed, ...deletes.kept]);
  for (const [rel, d] of decisions) {
    if (skip.has(rel) || failed.some((f) => rel.startsWith(`${f}/`))) continue;
    ctx.journal.record(rel, d.kind === 'conflict' ? d.host : d.state);
  }
  // A tree's tar can carry entries made after the batch looked: both sides had them at that
  // moment, so the journal says so, and the VM's later change to one (a delete) travels to the
  // host instead of the host's copy being taken for a new file and sent back.
  for (const rel of pushed.written) if (!decisions.has(rel)) ctx.journal.record(rel, hostState(ctx.root, rel));
  const retry = [...deletes.kept, ...failed];
  return { applied: decisions.size - skip.size, conflicts: conflicts.length, retry };
}

/**
 * The batch's deletes on both sides, deepest first. `failed`: deletes whose outcome is not
 * known (the guest's `rm` failed). `kept`: folders not yet empty, which stay (their contents are
 * news from that side, or deletes a later batch brings) and must not be recorded as gone, each
 * after what the host folder still holds, so the folder's next look finds it empty.
 */
async function applyDeletes(ctx: BatchContext, decisions: Map<string, Decision>): Promise<{ failed: string[]; kept: string[] }> {
  const failed: string[] = [];
  const kept: string[] = [];
  for (const chunk of chunks(deepestFirst(pick(decisions, 'toGuest', false)))) {
    try {
      const answer = await ctx.wire.call('rm', ctx.id, chunk);
      kept.push(...answer.lines.filter((l) => l.startsWith(SYNC_KEPT)).map((l) => l.slice(SYNC_KEPT.length)));
    } catch {
      failed.push(...chunk);
    }
  }
  for (const rel of deepestFirst(pick(decisions, 'toHost', false))) {
    if (!removeOnHost(ctx.root, rel)) kept.push(...hostNames(ctx.root, rel).filter((r) => r !== rel), rel);
  }
  return { failed, kept };
}

/**
 * What a copy put on the other side, as far as the batches still to come are concerned: each
 * entry that arrived now has there the state it was observed with, so a later batch (a whole
 * reconcile's) records it rather than copying it again.
 */
function copied(entries: readonly PackEntry[], failed: string[], to: Map<string, EntryState>): void {
  const lost = new Set(failed);
  for (const e of entries) if (!lost.has(e.rel) && ![...lost].some((f) => e.rel.startsWith(`${f}/`))) to.set(e.rel, e.state);
}

/** The copies as entries with their observed states: each single one, and everything under each tree. */
function withTrees(copies: { trees: string[]; single: string[] }, states: Map<string, EntryState>): PackEntry[] {
  const out: PackEntry[] = [];
  for (const rel of copies.single) {
    const s = states.get(rel);
    if (s) out.push({ rel, state: s });
  }
  for (const t of copies.trees) for (const [rel, state] of states) if (rel === t || rel.startsWith(`${t}/`)) out.push({ rel, state });
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

function pick(decisions: Map<string, Decision>, kind: 'toGuest' | 'toHost', present: boolean): string[] {
  return [...decisions].filter(([, d]) => d.kind === kind && !!d.state === present).map(([rel]) => rel);
}

/** Copies split into whole trees (a folder the target lacks, with everything under it) and single entries. */
function treeCopies(rels: string[], target: Map<string, EntryState>, source: Map<string, EntryState>): { trees: string[]; single: string[] } {
  const trees: string[] = [];
  const single: string[] = [];
  for (const rel of rels.sort()) {
    if (trees.some((t) => rel.startsWith(`${t}/`))) continue;
    if (rel && source.get(rel)?.type === 'dir' && !target.has(rel)) trees.push(rel);
    else single.push(rel);
  }
  return { trees, single };
}

function deepestFirst(rels: string[]): string[] {
  return [...rels].sort((a, b) => b.split('/').length - a.split('/').length || b.localeCompare(a));
}

/** Deletes one entry on the host; false for a folder that is not empty, which stays to be looked at again. */
function removeOnHost(root: string, rel: string): boolean {
  // Never the folder itself, and never through a link that could lead out of it.
  if (!rel || !realParents(root, rel)) return true;
  const abs = absolute(root, rel);
  try {
    if (entryKind(abs) === 'dir') rmdirSync(abs);
    else unlinkSync(abs);
  } catch {
    // Already gone, or a folder not yet empty: news from the host's side, or deletes still to come.
  }
  return entryKind(abs) === undefined;
}

/** How many entries a set of decisions would delete on each side, and the side that makes it a mass delete. */
export function countDeletes(ctx: BatchContext, seen: Observed, initial: boolean): { mass?: { side: 'host' | 'vm'; count: number } } {
  const decisions = new Map(seen.rels.map((rel) => [rel, decide(ctx.journal.base(rel), seen.host.get(rel), seen.guest.get(rel), initial)]));
  return massDelete(ctx, decisions);
}

function massDelete(ctx: BatchContext, decisions: Map<string, Decision>): { mass?: { side: 'host' | 'vm'; count: number } } {
  const vm = pick(decisions, 'toGuest', false).length;
  const host = pick(decisions, 'toHost', false).length;
  const tracked = Object.keys(ctx.journal.data.entries).length;
  if (isMassDelete(vm, tracked)) return { mass: { side: 'vm', count: vm } };
  if (isMassDelete(host, tracked)) return { mass: { side: 'host', count: host } };
  return {};
}
