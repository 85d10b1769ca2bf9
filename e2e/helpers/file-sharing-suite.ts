/**
 * File sharing as a developer meets it, on the amd64 guest, for one transport: files made in
 * a container are the same on the host, TTYs work though the guest's /tmp is the host's, host
 * edits and their inotify events reach a watcher in a container within 1 s, and a minute of
 * writes from both sides loses nothing. One BERTH_HOME and one VM for each file that calls it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { shareOptionsFrom } from '../../main/vm/share-options';
import { berthCli, dumpLogsOnFailure, hermeticEnv, stopAndClean, until } from './berth-cli';
import { importBusybox, importInotifyImage } from './busybox-image';
import { dockerCli } from './docker-cli';
import { checkHostHardLink, checkLiveChanges, checkSameFilesBothSides, checkTtys } from './share-checks';
import { shareStress } from './share-stress';

const IMG = 'berth-test/busybox:latest';
const WATCH_IMG = 'berth-test/inotify:latest';
const STRESS_SECONDS = 60;

/**
 * The suite over `transport`: 9p asked for on purpose (BERTH_SHARE_OPTIONS), or the one the
 * host gives by default. `expected` is the filesystem the guest must mount the shares with.
 */
export function fileSharingSuite(name: string, opts: { shareOptions?: string; expected: '9p' | 'virtiofs' }): void {
  describe(name, () => {
    const home = mkdtempSync(join(tmpdir(), 'berth-share-'));
    beforeEach(dumpLogsOnFailure(home));
    const env = { BERTH_HOME: home, DOCKER_CONFIG: join(home, 'docker-config'), ...(opts.shareOptions ? { BERTH_SHARE_OPTIONS: opts.shareOptions } : {}) };
    const berth = berthCli(env);
    const dockerEnv = { DOCKER_HOST: `unix://${join(home, 'docker.sock')}`, DOCKER_CONFIG: env.DOCKER_CONFIG };
    const docker = dockerCli(dockerEnv);
    // Under $HOME, which Berth shares into the VM at the same path.
    const shared = mkdtempSync(join(homedir(), '.berth-test-files-'));

    beforeAll(() => {
      mkdirSync(env.DOCKER_CONFIG, { recursive: true });
      const r = berth(['start']);
      if (r.status !== 0) throw new Error(`berth start failed: ${r.stderr}`);
      importBusybox((tar) => docker(['import', tar, IMG]));
      const w = importInotifyImage((tar) => docker(['import', tar, WATCH_IMG]), 'amd64');
      if (w.status !== 0) throw new Error(`docker import (inotify image) failed: ${w.stderr}`);
    });

    afterAll(() => stopAndClean(home, berth, shared));

    test(`the shares are mounted over ${opts.expected}`, () => {
      // A bind mount's line in the container's mount table carries the share's filesystem type.
      const r = docker(['run', '--rm', '-v', `${shared}:/s`, IMG, 'grep', ' /s ', '/proc/mounts']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.split(' ')[2]).toBe(opts.expected);
    });

    test('symlinks, modes, hard links and timestamps made in a container are the same on the host, and the host user owns them', () => {
      const dir = join(shared, 'same');
      mkdirSync(dir);
      checkSameFilesBothSides(docker, IMG, dir);
      checkHostHardLink(docker, IMG, dir);
    });

    test("Berth's own files (its home with the TLS keys and data disk, its cache) are empty and read-only to a container that mounts their parent", () => {
      for (const hidden of [home, join(homedir(), '.cache', 'berth')]) {
        const r = docker([
          'run',
          '--rm',
          '-v',
          `${dirname(hidden)}:/h`,
          IMG,
          'sh',
          '-c',
          `ls -A /h/${basename(hidden)}; touch /h/${basename(hidden)}/x 2>&1; cat /h/${basename(hidden)}/settings.json 2>&1`,
        ]);
        expect(r.stdout, hidden).not.toMatch(/ca\.pem|key\.pem|data\.qcow2|vm-assets/);
        expect(r.stdout, hidden).toMatch(/Read-only file system/);
        expect(r.stdout, hidden).toMatch(/No such file/);
      }
      // On the host they are all there.
      expect(existsSync(join(home, 'settings.json')) || existsSync(join(home, 'vm'))).toBe(true);
    });

    test('run -t, run -it and exec -t work: the guest daemons keep their temp files on the guest', () => {
      // script(1) gives the docker CLI a terminal, as a shell user's would be.
      const inTerminal = (args: string[]) => {
        const r = spawnSync('script', ['-qec', ['docker', ...args].join(' '), '/dev/null'], { env: hermeticEnv(dockerEnv), encoding: 'utf8', timeout: 120_000 });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr };
      };
      checkTtys(docker, IMG, inTerminal);
    });

    test('host edits, creates, deletes and moves reach an inotify watcher in a container within 1 s, without echoing its own writes', async () => {
      const dir = join(shared, 'live');
      mkdirSync(dir);
      await checkLiveChanges(docker, hermeticEnv(dockerEnv), WATCH_IMG, dir, (what, ms) => console.log(`${opts.expected} ${what}: ${ms} ms`));
      const watching = () =>
        readFileSync(join(home, 'logs', 'agent.log'), 'utf8')
          .split('\n')
          .filter((l) => /live changes: watching/.test(l));
      expect(watching().join('\n')).toContain(`live changes: watching ${dir} (`);
      // The watcher's container is gone, so nothing is watched.
      expect(await until(() => /watching nothing/.test(watching().pop() ?? ''), 10_000)).toBe(true);
    });

    test(`the host and a container writing, renaming and deleting in one tree for ${STRESS_SECONDS} s lose nothing`, async () => {
      const dir = join(shared, 'stress');
      const r = await shareStress(docker, IMG, dir, STRESS_SECONDS);
      console.log(`${opts.expected} stress: ${r.hostOps} host operations, ${r.containerOps} container operations, ${r.onHost.size} files left`);
      expect(r.hostOps).toBeGreaterThan(100);
      expect(r.containerOps).toBeGreaterThan(20);
      const expected = new Map([...r.host, ...r.container]);
      expect(r.onHost).toEqual(expected);
      expect(r.inContainer).toEqual(expected);
    }, 300_000);

    const nofile = shareOptionsFrom(opts.shareOptions).nofile;
    if (opts.expected === 'virtiofs' && nofile) {
      test(`a walk through more files than virtiofsd may hold open (${nofile}) sees every one: the VM lets go of what it cached`, () => {
        const dir = join(shared, 'many');
        const perFolder = Math.ceil((nofile * 1.25) / 100);
        for (let d = 0; d < 100; d++) {
          mkdirSync(join(dir, `d${d}`), { recursive: true });
          for (let f = 0; f < perFolder; f++) writeFileSync(join(dir, `d${d}`, `f${f}`), '');
        }
        const r = docker(['run', '--rm', '-v', `${dir}:/m`, IMG, 'sh', '-c', 'find /m -type f | wc -l'], { timeoutMs: 240_000 });
        expect(r.stderr).not.toMatch(/Too many open files/);
        expect(Number(r.stdout.trim()), r.stderr).toBe(100 * perFolder);
        expect(berth(['logs', 'vm']).stdout).toMatch(/virtiofsd held \d+ of its \d+ file descriptors, one for each file the VM had cached: the VM dropped its cache/);
      }, 300_000);
    }

    if (opts.expected === 'virtiofs') {
      test('a sleep stops the VM instead (vhost-user-fs cannot be saved), and the next docker call boots it afresh with the shares', () => {
        writeFileSync(join(shared, 'after-sleep'), 'still here\n');
        const slept = berth(['sleep']);
        expect(slept.status, slept.stderr).toBe(0);
        expect(berth(['logs', 'agent']).stdout).toMatch(/could not save the VM \(QEMU cannot save a machine whose shares are served over virtio-fs/);
        const r = docker(['run', '--rm', '-v', `${shared}:/s`, IMG, 'cat', '/s/after-sleep'], { timeoutMs: 240_000 });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toBe('still here\n');
      }, 300_000);
    }
  });
}
