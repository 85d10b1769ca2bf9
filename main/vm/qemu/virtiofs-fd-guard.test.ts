import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../common/sleep';
import { FD_GUARD, procFds, VirtiofsFdGuard } from './virtiofs-fd-guard';

const marker = join(tmpdir(), `berth-fd-guard-${process.pid}`);

/** A stand-in for /proc: each pid's held count and limit, set by the test. */
function harness(limit = 20_000) {
  const held = new Map<number, number>([[101, 10]]);
  const log: string[] = [];
  let now = 0;
  let asks = 0;
  let forgetFails = false;
  const guard = new VirtiofsFdGuard({
    pids: () => [...held.keys()],
    forget: async () => {
      asks++;
      if (forgetFails) throw new Error('the guest did not answer');
    },
    log: (l) => log.push(l),
    fds: {
      held: (pid) => {
        const n = held.get(pid);
        if (n === undefined) throw new Error('ENOENT');
        return n;
      },
      limit: () => limit,
    },
    now: () => now,
  });
  return {
    guard,
    held,
    log,
    asks: () => asks,
    at: (ms: number) => {
      now = ms;
    },
    failForget: () => {
      forgetFails = true;
    },
  };
}

describe('VirtiofsFdGuard', () => {
  it('leaves the guest alone while every virtiofsd is under its share of the limit', async () => {
    const h = harness();
    h.held.set(101, 20_000 * FD_GUARD.SHARE - 1);
    await h.guard.check();
    expect(h.asks()).toBe(0);
    expect(h.log).toEqual([]);
  });

  it('asks the guest to drop its cache past the line, and says so with the figures', async () => {
    const h = harness();
    h.held.set(101, 9000);
    await h.guard.check();
    expect(h.asks()).toBe(1);
    expect(h.log[0]).toContain('held 9000 of its 20000 file descriptors');
  });

  it('looks at the fullest of several daemons, by share of its own limit', async () => {
    const h = harness(10_000);
    h.held.set(101, 100);
    h.held.set(102, 4500);
    await h.guard.check();
    expect(h.asks()).toBe(1);
    expect(h.log[0]).toContain('held 4500 of its 10000');
  });

  it('asks again as soon as the count is back over the line, after a drop that freed most of it', async () => {
    const h = harness();
    h.held.set(101, 9000);
    expect(await h.guard.check()).toBe(FD_GUARD.FOLLOW_UP_MS);
    // The follow-up look: the drop freed most; a walk refills the count within half a second.
    h.at(200);
    h.held.set(101, 2000);
    await h.guard.check();
    h.at(700);
    h.held.set(101, 8500);
    await h.guard.check();
    expect(h.asks()).toBe(2);
  });

  it('when a drop frees little, asks at most once a gap, less and less often, and warns once', async () => {
    const h = harness();
    h.held.set(101, 15_000);
    await h.guard.check();
    h.at(200);
    await h.guard.check();
    h.at(FD_GUARD.MIN_GAP_MS - 1);
    await h.guard.check();
    expect(h.asks()).toBe(1);
    h.at(FD_GUARD.MIN_GAP_MS);
    await h.guard.check();
    expect(h.asks()).toBe(2);
    expect(h.log.filter((l) => l.includes('still holds'))).toHaveLength(1);
    // The gap doubled: not yet at one more MIN_GAP, but at two.
    h.at(2 * FD_GUARD.MIN_GAP_MS);
    await h.guard.check();
    expect(h.asks()).toBe(2);
    h.at(3 * FD_GUARD.MIN_GAP_MS);
    await h.guard.check();
    expect(h.asks()).toBe(3);
    expect(h.log.filter((l) => l.includes('still holds'))).toHaveLength(1);
    // Once the count is under the line again, the next climb is asked about at once.
    h.at(3 * FD_GUARD.MIN_GAP_MS + 1000);
    h.held.set(101, 100);
    await h.guard.check();
    h.at(3 * FD_GUARD.MIN_GAP_MS + 2000);
    h.held.set(101, 9000);
    await h.guard.check();
    expect(h.asks()).toBe(4);
  });

  it('looks sooner while the count climbs towards the line, and once a second while it stands still', async () => {
    const h = harness();
    h.held.set(101, 1000);
    expect(await h.guard.check()).toBe(FD_GUARD.CHECK_MS);
    // 4,000 more in a second: the line (8,000) is 3,000 away, reached in 750 ms; it looks in half that.
    h.at(1000);
    h.held.set(101, 5000);
    expect(await h.guard.check()).toBe(375);
    // Faster still: never sooner than the floor.
    h.at(1100);
    h.held.set(101, 7900);
    expect(await h.guard.check()).toBe(FD_GUARD.SOONEST_MS);
    // A fall (a drop) keeps the pace of the last rise (2,900 in 100 ms): the walk goes on behind it.
    h.at(1200);
    h.held.set(101, 300);
    expect(await h.guard.check()).toBeCloseTo((8000 - 300) / 29 / 2);
    // Standing still: once a second.
    h.at(2200);
    expect(await h.guard.check()).toBe(FD_GUARD.CHECK_MS);
  });

  it('keeps watching when the guest cannot answer, and logs why', async () => {
    const h = harness();
    h.failForget();
    h.held.set(101, 9000);
    await h.guard.check();
    expect(h.log[0]).toContain('could not drop its cache: the guest did not answer');
    h.at(FD_GUARD.MIN_GAP_MS);
    await h.guard.check();
    expect(h.asks()).toBe(2);
  });

  it('skips a daemon that ended between the list and the count, and still guards the others', async () => {
    let asks = 0;
    const held = (pid: number) => {
      if (pid === 999) throw new Error('ENOENT');
      return 9000;
    };
    const guard = new VirtiofsFdGuard({ pids: () => [999, 101], forget: async () => void asks++, log: () => undefined, fds: { held, limit: () => 20_000 } });
    await guard.check();
    expect(asks).toBe(1);
  });

  it("reads this process's own count and limit from /proc", () => {
    expect(procFds.held(process.pid)).toBeGreaterThan(2);
    expect(procFds.limit(process.pid)).toBeGreaterThan(procFds.held(process.pid));
  });

  it('counts the descriptors of a child the process forked, as the C virtiofsd serves from one', async () => {
    // The parent shell holds three; the child it forks opens seven more before it sleeps.
    const opens = [3, 4, 5, 6, 7, 8, 9].map((fd) => `exec ${fd}</dev/null;`).join(' ');
    const parent = spawn('sh', ['-c', `sh -c '${opens} touch ${marker}; sleep 5' & wait`], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(marker); i++) await sleep(20);
      expect(procFds.held(parent.pid!)).toBeGreaterThanOrEqual(10);
    } finally {
      parent.kill('SIGKILL');
      rmSync(marker, { force: true });
    }
  });
});
