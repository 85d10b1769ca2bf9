/**
 * The agent's own lifetime, with no VM: one that is no longer needed leaves,
 * however its last client went.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ensureAgent } from '../../main/agent/agent-client';
import { berthPaths } from '../../main/agent/paths';
import { alive, CLI, hermeticEnv, livePid, signal, until } from '../helpers/berth-cli';

describe('the agent leaves when nobody needs it', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-life-'));
  const paths = berthPaths(home);

  afterAll(() => {
    const pid = livePid(paths.agentPid);
    if (pid) signal(pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  test('a follower (an app, a dashboard) that leaves while the VM is stopped: the agent exits within seconds, not never', async () => {
    const agent = await ensureAgent(paths, { execPath: process.execPath, args: [CLI, 'agent'], env: hermeticEnv({ BERTH_HOME: home }) });
    const pid = livePid(paths.agentPid)!;
    expect(pid).toBeGreaterThan(1);
    const unfollow = agent.follow(() => undefined);
    // Followed, and the VM stopped: it stays (the idle look after 2 s finds a follower).
    await new Promise((r) => setTimeout(r, 3000));
    expect(alive(pid)).toBe(true);
    unfollow();
    // Long before the one-minute look after its start.
    expect(await until(() => !alive(pid), 15_000, 200)).toBe(true);
  });
});
