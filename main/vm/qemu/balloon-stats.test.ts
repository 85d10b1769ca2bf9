import { describe, expect, test } from 'vitest';
import { guestMemoryFrom } from './balloon-stats';

describe("the balloon's memory figures", () => {
  test('balloon statistics become used = total − available', () => {
    const m = guestMemoryFrom({ 'last-update': 1700000000, stats: { 'stat-total-memory': 2000, 'stat-available-memory': 1500, 'stat-free-memory': 900, 'stat-disk-caches': 400 } });
    expect(m).toEqual({ totalBytes: 2000, availableBytes: 1500, usedBytes: 500, cacheBytes: 400 });
  });

  test('nothing until the guest driver has reported (QEMU sends -1 and last-update 0)', () => {
    expect(guestMemoryFrom({ 'last-update': 0, stats: { 'stat-total-memory': -1, 'stat-available-memory': -1 } })).toBeUndefined();
    expect(guestMemoryFrom({})).toBeUndefined();
  });
});
