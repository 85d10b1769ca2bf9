import { spawn } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { sleep } from '../../main/common/sleep';
import { until } from './berth-cli';
import type { CliResult } from './docker-cli';

type Docker = (args: string[], opts?: { input?: string; timeoutMs?: number }) => CliResult;

/** Symlinks, modes, hard links and timestamps made in a container are the same on the host, and the files are the host user's. */
export function checkSameFilesBothSides(docker: Docker, image: string, dir: string): void {
  const script = [
    `cd ${dir}`,
    'echo data > f && ln -s f link && ln f hard',
    'echo "#!/bin/sh" > run.sh && chmod 755 run.sh',
    'touch -d "2001-02-03 04:05:06" old',
    // A container's root asks for a root-owned setuid file; the host must not get one unless its user is root.
    'echo x > suid && chown 0:0 suid && chmod 4755 suid',
  ].join(' && ');
  const r = docker(['run', '--rm', '-v', `${dir}:${dir}`, image, 'sh', '-c', script]);
  expect(r.status, r.stderr).toBe(0);
  expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true);
  expect(readlinkSync(join(dir, 'link'))).toBe('f');
  expect(statSync(join(dir, 'run.sh')).mode & 0o777).toBe(0o755);
  expect(statSync(join(dir, 'hard')).ino).toBe(statSync(join(dir, 'f')).ino);
  expect(statSync(join(dir, 'f')).nlink).toBe(2);
  expect(statSync(join(dir, 'old')).mtime.toISOString()).toBe('2001-02-03T04:05:06.000Z');
  const me = process.getuid!();
  for (const f of ['f', 'link', 'hard', 'run.sh', 'old', 'suid']) expect(lstatSync(join(dir, f)).uid, f).toBe(me);
  // Setuid can only ever be the host user's own.
  const suid = statSync(join(dir, 'suid'));
  if (suid.mode & 0o4000) expect(suid.uid).toBe(me);
}

/**
 * `run -t`, `run -it` and `exec -t`: runc's console socket must bind wherever the guest's /tmp
 * comes from. `inTerminal` runs a docker command with a terminal on stdin (`-it` wants one).
 */
export function checkTtys(docker: Docker, image: string, inTerminal: Docker): void {
  const t = docker(['run', '--rm', '-t', image, 'sh', '-c', 'tty']);
  expect(t.status, t.stderr).toBe(0);
  expect(t.stdout).toMatch(/^\/dev\/pts\/\d+/);
  const it = inTerminal(['run', '--rm', '-i', '-t', image, 'sh', '-c', 'tty']);
  expect(it.status, it.stdout + it.stderr).toBe(0);
  expect(it.stdout).toMatch(/\/dev\/pts\/\d+/);
  expect(docker(['run', '-d', '--name', 'tty-exec', image, 'sleep', '300']).status).toBe(0);
  const e = docker(['exec', '-t', 'tty-exec', 'tty']);
  docker(['rm', '-f', 'tty-exec']);
  expect(e.status, e.stderr).toBe(0);
  expect(e.stdout).toMatch(/^\/dev\/pts\/\d+/);
}

/** The time until `seen()`, polled every 50 ms, or undefined after `ms`. */
async function within(seen: () => boolean, ms: number): Promise<number | undefined> {
  const t0 = Date.now();
  return (await until(seen, ms, 50)) ? Date.now() - t0 : undefined;
}

/**
 * Host changes reach a watcher in a container within 1 s as IN_ATTRIB (modify,
 * create and move on the file; delete on its folder), and a host edit is readable
 * there within 1 s; the container's own write raises its own events once, with no
 * echo from the host.
 */
export async function checkLiveChanges(docker: Docker, dockerEnv: NodeJS.ProcessEnv, image: string, dir: string, timed: (what: string, ms: number) => void): Promise<void> {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'src/app.js'), 'v1');
  writeFileSync(join(dir, 'src/gone.js'), 'x');
  writeFileSync(join(dir, 'src/old-name.js'), 'x');
  const run = docker(['run', '-d', '--name', 'watcher', '-v', `${dir}:/w`, image, 'inotifywait', '-m', '-r', '-e', 'modify,create,delete,moved_from,moved_to,attrib', '--format', '%e %w%f', '/w']);
  expect(run.status, run.stderr).toBe(0);
  const log = () => {
    const l = docker(['logs', 'watcher']);
    return l.stderr + l.stdout;
  };
  try {
    expect(await within(() => /Watches established/.test(log()), 60_000)).toBeDefined();
    // The agent starts watching when the engine reports the container; give that a moment.
    await sleep(1000);
    const steps: Array<[string, () => void, RegExp]> = [
      ['modify', () => writeFileSync(join(dir, 'src/app.js'), 'v2'), /^ATTRIB \/w\/src\/app\.js$/m],
      ['create', () => writeFileSync(join(dir, 'src/new.js'), 'n'), /^ATTRIB \/w\/src\/new\.js$/m],
      ['delete', () => rmSync(join(dir, 'src/gone.js')), /^ATTRIB,ISDIR \/w\/src\/?$/m],
      ['move', () => renameSync(join(dir, 'src/old-name.js'), join(dir, 'src/new-name.js')), /^ATTRIB \/w\/src\/new-name\.js$/m],
    ];
    for (const [what, act, expected] of steps) {
      const before = log().length;
      act();
      const ms = await within(() => expected.test(log().slice(before)), 3000);
      expect(ms, `${what}: no event in the container; its log:\n${log()}`).toBeDefined();
      timed(`host ${what} → inotify in the container`, ms!);
      expect(ms!).toBeLessThan(1000);
    }

    // The events leave the host file's content and mtime as they were.
    const settled = statSync(join(dir, 'src/app.js'), { bigint: true }).mtimeNs;
    await sleep(1500);
    expect(statSync(join(dir, 'src/app.js'), { bigint: true }).mtimeNs).toBe(settled);

    // A reader already polling in the container (every 50 ms), so the time is the file's, not docker exec's.
    const reader = spawn('docker', ['exec', 'watcher', 'sh', '-c', 'while [ "$(cat /w/src/app.js)" != v3 ]; do usleep 50000; done'], { env: dockerEnv, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => reader.on('exit', () => resolve()));
    await sleep(1500);
    const t0 = Date.now();
    writeFileSync(join(dir, 'src/app.js'), 'v3');
    const read = await Promise.race([exited.then(() => Date.now() - t0), sleep(5000).then(() => undefined)]);
    reader.kill();
    expect(read, 'the host edit was not readable in the container').toBeDefined();
    timed('host edit → readable in the container', read!);
    expect(read!).toBeLessThan(1000);

    const before = log().length;
    expect(docker(['exec', 'watcher', 'sh', '-c', 'echo own > /w/src/own.js']).status).toBe(0);
    await sleep(3000);
    const own = log()
      .slice(before)
      .split('\n')
      .filter((l) => l.endsWith('/w/src/own.js'));
    expect(own, `the container's own write came back: ${own.join(' | ')}`).toEqual(['CREATE /w/src/own.js', 'MODIFY /w/src/own.js']);
  } finally {
    docker(['rm', '-f', 'watcher']);
  }
}

/** Hard links made on the host are one file in the container too. */
export function checkHostHardLink(docker: Docker, image: string, dir: string): void {
  writeFileSync(join(dir, 'h1'), 'same');
  linkSync(join(dir, 'h1'), join(dir, 'h2'));
  const r = docker(['run', '--rm', '-v', `${dir}:/d`, image, 'sh', '-c', 'stat -c %i /d/h1 /d/h2 | uniq | wc -l']);
  expect(r.stdout.trim()).toBe('1');
}
