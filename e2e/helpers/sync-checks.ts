import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../../main/common/sleep';
import type { SyncFolderStatus } from '../../main/sync/sync-state';

/** Polls (every 10 ms, bounded) until `check` holds; the milliseconds it took, or undefined. */
export async function within(check: () => boolean, ms: number): Promise<number | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (check()) return Date.now() - t0;
    await sleep(10);
  }
  return undefined;
}

/** One kind of change, made on one side, and how the other side tells it arrived. */
interface Change {
  what: string;
  /** A shell test, in the container, true once the host's change is there. */
  inContainer: string;
  onHost: () => void;
}

/** Host changes of every kind, and the container-side test that each has arrived. */
export function hostChanges(dir: string): Change[] {
  return [
    { what: 'contents', onHost: () => writeFileSync(join(dir, 'edit.txt'), 'v2'), inContainer: '[ "$(cat /w/edit.txt)" = v2 ]' },
    { what: 'create', onHost: () => writeFileSync(join(dir, 'new.txt'), 'n'), inContainer: '[ -f /w/new.txt ]' },
    { what: 'delete', onHost: () => rmSync(join(dir, 'gone.txt')), inContainer: '[ ! -e /w/gone.txt ]' },
    { what: 'rename', onHost: () => renameSync(join(dir, 'old.txt'), join(dir, 'renamed.txt')), inContainer: '[ -f /w/renamed.txt ] && [ ! -e /w/old.txt ]' },
    { what: 'mode', onHost: () => chmodSync(join(dir, 'run.sh'), 0o755), inContainer: '[ -x /w/run.sh ]' },
    { what: 'symlink', onHost: () => symlinkSync('edit.txt', join(dir, 'link')), inContainer: '[ "$(readlink /w/link)" = edit.txt ]' },
  ];
}

/** Makes the files `hostChanges` and `containerChanges` act on. */
export function seedChanges(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of ['edit.txt', 'gone.txt', 'old.txt', 'run.sh', 'c-edit.txt', 'c-gone.txt', 'c-old.txt', 'c-run.sh']) writeFileSync(join(dir, f), 'v1');
  chmodSync(join(dir, 'run.sh'), 0o644);
  chmodSync(join(dir, 'c-run.sh'), 0o644);
}

/** Container changes of every kind (a shell command), and the host-side test that each has arrived. */
export function containerChanges(dir: string): { what: string; command: string; arrived: () => boolean }[] {
  const lmode = (f: string) => statSync(join(dir, f)).mode & 0o777;
  return [
    { what: 'contents', command: 'echo v2 > /w/c-edit.txt', arrived: () => readFileSync(join(dir, 'c-edit.txt'), 'utf8') === 'v2\n' },
    { what: 'create', command: 'echo n > /w/c-new.txt', arrived: () => existsSync(join(dir, 'c-new.txt')) },
    { what: 'delete', command: 'rm /w/c-gone.txt', arrived: () => !existsSync(join(dir, 'c-gone.txt')) },
    { what: 'rename', command: 'mv /w/c-old.txt /w/c-renamed.txt', arrived: () => existsSync(join(dir, 'c-renamed.txt')) && !existsSync(join(dir, 'c-old.txt')) },
    { what: 'mode', command: 'chmod 755 /w/c-run.sh', arrived: () => lmode('c-run.sh') === 0o755 },
    { what: 'symlink', command: 'ln -s c-edit.txt /w/c-link', arrived: () => isLinkTo(join(dir, 'c-link'), 'c-edit.txt') },
  ];
}

function isLinkTo(p: string, target: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink() && readlinkSync(p) === target;
  } catch {
    return false;
  }
}

/**
 * Host → container: a reader already polling in the container (every 20 ms), so the time is
 * the change's, not docker exec's start; the exec's exit is the moment it saw it.
 */
export async function timeHostChange(dockerEnv: NodeJS.ProcessEnv, container: string, c: Change): Promise<number | undefined> {
  const reader = spawn('docker', ['exec', container, 'sh', '-c', `until ${c.inContainer}; do usleep 20000; done`], { env: dockerEnv, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => reader.on('exit', () => resolve()));
  // The reader's exec is running once docker has started it; under emulation that takes a while.
  await sleep(1500);
  const t0 = Date.now();
  c.onHost();
  const ms = await Promise.race([exited.then(() => Date.now() - t0), sleep(10_000).then(() => undefined)]);
  reader.kill();
  return ms;
}

/**
 * Container → host: the container makes the change and at once creates a marker in a plain
 * shared folder, which 9p writes through to the host as it happens (its mtime is that
 * moment, on the host's clock); the time runs from the marker's mtime to when the host saw the
 * change, watched for from before the exec starts.
 */
export async function timeContainerChange(
  dockerEnv: NodeJS.ProcessEnv,
  container: string,
  markers: string,
  n: number,
  change: { command: string; arrived: () => boolean },
): Promise<number | undefined> {
  const marker = join(markers, `done-${n}`);
  const exec = spawn('docker', ['exec', container, 'sh', '-c', `${change.command} && : > /m/done-${n}`], { env: dockerEnv, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => exec.on('exit', () => resolve()));
  const seen = await within(change.arrived, 15_000);
  const at = Date.now();
  await exited;
  if (seen === undefined || !existsSync(marker)) return undefined;
  return Math.max(0, at - statSync(marker).mtimeMs);
}

/** The statuses `berth sync --json` prints. */
export function syncStatus(berth: (args: string[]) => { stdout: string }): SyncFolderStatus[] {
  try {
    return JSON.parse(berth(['sync', '--json']).stdout) as SyncFolderStatus[];
  } catch {
    return [];
  }
}
