import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SyncShOnHost } from '../../e2e/helpers/sync-sh-host';
import { syncId } from '../link/sync-protocol';
import type { BatchContext } from './batch-context';
import { Journal } from './journal';
import { applyBatch, observe } from './sync-batch';

const open: SyncShOnHost[] = [];
afterEach(() => {
  for (const sh of open.splice(0)) sh.stop();
});

/** A host folder, the real sync.sh on this host with an empty copy, and a batch context over both; no SyncFolder, so each batch runs when the test says. */
function context(): BatchContext {
  const dir = mkdtempSync(join(tmpdir(), 'berth-batch-'));
  const root = join(dir, 'project');
  mkdirSync(root);
  const sh = new SyncShOnHost(dir, () => undefined);
  open.push(sh);
  const copy = sh.copyOf(root);
  mkdirSync(copy, { recursive: true });
  const journal = Journal.open(join(dir, 'journal.json'), root);
  journal.data.complete = true;
  return { id: syncId(root), root, copy, journal, wire: sh.wire };
}

describe('one batch, with the guest’s sync.sh run on this host', () => {
  test('a file made in a new VM folder after the batch looked at it, then deleted in the VM, is deleted on the host, not copied back', async () => {
    const ctx = context();
    mkdirSync(join(ctx.copy, 'pkg'));
    writeFileSync(join(ctx.copy, 'pkg', 'seen.js'), 'a');
    const seen = await observe(ctx, ['pkg']);
    // Written while the batch was on its way: the folder's tree copy takes it along.
    writeFileSync(join(ctx.copy, 'pkg', 'late.js'), 'b');
    await applyBatch(ctx, seen, { initial: false, allowMassDelete: false });
    expect(existsSync(join(ctx.root, 'pkg', 'late.js'))).toBe(true);
    // The container deletes the folder; the guest's events name both files and the folder.
    rmSync(join(ctx.copy, 'pkg'), { recursive: true });
    await applyBatch(ctx, await observe(ctx, ['pkg/late.js', 'pkg/seen.js', 'pkg']), { initial: false, allowMassDelete: false });
    expect(existsSync(join(ctx.copy, 'pkg'))).toBe(false);
    expect(existsSync(join(ctx.root, 'pkg'))).toBe(false);
  });
});

describe('a folder deleted before its files, in batches of their own', () => {
  /** `pkg/a.js` on the host, copied into the VM and recorded by one batch. */
  async function agreed(): Promise<BatchContext> {
    const ctx = context();
    mkdirSync(join(ctx.root, 'pkg'));
    writeFileSync(join(ctx.root, 'pkg', 'a.js'), 'a');
    await applyBatch(ctx, await observe(ctx, ['pkg']), { initial: false, allowMassDelete: false });
    expect(existsSync(join(ctx.copy, 'pkg', 'a.js'))).toBe(true);
    return ctx;
  }
  const batch = async (ctx: BatchContext, rels: string[]) => applyBatch(ctx, await observe(ctx, rels), { initial: false, allowMassDelete: false });

  test('deleted in the VM: the host folder, not yet empty, is looked at again, and goes once its file has', async () => {
    const ctx = await agreed();
    rmSync(join(ctx.copy, 'pkg'), { recursive: true });
    const first = await batch(ctx, ['pkg']);
    // What the folder holds is looked at before the folder itself.
    expect(first.retry).toEqual(['pkg/a.js', 'pkg']);
    expect(existsSync(join(ctx.root, 'pkg'))).toBe(true);
    await batch(ctx, first.retry);
    expect(existsSync(join(ctx.root, 'pkg'))).toBe(false);
    expect(existsSync(join(ctx.copy, 'pkg'))).toBe(false);
  });

  test('deleted on the host while the VM made a file in it: the VM keeps the folder, says so, and the file reaches the host', async () => {
    const ctx = await agreed();
    writeFileSync(join(ctx.copy, 'pkg', 'new.js'), 'n');
    rmSync(join(ctx.root, 'pkg'), { recursive: true });
    expect((await batch(ctx, ['pkg'])).retry).toContain('pkg');
    await batch(ctx, ['pkg/new.js']);
    await batch(ctx, ['pkg']);
    expect(existsSync(join(ctx.root, 'pkg', 'new.js'))).toBe(true);
    expect(existsSync(join(ctx.copy, 'pkg', 'new.js'))).toBe(true);
    expect(existsSync(join(ctx.copy, 'pkg', 'a.js'))).toBe(false);
  });

  test('a file deleted inside a folder the host kept, then made again the same in the VM, is copied to the host, not deleted', async () => {
    const ctx = await agreed();
    const same = (abs: string) => {
      writeFileSync(abs, 'same');
      utimesSync(abs, 1_700_000_000, 1_700_000_000);
    };
    same(join(ctx.root, 'pkg', 'b.js'));
    await batch(ctx, ['pkg/b.js']);
    rmSync(join(ctx.copy, 'pkg'), { recursive: true });
    // The folder and one file in one batch: the folder stays, for a.js is still on the host.
    expect((await batch(ctx, ['pkg', 'pkg/b.js'])).retry).toEqual(['pkg/a.js', 'pkg']);
    mkdirSync(join(ctx.copy, 'pkg'));
    same(join(ctx.copy, 'pkg', 'b.js'));
    await batch(ctx, ['pkg/b.js']);
    expect(readFileSync(join(ctx.copy, 'pkg', 'b.js'), 'utf8')).toBe('same');
    expect(readFileSync(join(ctx.root, 'pkg', 'b.js'), 'utf8')).toBe('same');
  });
});
