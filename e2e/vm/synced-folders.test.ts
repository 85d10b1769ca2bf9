/**
 * Synchronized folders on the amd64 guest: a copy on the VM's disk, kept in step both ways.
 * A large first copy killed with the agent ends complete after a start; changes of every kind
 * travel within 1 s each way; a container's inotify sees host edits; a conflict keeps both
 * versions; a vanished host folder leaves the copy alone; a minute of writes from both sides
 * ends identical. One BERTH_HOME and one VM (booted twice) for the file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { alive, berthCli, dumpLogsOnFailure, hermeticEnv, livePid, stopAndClean, until } from '../helpers/berth-cli';
import { importBusybox, importInotifyImage } from '../helpers/busybox-image';
import { dockerCli } from '../helpers/docker-cli';
import { shareStress } from '../helpers/share-stress';
import { isSyncTemp } from '../../main/link/sync-protocol';
import { containerChanges, hostChanges, seedChanges, syncStatus, timeContainerChange, timeHostChange, within } from '../helpers/sync-checks';

const IMG = 'berth-test/busybox:latest';
const WATCH_IMG = 'berth-test/inotify:latest';
const BIG_FILES = 3000;

/** Every file under `root`, by relative path, with its checksum. */
function hostSums(root: string, algorithm = 'sha1'): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      // The sync's own temporary names come and go while it copies.
      if (isSyncTemp(e.name)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          out.set(relative(root, p), createHash(algorithm).update(readFileSync(p)).digest('hex'));
        } catch {
          // Renamed or deleted since the listing: the next look has it.
        }
      }
    }
  };
  walk(root);
  return out;
}

/** `sha1sum` lines, relative to `root`. */
function sums(text: string, root: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const hit = /^([0-9a-f]{40})\s+(.+)$/.exec(line.trim());
    if (hit) m.set(relative(root, hit[2]!), hit[1]!);
  }
  return m;
}

