/**
 * Idle sleep and wake on demand against a real VM (#14). One BERTH_HOME for
 * the file, with idleSleepMinutes at 0.1 (six seconds) so the VM sleeps
 * between tests' steps; the later tests crash the agent and reset on purpose.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import type { AgentStatus } from '../../main/agent/control-api';
import { findExecutable } from '../../main/common/executables';
import { alive, berthCli, dumpLogsOnFailure, hermeticEnv, livePid, stopAndClean, until } from '../helpers/berth-cli';
import { importBusybox } from '../helpers/busybox-image';
import { dockerCli, type CliResult } from '../helpers/docker-cli';

const IMG = 'berth-test/busybox:latest';

describe('idle sleep and wake on demand with a real VM', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-sleep-'));
  const shared = mkdtempSync(join(homedir(), '.berth-sleep-test-'));
  beforeEach(dumpLogsOnFailure(home));
  // 9p on purpose: a machine with virtio-fs shares cannot be saved (file-sharing.test.ts shows what its sleep does).
  const berth = berthCli({ BERTH_HOME: home, BERTH_SHARE_OPTIONS: 'transport=9p' });
  const socket = join(home, 'docker.sock');
  const docker = dockerCli({ DOCKER_HOST: `unix://${socket}` });
  const savedState = join(home, 'vm', 'sleep.state');
  const status = () => JSON.parse(berth(['status', '--json']).stdout) as AgentStatus;
  const untilState = (state: string, ms = 90_000) => until(() => status().state === state, ms, 500);
  /** The docker CLI, asynchronously, so calls can overlap. */
  const dockerAsync = (args: string[]) =>
    new Promise<CliResult>((resolve) => {
      const p = spawn('docker', args, { env: hermeticEnv({ DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(home, 'dc') }) });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  const portOpen = (port: number) =>
    new Promise<boolean>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port });
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
    });

  afterAll(() => stopAndClean(home, berth, shared));

  test('asleep after the idle minutes: QEMU gone; one docker command wakes it with no retry; images, volumes and closed ports as they were', async () => {
    expect(berth(['config', 'set', 'idleSleepMinutes', '0.1']).status).toBe(0);
    const r = berth(['start']);
    expect(r.status, r.stderr).toBe(0);
    expect(importBusybox((tar) => docker(['import', tar, IMG])).status).toBe(0);
    expect(docker(['volume', 'create', 'keep']).status).toBe(0);
    expect(docker(['run', '--rm', '-v', 'keep:/v', IMG, 'sh', '-c', 'echo kept > /v/f']).status).toBe(0);
    // A container that published a port and then stopped: its port must stay closed after the wake.
    expect(docker(['run', '-d', '--name', 'was-web', '-p', '127.0.0.1:18571:80', IMG, 'httpd', '-f', '-p', '80']).status).toBe(0);
    expect(await until(() => portOpen(18571), 30_000)).toBe(true);
    expect(docker(['stop', '-t', '1', 'was-web']).status).toBe(0);
    const qemu = status().pid!;
    expect(alive(qemu)).toBe(true);

    expect(await untilState('sleeping')).toBe(true);
    expect(alive(qemu)).toBe(false);
    expect(existsSync(savedState)).toBe(true);
    // The guest's memory and its disk: only their owner reads them.
    expect(statSync(savedState).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'vm', 'data.qcow2')).mode & 0o777).toBe(0o600);
    const asleep = status();
    expect(asleep.pid).toBeUndefined();
    expect(berth(['status']).stdout).toMatch(/State: +sleeping \(idle: no memory or CPU used; the next docker command wakes it/);

    const t0 = Date.now();
    const v = docker(['version', '--format', '{{.Server.Version}}']);
    console.log(`first docker command from sleep: ${Date.now() - t0} ms`);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+/);
    expect(status().state).toBe('running');
    // The saved state is stale once the guest runs on: it is gone.
    expect(existsSync(savedState)).toBe(false);
    expect(docker(['image', 'inspect', IMG]).status).toBe(0);
    expect(docker(['run', '--rm', '-v', 'keep:/v', IMG, 'cat', '/v/f']).stdout).toBe('kept\n');
    expect(await portOpen(18571)).toBe(false);
    expect(docker(['rm', 'was-web']).status).toBe(0);
  });

  test('20 docker commands made while asleep all succeed, on one wake', async () => {
    expect(await untilState('sleeping')).toBe(true);
    const results = await Promise.all(Array.from({ length: 20 }, () => dockerAsync(['version', '--format', '{{.Server.Version}}'])));
    for (const r of results) expect(r.status, r.stderr).toBe(0);
    const log = berth(['logs', 'agent']).stdout;
    // One wake for the twenty: the last sleep is followed by exactly one start.
    const tail = log.slice(log.lastIndexOf('suspending → sleeping'));
    expect(tail.match(/sleeping → starting/g)).toHaveLength(1);
  });

  test("after a sleep of 30 s the guest clock is within 1 s of the host's, and a bind mount under $HOME works", async () => {
    writeFileSync(join(shared, 'f'), 'from the host\n');
    expect(await untilState('sleeping')).toBe(true);
    await new Promise((r) => setTimeout(r, 30_000));
    expect(status().state).toBe('sleeping');
    const r = docker(['run', '--rm', '-v', `${shared}:/d`, IMG, 'cat', '/d/f']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('from the host\n');
    // The clock, read inside a running container and bracketed by the host's clock around the read.
    expect(docker(['run', '-d', '--name', 'clock', IMG, 'sleep', '120']).status).toBe(0);
    const before = Date.now();
    const t = docker(['exec', 'clock', 'adjtimex']);
    const after = Date.now();
    expect(docker(['rm', '-f', 'clock']).status).toBe(0);
    expect(t.status, t.stderr).toBe(0);
    const sec = Number(/time\.tv_sec:\s+(\d+)/.exec(t.stdout)![1]);
    const usec = Number(/time\.tv_usec:\s+(\d+)/.exec(t.stdout)![1]);
    const guest = sec * 1000 + usec / 1000;
    console.log(`guest clock ${Math.round(guest)}, read between host ${before} and ${after} (${after - before} ms)`);
    expect(guest).toBeGreaterThanOrEqual(before - 1000);
    expect(guest).toBeLessThanOrEqual(after + 1000);
  });

  test('a file written in a volume just before the sleep reads back after the wake, byte for byte (through zstd where the host has it)', async () => {
    const write = docker(['run', '--rm', '-v', 'keep:/v', IMG, 'sh', '-c', 'head -c 8388608 /dev/urandom > /v/late && sha256sum /v/late']);
    expect(write.status, write.stderr).toBe(0);
    // At once: no idle minutes, no sync of the engine's own, the sleep itself must keep it.
    const slept = berth(['sleep']);
    expect(slept.status, slept.stderr).toBe(0);
    expect(status().state).toBe('sleeping');
    const zstd = findExecutable('zstd');
    const head = readFileSync(savedState).subarray(0, 4).toString('hex');
    // QEMU's stream starts "QEVM"; zstd's frames start 28 b5 2f fd.
    expect(head).toBe(zstd ? '28b52ffd' : Buffer.from('QEVM').toString('hex'));
    const read = docker(['run', '--rm', '-v', 'keep:/v', IMG, 'sha256sum', '/v/late']);
    expect(read.status, read.stderr).toBe(0);
    expect(read.stdout).toBe(write.stdout);
    expect(berth(['logs', 'agent']).stdout).not.toMatch(/could not resume the sleeping VM/);
  });

  test('a running container keeps the VM awake, and so does an open docker events; once both end it sleeps', async () => {
    expect(docker(['run', '-d', '--name', 'busy', IMG, 'sleep', '600']).status).toBe(0);
    // Twice the 6 s idle period, with a look every 1.5 s: an idle VM would be asleep by then.
    const twoIdlePeriods = () => new Promise((r) => setTimeout(r, 12_000));
    await twoIdlePeriods();
    expect(status().state).toBe('running');
    expect(docker(['rm', '-f', 'busy']).status).toBe(0);

    const events = spawn('docker', ['events'], { env: hermeticEnv({ DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(home, 'dc') }), stdio: 'ignore' });
    try {
      await twoIdlePeriods();
      expect(status().state).toBe('running');
    } finally {
      events.kill('SIGTERM');
    }
    expect(await untilState('sleeping', 60_000)).toBe(true);
  });

  test('a stop while asleep ends in stopped with the saved state gone; the next start is a cold boot', () => {
    expect(status().state).toBe('sleeping');
    expect(berth(['stop']).status).toBe(0);
    expect(status().state).toBe('stopped');
    expect(existsSync(savedState)).toBe(false);
    const r = berth(['start']);
    expect(r.status, r.stderr).toBe(0);
    // A cold boot reports the guest's boot stages; a resume has none.
    expect(r.stderr).toContain('Starting… (dockerd)');
  });

  test('after the agent crashes while the VM sleeps, the next start is a cold boot and the old state is deleted', async () => {
    expect(await untilState('sleeping')).toBe(true);
    expect(existsSync(savedState)).toBe(true);
    const agent = livePid(join(home, 'agent.pid'))!;
    process.kill(agent, 'SIGKILL');
    expect(await until(() => !alive(agent), 10_000)).toBe(true);
    const r = berth(['start']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('Starting… (dockerd)');
    expect(existsSync(savedState)).toBe(false);
    expect(berth(['logs', 'agent']).stdout).toContain('deleted the saved VM state');
    expect(docker(['image', 'inspect', IMG]).status).toBe(0);
  });

  test('a disk resize while asleep: the restart is a cold boot with the saved state gone, and the disk and its filesystem grow', async () => {
    const sizeKiB = () => Number(docker(['run', '--rm', IMG, 'df', '-k', '/']).stdout.trim().split('\n').pop()!.trim().split(/\s+/)[1]);
    const before = sizeKiB();
    expect(await untilState('sleeping')).toBe(true);
    expect(existsSync(savedState)).toBe(true);
    expect(berth(['config', 'set', 'diskGiB', '80']).status).toBe(0);
    const r = berth(['restart']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('Starting… (dockerd)');
    expect(existsSync(savedState)).toBe(false);
    expect(berth(['logs', 'agent']).stdout).toContain('grew the data disk from 64 GiB to 80 GiB');
    const after = sizeKiB();
    console.log(`data filesystem: ${before} KiB before, ${after} KiB after`);
    expect(after).toBeGreaterThan(before + 15 * 1024 * 1024);
    expect(docker(['image', 'inspect', IMG]).status).toBe(0);
  });

  test('berth reset while asleep deletes the saved state with the disk; the next start is a fresh cold boot', async () => {
    expect(await untilState('sleeping')).toBe(true);
    expect(berth(['reset', '--yes']).status).toBe(0);
    expect(existsSync(savedState)).toBe(false);
    const r = berth(['start']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('Starting… (format)');
  });
});
