import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { textBatcher } from './text-batcher';

describe('textBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  test('one call per interval, UTF-8 whole across chunk edges; flush delivers now, stop drops', async () => {
    const got: string[] = [];
    const b = textBatcher(100, (t) => got.push(t));
    const euro = Buffer.from('€');
    b.push(Buffer.concat([Buffer.from('a'), euro.subarray(0, 1)]));
    b.push(euro.subarray(1));
    expect(got).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(got).toEqual(['a€']);
    b.push(Buffer.from('b'));
    b.flush();
    expect(got).toEqual(['a€', 'b']);
    b.push(Buffer.from('c'));
    b.stop();
    await vi.advanceTimersByTimeAsync(500);
    expect(got).toEqual(['a€', 'b']);
  });
});
