import { closeSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { allocatedSize, guestMemoryFrom } from './vm-usage';

describe('VM usage figures', () => {
  test('balloon statistics become used = total − available', () => {
    const m = guestMemoryFrom({ 'last-update': 1700000000, stats: { 'stat-total-memory': 2000, 'stat-available-memory': 1500, 'stat-free-memory': 900, 'stat-disk-caches': 400 } });
    expect(m).toEqual({ totalBytes: 2000, availableBytes: 1500, usedBytes: 500, cacheBytes: 400 });
  });

  test('nothing until the guest driver has reported (QEMU sends -1 and last-update 0)', () => {
    expect(guestMemoryFrom({ 'last-update': 0, stats: { 'stat-total-memory': -1, 'stat-available-memory': -1 } })).toBeUndefined();
    expect(guestMemoryFrom({})).toBeUndefined();
  });

  test('allocated size counts blocks, so a sparse file shows what it really occupies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-usage-'));
    const f = join(dir, 'sparse');
    writeFileSync(f, '');
    const fd = openSync(f, 'r+');
    writeSync(fd, Buffer.alloc(4096, 1), 0, 4096, 64 * 1024 * 1024);
    closeSync(fd);
    const a = allocatedSize(f)!;
    expect(a.allocatedBytes).toBeGreaterThan(0);
    expect(a.allocatedBytes).toBeLessThan(1024 * 1024);
    expect(allocatedSize(join(dir, 'missing'))).toBeUndefined();
  });
});
