import { groups } from '../common/groups';
import type { EntryState } from '../link/sync-protocol';
import { conflictName } from './plan';
import type { BatchContext } from './batch-context';
import { type PackEntry, packEntries, unpackInto } from './tar-transfer';

/** Longest command line sent to the guest, in characters. */
const MAX_LINE = 32 * 1024;
/** The most file bytes in one tar to the guest (a bigger file goes alone). */
const PUT_BYTES = 16 * 1024 * 1024;
/** The most entries in one tar to the guest. */
const PUT_ENTRIES = 2000;

/** Paths in groups whose command line stays under MAX_LINE. */
export function chunks(rels: string[]): string[][] {
  return groups(rels, (r) => r.length + 1, MAX_LINE);
}

/** Host → guest: the entries, parents first, as tars the guest's `put` unpacks; the paths that did not arrive. */
export async function pullEntries(ctx: BatchContext, entries: readonly PackEntry[]): Promise<string[]> {
  const failed: string[] = [];
  for (const group of bySize(entries)) {
    const { tar, sent } = await packEntries(ctx.root, group);
    if (!sent.length) continue;
    await ctx.wire.call('put', ctx.id, [], tar).catch(() => failed.push(...sent.map((e) => e.rel)));
  }
  return failed;
}

/**
 * Guest → host: single entries (`get`) and whole trees (`gettree`), written through temporary
 * names. Returns the paths that did not arrive, and every path written: a tree's tar holds what
 * its folder held when it was packed, which can be more than the batch looked at.
 */
export async function pushEntries(ctx: BatchContext, single: string[], trees: string[]): Promise<{ failed: string[]; written: string[] }> {
  const failed: string[] = [];
  const written: string[] = [];
  for (const [verb, rels] of [
    ['get', single],
    ['gettree', trees],
  ] as const) {
    for (const chunk of chunks(rels)) {
      try {
        const answer = await ctx.wire.call(verb, ctx.id, chunk);
        for (const blob of answer.blobs) {
          const r = await unpackInto(ctx.root, blob);
          failed.push(...r.refused);
          written.push(...r.written);
        }
      } catch {
        failed.push(...chunk);
      }
    }
  }
  return { failed, written };
}

/** A conflict: the VM's version goes to the host under a name a person finds, then the host's replaces it in the VM. */
export async function keepBoth(ctx: BatchContext, rel: string, host: EntryState): Promise<void> {
  const at = (ctx.now ?? (() => new Date()))();
  const copy = conflictName(rel, at);
  const answer = await ctx.wire.call('get', ctx.id, [rel]);
  for (const blob of answer.blobs) {
    const r = await unpackInto(ctx.root, blob, () => copy);
    if (r.refused.length) throw new Error(`could not keep the VM's version of ${rel}`);
  }
  if ((await pullEntries(ctx, [{ rel, state: host }])).length) throw new Error(`could not copy ${rel} into the VM`);
  ctx.journal.data.conflicts.push({ path: rel, copy, at: at.toISOString() });
}

/** Entries in tars of at most PUT_BYTES of file contents and PUT_ENTRIES entries. */
function bySize(entries: readonly PackEntry[]): PackEntry[][] {
  return groups(entries, (e) => (e.state.type === 'file' ? e.state.size : 0), PUT_BYTES, PUT_ENTRIES);
}
