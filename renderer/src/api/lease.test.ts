import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Reply, WatchLease } from '../../../main/contract/berth-api';
import { holdLease } from './lease';

describe('holdLease', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  test('renews at half the lease, retries after a failure, and releases once let go', async () => {
    const events: string[] = [];
    let fail = false;
    const renew = async (): Promise<Reply<WatchLease>> => {
      events.push('renew');
      return fail ? { ok: false, error: { code: 'disconnected', message: 'gone' } } : { ok: true, value: { intervalMs: 2000, leaseMs: 10_000 } };
    };
    const letGo = holdLease(renew, () => events.push('release'));
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['renew']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(events).toEqual(['renew', 'renew']);
    fail = true;
    await vi.advanceTimersByTimeAsync(5000); // a failed renewal is retried after the retry delay
    await vi.advanceTimersByTimeAsync(5000);
    expect(events.filter((e) => e === 'renew')).toHaveLength(4);
    letGo();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events.at(-1)).toBe('release');
    expect(events.filter((e) => e === 'renew')).toHaveLength(4);
  });
});
