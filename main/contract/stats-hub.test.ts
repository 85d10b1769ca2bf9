import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { StatsHub } from './stats-hub';

describe('StatsHub: samples only while watched', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function hub() {
    let n = 0;
    const emitted: number[] = [];
    const resets: number[] = [];
    const h = new StatsHub<number>(
      { sample: async () => ++n, reset: () => resets.push(n) },
      (v) => emitted.push(v),
      { intervalMs: 1000, leaseMs: 5000 },
      () => Date.now(),
    );
    return { h, emitted, resets, samples: () => n };
  }

  test('nothing is sampled until a page watches', async () => {
    const { h, samples } = hub();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(samples()).toBe(0);
    expect(h.running).toBe(false);
  });

  test('a watch samples at once and every interval; unwatch stops it and drops history', async () => {
    const { h, emitted, resets } = hub();
    h.watch('page-aaaa');
    await vi.advanceTimersByTimeAsync(3000);
    expect(emitted).toEqual([1, 2, 3, 4]);
    h.unwatch('page-aaaa');
    expect(h.running).toBe(false);
    expect(resets).toEqual([4]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(emitted).toHaveLength(4);
  });

  test('a page that vanished without unwatching stops costing anything when its lease ends', async () => {
    const { h, emitted } = hub();
    h.watch('gone-page');
    await vi.advanceTimersByTimeAsync(8000);
    expect(h.running).toBe(false);
    expect(emitted.length).toBeGreaterThanOrEqual(4);
    expect(emitted.length).toBeLessThanOrEqual(6);
  });

  test('renewing keeps it going; one page leaving does not stop another', async () => {
    const { h, emitted } = hub();
    h.watch('page-one');
    h.watch('page-two');
    h.unwatch('page-one');
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(3000);
      h.watch('page-two');
    }
    expect(h.running).toBe(true);
    expect(h.active).toBe(1);
    expect(emitted.length).toBeGreaterThanOrEqual(12);
    h.close();
  });

  test('a sampler error skips one beat and keeps the stream alive', async () => {
    let fail = true;
    const got: string[] = [];
    const h = new StatsHub<string>(
      {
        sample: async () => {
          if (fail) {
            fail = false;
            throw new Error('engine gone');
          }
          return 'ok';
        },
      },
      (v) => got.push(v),
      { intervalMs: 1000, leaseMs: 5000 },
    );
    h.watch('page-aaaa');
    await vi.advanceTimersByTimeAsync(1000);
    expect(got).toEqual(['ok']);
    h.close();
  });
  test('a nudge samples at once while watched, once more after a sample in flight, and not at all while idle', async () => {
    let release: () => void = () => undefined;
    let n = 0;
    const emitted: number[] = [];
    const h = new StatsHub<number>({ sample: () => new Promise<number>((r) => (release = () => r(++n))) }, (v) => emitted.push(v), { intervalMs: 10_000, leaseMs: 60_000 });
    h.nudge();
    expect(n).toBe(0);
    h.watch('page-nudge');
    h.nudge();
    h.nudge();
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(emitted).toEqual([1]);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(emitted).toEqual([1, 2]);
    h.nudge();
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(emitted).toEqual([1, 2, 3]);
    h.close();
  });
});
