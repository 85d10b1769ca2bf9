import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { LogFollowers, type LogChunk } from './log-followers';

describe('LogFollowers: one stream per following page, on a lease', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(opts: { fail?: boolean } = {}) {
    const opened: string[] = [];
    const stopped: string[] = [];
    const chunks: LogChunk[] = [];
    const f = new LogFollowers(
      async (id, { tail, timestamps }, onText) => {
        if (opts.fail) throw new Error(`no such container: ${id}`);
        opened.push(`${id}:${tail}${timestamps ? ':ts' : ''}`);
        onText(`hello from ${id}\n`);
        return () => stopped.push(id);
      },
      (c) => chunks.push(c),
    );
    return { f, opened, stopped, chunks };
  }

  test('a follow opens one stream and addresses its text to the watcher; renewing does not reopen', async () => {
    const { f, opened, chunks } = setup();
    const lease = await f.follow('page-1', 'web', { tail: 500, timestamps: false });
    await f.follow('page-1', 'web', { tail: 500, timestamps: false });
    expect(opened).toEqual(['web:500']);
    expect(chunks).toEqual([{ watcher: 'page-1', id: 'web', text: 'hello from web\n' }]);
    expect(lease.leaseMs).toBeGreaterThan(0);
    f.close();
  });

  test('switching container or timestamps stops the old stream; unfollow stops the stream at once', async () => {
    const { f, opened, stopped } = setup();
    await f.follow('page-1', 'web', { tail: 10, timestamps: false });
    await f.follow('page-1', 'db', { tail: 10, timestamps: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(opened).toEqual(['web:10', 'db:10']);
    expect(stopped).toEqual(['web']);
    // Timestamps on: the same container again, from a new stream that carries them.
    await f.follow('page-1', 'db', { tail: 10, timestamps: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(opened).toEqual(['web:10', 'db:10', 'db:10:ts']);
    expect(stopped).toEqual(['web', 'db']);
    f.unfollow('page-1');
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toEqual(['web', 'db', 'db']);
    expect(f.count).toBe(0);
  });

  test('a page that stops renewing has its stream closed when the lease runs out', async () => {
    const { f, stopped } = setup();
    await f.follow('gone', 'web', { tail: 10, timestamps: false });
    await f.follow('kept', 'db', { tail: 10, timestamps: false });
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(4000);
      await f.follow('kept', 'db', { tail: 10, timestamps: false });
    }
    expect(stopped).toEqual(['web']);
    expect(f.count).toBe(1);
    f.close();
  });

  test('a container that cannot be followed is an error, and leaves nothing behind', async () => {
    const { f } = setup({ fail: true });
    await expect(f.follow('page-1', 'nope', { tail: 10, timestamps: false })).rejects.toThrow(/no such container/);
    expect(f.count).toBe(0);
  });
});