describe('synchronized folders', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-sync-'));
  beforeEach(dumpLogsOnFailure(home));
  const env = { BERTH_HOME: home, DOCKER_CONFIG: join(home, 'docker-config') };
  const berth = berthCli(env);
  const dockerEnv = { DOCKER_HOST: `unix://${join(home, 'docker.sock')}`, DOCKER_CONFIG: env.DOCKER_CONFIG };
  const docker = dockerCli(dockerEnv);
  // One inside the shared home (the usual project), one outside every share.
  const project = mkdtempSync(join(homedir(), '.berth-test-sync-'));
  const big = mkdtempSync(join('/var/tmp', 'berth-test-sync-big-'));
  const markers = mkdtempSync(join(homedir(), '.berth-test-markers-'));
  const inContainer = (dir: string) => sums(docker(['run', '--rm', '-v', `${dir}:${dir}`, IMG, 'sh', '-c', `find ${dir} -type f | xargs sha1sum`], { timeoutMs: 300_000 }).stdout, dir);
  const folder = (p: string) => syncStatus(berth).find((s) => s.hostPath === p);
  const inStep = () => syncStatus(berth).every((s) => s.state === 'watching' && s.ready);
  // After the first test's restart (which must find the first copy still running), or at once when run alone.
  const ensureImages = () => {
    if (docker(['image', 'inspect', IMG]).status !== 0) importBusybox((tar) => docker(['import', tar, IMG]));
    if (docker(['image', 'inspect', WATCH_IMG]).status === 0) return;
    const w = importInotifyImage((tar) => docker(['import', tar, WATCH_IMG]), 'amd64');
    expect(w.status, w.stderr).toBe(0);
  };

  beforeAll(() => {
    mkdirSync(env.DOCKER_CONFIG, { recursive: true });
    for (let i = 0; i < BIG_FILES; i++) {
      mkdirSync(join(big, `d${i % 30}`), { recursive: true });
      writeFileSync(join(big, `d${i % 30}`, `f${i}.js`), `module.exports = ${i};\n`.repeat((i % 50) + 1));
    }
    seedChanges(join(project, 'changes'));
    expect(berth(['config', 'set', 'syncedPaths', `${project},${big}`]).status).toBe(0);
    const r = berth(['start']);
    if (r.status !== 0) throw new Error(`berth start failed: ${r.stderr}`);
  });

  afterAll(() => {
    docker(['rm', '-f', 'sync-reader', 'sync-watch']);
    stopAndClean(home, berth, project, big, markers);
  });

  test('a container that mounts a folder still being copied is refused with a clear error; a kill -9 of the agent mid-copy, then a start, ends complete and identical', async () => {
    expect(await until(() => folder(big)?.state === 'scanning' && !!folder(big)?.progress, 60_000, 100)).toBe(true);
    const refused = docker(['run', '--rm', '-v', `${big}/d1:/w`, 'no-such-image:1', 'true']);
    expect(refused.stderr).toMatch(/still being copied into the VM/);
    const agent = livePid(join(home, 'agent.pid'));
    const qemu = livePid(join(home, 'vm', 'qemu.pid'));
    expect(agent).toBeDefined();
    process.kill(agent!, 'SIGKILL');
    // QEMU dies with its agent on Linux.
    expect(await until(() => !qemu || !alive(qemu), 30_000)).toBe(true);
    const r = berth(['start']);
    expect(r.status, r.stderr).toBe(0);
    expect(await until(inStep, 240_000, 500)).toBe(true);
    ensureImages();
    const host = hostSums(big);
    expect(host.size).toBe(BIG_FILES);
    expect(inContainer(big)).toEqual(host);
    expect(readdirSync(big).filter((n) => n.includes('conflict'))).toEqual([]);
  }, 600_000);

  test('contents, creates, deletes, renames, modes and symlinks reach a container within 1 s, and come back within 1 s', async () => {
    ensureImages();
    const dir = join(project, 'changes');
    const run = docker(['run', '-d', '--name', 'sync-reader', '-v', `${dir}:/w`, '-v', `${markers}:/m`, IMG, 'sleep', '3600']);
    expect(run.status, run.stderr).toBe(0);
    for (const c of hostChanges(dir)) {
      const ms = await timeHostChange(hermeticEnv(dockerEnv), 'sync-reader', c);
      console.log(`host ${c.what} → container: ${ms} ms`);
      expect(ms, c.what).toBeDefined();
      expect(ms!, c.what).toBeLessThan(1000);
    }
    let n = 0;
    for (const c of containerChanges(dir)) {
      const ms = await timeContainerChange(hermeticEnv(dockerEnv), 'sync-reader', markers, n++, c);
      console.log(`container ${c.what} → host: ${ms === undefined ? ms : Math.round(ms)} ms`);
      expect(ms, c.what).toBeDefined();
      expect(ms!, c.what).toBeLessThan(1000);
    }
  }, 300_000);

  test('a host edit fires inotify in a container, within 1 s, as a local write would', async () => {
    const dir = join(project, 'watched');
    mkdirSync(dir);
    writeFileSync(join(dir, 'app.js'), 'v1');
    expect(await until(() => folder(project)?.state === 'watching', 10_000)).toBe(true);
    const run = docker(['run', '-d', '--name', 'sync-watch', '-v', `${dir}:/w`, WATCH_IMG, 'inotifywait', '-m', '-r', '-e', 'close_write,moved_to,create,delete', '--format', '%e %w%f', '/w']);
    expect(run.status, run.stderr).toBe(0);
    const log = () => {
      const l = docker(['logs', 'sync-watch']);
      return l.stderr + l.stdout;
    };
    expect(await within(() => /Watches established/.test(log()), 60_000)).toBeDefined();
    writeFileSync(join(dir, 'app.js'), 'v2');
    const ms = await within(() => /^CLOSE_WRITE,CLOSE \/w\/app\.js$/m.test(log()), 5000);
    console.log(`host edit → inotify in the container: ${ms} ms`);
    expect(ms).toBeDefined();
    expect(ms!).toBeLessThan(1000);
  }, 120_000);

  test('a change on both sides keeps both versions, and berth sync shows the conflict', async () => {
    const file = join(project, 'notes.txt');
    writeFileSync(file, 'base\n');
    expect(await until(() => docker(['exec', 'sync-reader', 'true']).status === 0 && folder(project)?.state === 'watching', 10_000)).toBe(true);
    expect(await until(() => docker(['run', '--rm', '-v', `${project}:/p`, IMG, 'cat', '/p/notes.txt']).stdout === 'base\n', 20_000, 500)).toBe(true);
    // The agent held still (SIGSTOP) while both sides change: the engine is reached over its own TLS port.
    const agent = livePid(join(home, 'agent.pid'))!;
    const port = JSON.parse(berth(['status', '--json']).stdout).enginePort as number;
    const direct = dockerCli({ DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(home, 'vm', 'tls') });
    process.kill(agent, 'SIGSTOP');
    try {
      writeFileSync(file, 'host version\n');
      const r = direct(['run', '--rm', '-v', `${project}:/p`, IMG, 'sh', '-c', 'echo vm version > /p/notes.txt']);
      expect(r.status, r.stderr).toBe(0);
    } finally {
      process.kill(agent, 'SIGCONT');
    }
    expect(await until(() => (folder(project)?.conflicts.length ?? 0) > 0, 30_000, 300)).toBe(true);
    const c = folder(project)!.conflicts[0]!;
    expect(c.path).toBe('notes.txt');
    expect(readFileSync(file, 'utf8')).toBe('host version\n');
    expect(readFileSync(join(project, c.copy), 'utf8')).toBe('vm version\n');
    expect(berth(['sync']).stdout).toContain(`conflict: notes.txt — the VM's version was kept as "${c.copy}"`);
    // The VM gets the host's version at the name, and the copy beside it.
    expect(await until(() => docker(['run', '--rm', '-v', `${project}:/p`, IMG, 'cat', '/p/notes.txt', `/p/${c.copy}`]).stdout === 'host version\nvm version\n', 20_000, 500)).toBe(true);
  }, 120_000);

  test('a host folder that vanishes pauses the sync and leaves the VM copy untouched; back, it goes on', async () => {
    renameSync(project, `${project}-moved`);
    try {
      expect(await until(() => folder(project)?.state === 'paused', 20_000, 300)).toBe(true);
      expect(folder(project)?.paused).toEqual({ kind: 'host-missing' });
      expect(berth(['sync']).stdout).toContain('is gone from the host');
      const seen = docker(['exec', 'sync-reader', 'cat', '/w/edit.txt']);
      expect(seen.stdout).toBe('v2');
    } finally {
      renameSync(`${project}-moved`, project);
    }
    expect(await until(() => folder(project)?.state === 'watching', 30_000, 300)).toBe(true);
    expect(docker(['exec', 'sync-reader', 'cat', '/w/edit.txt']).stdout).toBe('v2');
  }, 120_000);

  test('a minute of writes, renames and deletes from both sides ends with identical checksums and no missing file', async () => {
    ensureImages();
    const dir = join(project, 'stress');
    const t0 = Date.now();
    const r = await shareStress(docker, IMG, dir, 60);
    console.log(`stress: ${r.hostOps} host operations, ${r.containerOps} in the container`);
    const host = () => hostSums(dir);
    expect(await until(() => JSON.stringify([...host()].sort()) === JSON.stringify([...inContainer(dir)].sort()), 180_000, 3000)).toBe(true);
    console.log(`stress: both sides identical ${Math.round((Date.now() - t0) / 1000)} s after the writing began`);
    const final = hostSums(dir, 'sha256');
    for (const [name, sum] of [...r.host, ...r.container]) expect(final.get(name), name).toBe(sum);
    expect([...final.keys()].filter((n) => n.includes('conflict'))).toEqual([]);
  }, 600_000);
});
