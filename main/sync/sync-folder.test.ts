import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SyncShOnHost } from '../../e2e/helpers/sync-sh-host';
import { hostTree } from './host-state';
import { SyncFolder } from './sync-folder';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const open: { sh: SyncShOnHost; folder: SyncFolder }[] = [];

/** A host folder and the real sync.sh on this host, attached. */
function setup(files: Record<string, string> = {}, dir = mkdtempSync(join(tmpdir(), 'berth-sync-'))) {
  const host = join(dir, 'project');
  mkdirSync(host, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(host, rel, '..'), { recursive: true });
    writeFileSync(join(host, rel), text);
  }
  return start(dir, host);
}

function start(dir: string, host: string) {
  let folder: SyncFolder | undefined;
  const sh = new SyncShOnHost(dir, (abs) => folder?.guestChanged(abs));
  folder = new SyncFolder({ hostPath: host, journalDir: join(dir, 'journal'), log: quiet, budget: { max: 10_000, used: 0 }, copyRoot: sh.copies });
  open.push({ sh, folder });
  folder.attach(sh.wire);
  return { dir, host, copy: sh.copyOf(host), sh, folder };
}

afterEach(() => {
  for (const { sh, folder } of open.splice(0)) {
    folder.stop();
    sh.stop();
  }
});

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const same = (a: string, b: string) => JSON.stringify([...hostTree(a)]) === JSON.stringify([...hostTree(b)]);

describe('a synchronized folder, with the guest’s sync.sh run on this host', () => {
  test('the first reconcile copies the whole folder: files, folders, modes and links', async () => {
    const s = setup({ 'a.txt': 'a', 'src/b.js': 'b', 'deep/er/c': 'c' });
    chmodSync(join(s.host, 'a.txt'), 0o755);
    symlinkSync('src/b.js', join(s.host, 'link'));
    await until(() => s.folder.state === 'watching');
    expect(same(s.host, s.copy)).toBe(true);
    expect(s.folder.status()).toMatchObject({ ready: true, entries: 8 });
  });

  test('changes travel both ways: contents, creates, deletes, renames, modes and links', async () => {
    const s = setup({ 'a.txt': 'a', 'b.txt': 'b' });
    await until(() => s.folder.state === 'watching');
    writeFileSync(join(s.host, 'a.txt'), 'host edit');
    writeFileSync(join(s.copy, 'new-in-vm.txt'), 'from the vm');
    renameSync(join(s.host, 'b.txt'), join(s.host, 'renamed.txt'));
    chmodSync(join(s.copy, 'a.txt'), 0o700);
    await until(() => readFileSync(join(s.copy, 'a.txt'), 'utf8') === 'host edit' && same(s.host, s.copy));
    symlinkSync('a.txt', join(s.copy, 'to-a'));
    rmSync(join(s.copy, 'renamed.txt'));
    await until(() => same(s.host, s.copy) && readdirSync(s.host).includes('to-a'));
    expect(readdirSync(s.host).sort()).toEqual(['a.txt', 'new-in-vm.txt', 'to-a']);
  });

  test('a conflict keeps both versions: the host’s at the name, the VM’s beside it, and is shown', async () => {
    const s = setup({ 'notes.txt': 'base' });
    await until(() => s.folder.state === 'watching');
    s.folder.detach();
    writeFileSync(join(s.host, 'notes.txt'), 'host version');
    writeFileSync(join(s.copy, 'notes.txt'), 'vm version');
    s.folder.attach(s.sh.wire);
    await until(() => s.folder.state === 'watching' && s.folder.status().conflicts.length === 1);
    const c = s.folder.status().conflicts[0]!;
    expect(c.copy).toMatch(/^notes \(VM conflict \d{4}-\d\d-\d\d \d{6}\)\.txt$/);
    expect(readFileSync(join(s.host, c.copy), 'utf8')).toBe('vm version');
    expect(readFileSync(join(s.host, 'notes.txt'), 'utf8')).toBe('host version');
    await until(() => same(s.host, s.copy));
  });

  test('a host folder that vanishes pauses the sync and leaves the VM’s copy untouched', async () => {
    const s = setup({ 'keep.txt': 'k', 'src/x.js': 'x' });
    await until(() => s.folder.state === 'watching');
    renameSync(s.host, `${s.host}-moved`);
    await until(() => s.folder.state === 'paused');
    expect(s.folder.status().paused).toEqual({ kind: 'host-missing' });
    expect(readFileSync(join(s.copy, 'src/x.js'), 'utf8')).toBe('x');
    renameSync(`${s.host}-moved`, s.host);
    await until(() => s.folder.state === 'watching', 8000);
    expect(same(s.host, s.copy)).toBe(true);
  });

  test('a mass delete pauses until resumed, then applies', async () => {
    const files = Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`many/f${i}`, String(i)]));
    const s = setup({ ...files, 'other.txt': 'o' });
    await until(() => s.folder.state === 'watching', 20_000);
    rmSync(join(s.host, 'many'), { recursive: true });
    await until(() => s.folder.state === 'paused');
    expect(s.folder.status().paused).toMatchObject({ kind: 'mass-delete', side: 'vm' });
    expect(readdirSync(join(s.copy, 'many'))).toHaveLength(1100);
    s.folder.resume();
    await until(() => s.folder.state === 'watching' && same(s.host, s.copy), 20_000);
  }, 40_000);

  test('a reconcile after a crash mid-copy ends complete, and a lost VM copy is copied again from the host', async () => {
    const files = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`d${i % 7}/f${i}`, `content ${i}`]));
    const s = setup(files);
    // Killed at once: the first copy is partial, and its journal never written.
    await new Promise((r) => setTimeout(r, 150));
    s.sh.stop();
    s.folder.stop();
    const again = start(s.dir, s.host);
    await until(() => again.folder.state === 'watching', 20_000);
    expect(same(s.host, again.copy)).toBe(true);
    expect(readdirSync(s.host).filter((n) => n.includes('conflict'))).toEqual([]);
    // berth reset: the copy is gone; the host's side is the truth.
    again.sh.stop();
    again.folder.stop();
    rmSync(join(again.sh.copies), { recursive: true });
    const fresh = start(s.dir, s.host);
    await until(() => fresh.folder.state === 'watching', 20_000);
    expect(same(s.host, fresh.copy)).toBe(true);
    expect(hostTree(s.host).size).toBe(308);
  }, 60_000);
});

describe('the folder itself', () => {
  test('its own mode reaches the copy', async () => {
    const s = setup({ 'x.txt': 'x' });
    chmodSync(s.host, 0o700);
    await until(() => s.folder.state === 'watching');
    expect(statSync(s.copy).mode & 0o777).toBe(0o700);
  });
});
