import { describe, expect, test } from 'vitest';
import { ClockWatch } from './clock-watch';
import type { Logger } from '../common/logger';

/** Clocks a test moves by hand: `run` advances both, `sleepHost` only the wall clock (a laptop lid closed). */
function handClocks() {
  let wall = 1_000_000;
  let mono = 0;
  return {
    clocks: { wall: () => wall, mono: () => mono },
    run: (ms: number) => ((wall += ms), (mono += ms)),
    sleepHost: (ms: number) => (wall += ms),
  };
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

describe('ClockWatch', () => {
  test('a jump of the wall clock past the monotonic one (the host slept) sets the guest clock once', async () => {
    const c = handClocks();
    let resyncs = 0;
    const w = new ClockWatch({ resync: async () => void resyncs++, active: () => true, log: quiet, clocks: c.clocks });
    w.start();
    w.stop();
    c.run(5000);
    expect(await w.look()).toBeUndefined();
    c.run(3000);
    c.sleepHost(45 * 60_000);
    expect(await w.look()).toBe(45 * 60_000);
    expect(resyncs).toBe(1);
    c.run(5000);
    expect(await w.look()).toBeUndefined();
    expect(resyncs).toBe(1);
  });

  test('small drift, a stopped VM, or a failing resync do not throw and do not resync', async () => {
    const c = handClocks();
    let active = false;
    const w = new ClockWatch({
      resync: async () => {
        throw new Error('control port closed');
      },
      active: () => active,
      log: quiet,
      clocks: c.clocks,
    });
    await w.look();
    c.sleepHost(500);
    expect(await w.look()).toBeUndefined();
    c.sleepHost(60_000);
    expect(await w.look()).toBeUndefined();
    active = true;
    c.sleepHost(60_000);
    expect(await w.look()).toBeUndefined();
  });
});
