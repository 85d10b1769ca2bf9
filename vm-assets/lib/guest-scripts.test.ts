import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BOOT_STAGES } from '../../main/link/guest';

const guest = join(__dirname, '..', 'guest');
const read = (p: string) => readFileSync(join(guest, p), 'utf8');
const stages = (text: string) => [...text.matchAll(/\bmark stage=([a-z-]+)/g)].map((m) => m[1]);

describe('guest scripts', () => {
  test("the boot stages they mark are the host's BOOT_STAGES, in order", () => {
    expect([...stages(read('initrd/init')), ...stages(read('rootfs/etc/berth/rc.boot'))]).toEqual([...BOOT_STAGES]);
  });

  test('markers and disk serials come from the shared library, filled from main/link/guest.ts', () => {
    for (const script of ['initrd/init', 'rootfs/etc/berth/rc.boot', 'rootfs/etc/berth/rc.shutdown']) {
      const text = read(script);
      expect(text, script).not.toMatch(/BERTH-BOOT|berth-root|serial=|find_disk\(\)/);
      expect(text, script).toMatch(/^\. \/(usr\/)?lib\/(berth\/)?berth-lib\.sh$/m);
    }
    const lib = read('common/berth-lib.sh');
    for (const token of ['@BOOT_MARKER@', '@DISK_SERIAL_ROOT@', '@DISK_SERIAL_DATA@']) expect(lib).toContain(token);
  });
});

describe('live-changes.sh, run by busybox sh on the host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-live-sh-'));
  const live = join(dir, 'live');
  // Its folder is the test's own, and GNU dd is the host's.
  const script = read('rootfs/etc/berth/live-changes.sh').replaceAll('/run/berth/live', live).replace('/usr/lib/berth/gnu-dd', '/usr/bin/dd');
  const ctime = (p: string) => statSync(p, { bigint: true }).ctimeNs;
  const mtime = (p: string) => statSync(p, { bigint: true }).mtimeNs;

  test("raises each changed path's event with a chown to its own owner, a gone path's on its folder, and skips what a container just changed", async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'src'), { recursive: true });
    mkdirSync(join(tree, 'src/new-dir'));
    for (const f of ['edited.js', 'own.js', 'old-own.js', 'new-dir/in-new.js']) writeFileSync(join(tree, 'src', f), f);
    const before = Object.fromEntries(['edited.js', 'own.js', 'old-own.js', 'new-dir/in-new.js', ''].map((f) => [f, { c: ctime(join(tree, 'src', f)), m: mtime(join(tree, 'src', f)) }]));
    await new Promise((r) => setTimeout(r, 20));
    // The recorder's lines: own.js changed by a container now, old-own.js long ago.
    const now = Math.floor(Date.now() / 1000);
    const record = `${now} ${tree}/src/own.js\n${now - 60} ${tree}/src/old-own.js\n${now} ${tree}/src/new-dir\n`;
    const paths = ['edited.js', 'own.js', 'old-own.js', 'deleted.js', 'new-dir/in-new.js'].map((f) => join(tree, 'src', f)).join('\t');
    // Busybox's applets only, as in the guest.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    execFileSync('/bin/busybox', ['--install', '-s', bin]);
    // The batch as rc.control leaves it: the counted block, tab-separated, with its newline.
    const script2 = `${script}\nprintf '%s' "$REC" > ${live}/local\nprintf '%s\\n' "$PATHS" > ${live}/batch\nlive_changed ${now}`;
    execFileSync('/bin/busybox', ['sh', '-c', script2], { env: { REC: record, PATHS: paths, PATH: bin } });
    const stamps = (f: string) => ({ c: ctime(join(tree, 'src', f)), m: mtime(join(tree, 'src', f)) });
    expect(stamps('edited.js').c).not.toBe(before['edited.js']!.c);
    expect(stamps('edited.js').m).toBe(before['edited.js']!.m);
    expect(stamps('old-own.js').c).not.toBe(before['old-own.js']!.c);
    expect(stamps('own.js').c).toBe(before['own.js']!.c);
    // In a folder the container just made: its own too.
    expect(stamps('new-dir/in-new.js').c).toBe(before['new-dir/in-new.js']!.c);
    // deleted.js is gone: its folder raises the event, keeping the folder's mtime.
    expect(stamps('').c).not.toBe(before['']!.c);
    expect(stamps('').m).toBe(before['']!.m);
  });
});
