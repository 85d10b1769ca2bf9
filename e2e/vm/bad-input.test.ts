/**
 * Bad input through the real CLI: each case gives a clear message and a
 * non-zero exit, and nothing is lost. None of these boots a VM.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { berthCli, livePid, signal, until } from '../helpers/berth-cli';

const homes: string[] = [];
function freshHome(): { home: string; berth: ReturnType<typeof berthCli> } {
  const home = mkdtempSync(join(tmpdir(), 'berth-bad-'));
  homes.push(home);
  return { home, berth: berthCli({ BERTH_HOME: home, DOCKER_CONFIG: join(home, 'docker-config') }) };
}

afterEach(async () => {
  for (const home of homes.splice(0)) {
    // Only the agent this test started, by the pid it wrote.
    const pid = livePid(join(home, 'agent.pid'));
    if (pid) {
      signal(pid, 'SIGTERM');
      await until(() => livePid(join(home, 'agent.pid')) === undefined, 5000);
    }
    rmSync(home, { recursive: true, force: true });
  }
});

describe('bad input', () => {
  test('memory 0 and more CPUs than the host are refused, and the stored file is untouched', () => {
    const { home, berth } = freshHome();
    expect(berth(['config', 'set', 'cpus', '1']).status).toBe(0);
    const before = readFileSync(join(home, 'settings.json'), 'utf8');
    const mem = berth(['config', 'set', 'memoryMiB', '0']);
    expect(mem.status).not.toBe(0);
    expect(mem.stderr).toContain('memoryMiB must be at least 512');
    const cpus = berth(['config', 'set', 'cpus', String(availableParallelism() + 1)]);
    expect(cpus.status).not.toBe(0);
    expect(cpus.stderr).toContain(`cpus must be at most ${availableParallelism()}`);
    const junk = berth(['config', 'set', 'memoryMiB', 'lots']);
    expect(junk.status).not.toBe(0);
    expect(junk.stderr).toMatch(/memoryMiB must be/);
    expect(readFileSync(join(home, 'settings.json'), 'utf8')).toBe(before);
  });

  test('an unwritable BERTH_HOME is named in the error', () => {
    const { home } = freshHome();
    const file = join(home, 'not-a-dir');
    writeFileSync(file, 'x');
    const berth = berthCli({ BERTH_HOME: join(file, 'berth') });
    const r = berth(['start'], { timeoutMs: 30_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`Berth cannot write to ${join(file, 'berth')}`);
  });

  test('a corrupt settings file is backed up and the defaults are used', () => {
    const { home, berth } = freshHome();
    writeFileSync(join(home, 'settings.json'), '{"cpus": 2,, broken');
    const r = berth(['config', 'get', 'cpus']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('2');
    expect(r.stderr).toMatch(/was unreadable .* moved to .*settings\.json\.corrupt-/);
    const backup = readdirSync(home).find((f) => f.startsWith('settings.json.corrupt-'))!;
    expect(readFileSync(join(home, backup), 'utf8')).toBe('{"cpus": 2,, broken');
  });

  test('a missing qemu-system binary says where Berth looked and how to install it', () => {
    const { home, berth } = freshHome();
    const emptyPath = join(home, 'empty-path');
    mkdirSync(emptyPath);
    // Neither PATH nor the usual places (injected: this host has QEMU in /usr/bin) nor a login shell hold QEMU.
    const r = berth(['start'], { timeoutMs: 60_000, extraEnv: { PATH: emptyPath, BERTH_QEMU_SEARCH_PATH: emptyPath, SHELL: '/bin/false' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`qemu-system-x86_64 and qemu-img were not found. Berth looked in: ${emptyPath}.`);
    expect(r.stderr).toMatch(/install it with: sudo apt-get install qemu-system-x86 qemu-utils .*or set qemuPath to the folder that holds them/);
  });

  test('a taken engine port is reported; stale agent files from a crash are replaced', async () => {
    const { home, berth } = freshHome();
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      expect(berth(['config', 'set', 'enginePort', String(port)]).status).toBe(0);
      // A crashed agent leaves a socket file nobody listens on and a pid file naming a dead process.
      execFileSync('python3', ['-c', `import socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(join(home, 'agent.sock'))})`]);
      writeFileSync(join(home, 'agent.pid'), '999999\n');
      expect(existsSync(join(home, 'agent.sock'))).toBe(true);
      const r = berth(['start'], { timeoutMs: 60_000 });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      // The new agent took over the stale files and is answering.
      expect(livePid(join(home, 'agent.pid'))).toBeGreaterThan(0);
      expect(JSON.parse(berth(['status', '--json']).stdout).state).toBe('error');
    } finally {
      server.close();
    }
  });

  test('reset without a terminal and without --yes deletes nothing', () => {
    const { home, berth } = freshHome();
    mkdirSync(join(home, 'vm'), { recursive: true });
    writeFileSync(join(home, 'vm', 'data.qcow2'), 'precious');
    const r = berth(['reset']);
    expect(r.stdout).toContain('Nothing was deleted');
    expect(readFileSync(join(home, 'vm', 'data.qcow2'), 'utf8')).toBe('precious');
    expect(berth(['reset', '--yes']).status).toBe(0);
    expect(existsSync(join(dirname(join(home, 'vm', 'x')), 'data.qcow2'))).toBe(false);
  });
});
