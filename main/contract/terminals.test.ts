import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { ExecTerminal } from '../engine/exec-terminal';
import { type TerminalOutput, Terminals } from './terminals';

/** A STAND-IN for a shell in a container: it records what it is sent and can end on cue. */
function standIn() {
  const made: { container: string; written: string[]; sizes: string[]; closed: boolean; end: () => void; data: (d: string) => void }[] = [];
  const open = async (container: string, _t: string, size: { cols: number; rows: number }, onData: (d: string) => void, onEnd: () => void): Promise<ExecTerminal> => {
    const rec = { container, written: [] as string[], sizes: [`${size.cols}x${size.rows}`], closed: false, end: onEnd, data: onData };
    made.push(rec);
    return {
      write: (d) => void rec.written.push(d),
      resize: async (c, r) => void rec.sizes.push(`${c}x${r}`),
      close: async () => {
        rec.closed = true;
      },
    };
  };
  return { made, open };
}

describe('Terminals', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  test('opens once per id, carries input, size and output, and closes the shell', async () => {
    const s = standIn();
    const out: TerminalOutput[] = [];
    const t = new Terminals(s.open, (o) => out.push(o));
    await t.hold('web', 'term-0001', 80, 24);
    await t.hold('web', 'term-0001', 80, 24); // a renewal opens nothing new
    expect(s.made).toHaveLength(1);
    await t.input('term-0001', 'ls\r');
    await t.resize('term-0001', 120, 40);
    s.made[0]!.data('hello');
    expect(s.made[0]).toMatchObject({ written: ['ls\r'], sizes: ['80x24', '120x40'] });
    expect(out).toEqual([{ terminal: 'term-0001', data: 'hello' }]);
    await t.close('term-0001');
    expect(s.made[0]!.closed).toBe(true);
    expect(t.count).toBe(0);
    await expect(t.input('term-0001', 'x')).rejects.toThrow('this terminal is closed');
  });

  test('a shell that ends (exit, the container stopped) says so once and is forgotten', async () => {
    const s = standIn();
    const out: TerminalOutput[] = [];
    const t = new Terminals(s.open, (o) => out.push(o));
    await t.hold('web', 'term-0002', 80, 24);
    s.made[0]!.end();
    s.made[0]!.end();
    expect(out).toEqual([{ terminal: 'term-0002', data: '', ended: true }]);
    expect(t.count).toBe(0);
  });

  test('a page that stops renewing loses its terminals within a lease; a renewing one keeps them', async () => {
    const s = standIn();
    const t = new Terminals(s.open, () => undefined);
    await t.hold('web', 'term-gone', 80, 24);
    await t.hold('web', 'term-kept', 80, 24);
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(5000);
      await t.hold('web', 'term-kept', 80, 24);
    }
    expect(s.made.map((m) => m.closed)).toEqual([true, false]);
    expect(t.count).toBe(1);
  });

  test('a shell that cannot start leaves nothing open; past the cap, a clear refusal', async () => {
    const t = new Terminals(
      async () => Promise.reject(new Error('no /bin/sh in this image')),
      () => undefined,
    );
    await expect(t.hold('distroless', 'term-0003', 80, 24)).rejects.toThrow('no /bin/sh');
    expect(t.count).toBe(0);
    const s = standIn();
    const many = new Terminals(s.open, () => undefined);
    for (let i = 0; i < 32; i++) await many.hold('web', `term-${String(i).padStart(4, '0')}`, 80, 24);
    await expect(many.hold('web', 'term-9999', 80, 24)).rejects.toThrow('at most 32 terminals');
    await many.closeAll();
    expect(s.made.every((m) => m.closed)).toBe(true);
  });
});
