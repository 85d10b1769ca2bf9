import { describe, expect, test } from 'vitest';
import { IdleSleep, type IdleSleepOptions } from './idle-sleep';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A clock the test moves, and a VM whose business the test sets. */
function rig(over: Partial<IdleSleepOptions> = {}) {
  const t = { now: 1_000_000, busy: undefined as string | undefined, lastClient: 0, slept: 0, enabled: true, awake: true };
  const idle = new IdleSleep({
    enabled: () => t.enabled,
    idleMs: () => 60_000,
    awake: () => t.awake,
    busy: async () => t.busy,
    lastClientActivity: () => t.lastClient,
    sleep: async () => void t.slept++,
    log: silent,
    now: () => t.now,
    ...over,
  });
  return { t, idle };
}

describe('IdleSleep', () => {
  test('sleeps once the idle period has passed with nothing running and no client', async () => {
    const { t, idle } = rig();
    await idle.look();
    t.now += 59_000;
    await idle.look();
    expect(t.slept).toBe(0);
    t.now += 2_000;
    await idle.look();
    expect(t.slept).toBe(1);
  });

  test('a running container or an open client keeps it awake, and the period counts again from when it ends', async () => {
    const { t, idle } = rig();
    t.busy = '1 container(s) running';
    t.now += 120_000;
    await idle.look();
    expect(t.slept).toBe(0);
    t.busy = undefined;
    t.now += 30_000;
    await idle.look();
    expect(t.slept).toBe(0);
    t.now += 31_000;
    await idle.look();
    expect(t.slept).toBe(1);
  });

  test('a client that came and went since the last look counts as activity', async () => {
    const { t, idle } = rig();
    t.now += 50_000;
    t.lastClient = t.now;
    t.now += 20_000;
    await idle.look();
    expect(t.slept).toBe(0);
    t.now += 41_000;
    await idle.look();
    expect(t.slept).toBe(1);
  });

  test('with the setting off, or while the VM is not healthy and running, it never sleeps', async () => {
    const { t, idle } = rig();
    t.enabled = false;
    t.now += 600_000;
    await idle.look();
    t.enabled = true;
    t.awake = false;
    t.now += 600_000;
    await idle.look();
    expect(t.slept).toBe(0);
    // The period starts again when it is back: not at once.
    t.awake = true;
    await idle.look();
    expect(t.slept).toBe(0);
  });
});
