import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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

  // Busybox's applets only, as in the guest, and inotify-tools' inotifywait.
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  execFileSync('/bin/busybox', ['--install', '-s', bin]);
  symlinkSync('/usr/bin/inotifywait', join(bin, 'inotifywait'));
  const sh = (body: string, env: Record<string, string> = {}) => execFileSync('/bin/busybox', ['sh', '-c', `${script}\n${body}`], { env: { ...env, PATH: bin }, encoding: 'utf8' });

  test("raises each changed path's event with a chown to its own owner, and a gone path's on its folder", async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'src'), { recursive: true });
    writeFileSync(join(tree, 'src/edited.js'), 'x');
    const before = Object.fromEntries(['edited.js', ''].map((f) => [f, { c: ctime(join(tree, 'src', f)), m: mtime(join(tree, 'src', f)) }]));
    await new Promise((r) => setTimeout(r, 20));
    const paths = ['edited.js', 'deleted.js'].map((f) => join(tree, 'src', f)).join('\t');
    // The batch as rc.control leaves it: the counted block, tab-separated, with its newline.
    sh(`printf '%s\\n' "$PATHS" > ${live}/batch\nlive_changed`, { PATHS: paths });
    const stamps = (f: string) => ({ c: ctime(join(tree, 'src', f)), m: mtime(join(tree, 'src', f)) });
    expect(stamps('edited.js').c).not.toBe(before['edited.js']!.c);
    expect(stamps('edited.js').m).toBe(before['edited.js']!.m);
    // deleted.js is gone: its folder raises the event, keeping the folder's mtime.
    expect(stamps('').c).not.toBe(before['']!.c);
    expect(stamps('').m).toBe(before['']!.m);
  });

  test('on a virtio-fs share, drops the cached names when some are gone and when a folder starts to be watched; never on 9p', () => {
    const tree = join(dir, 'forget');
    mkdirSync(tree, { recursive: true });
    const mounts = join(dir, 'mounts');
    const drop = join(dir, 'drop_caches');
    const run = (mountType: string, body: string) => {
      writeFileSync(mounts, `berth0 /home ${mountType} rw 0 0\n`);
      writeFileSync(drop, '');
      execFileSync('/bin/busybox', ['sh', '-c', `${script.replaceAll('/proc/mounts', mounts).replaceAll('/proc/sys/vm/drop_caches', drop)}\n${body}`], { env: { PATH: bin } });
      return readFileSync(drop, 'utf8').trim();
    };
    const batch = `printf '%s\\n' "${tree}" > ${live}/batch`;
    expect(run('virtiofs', `${batch}; live_changed 1`)).toBe('2');
    expect(run('virtiofs', `${batch}; live_changed 0`)).toBe('');
    expect(run('9p', `${batch}; live_changed 1`)).toBe('');
    expect(run('virtiofs', `exec 4>/dev/null; live_watch "${tree}"; live_stop`)).toBe('2');
    // The same folders again: nothing new is watched, nothing is dropped.
    expect(run('virtiofs', `exec 4>/dev/null; live_watch "${tree}"; live_stop`)).toBe('');
  });

  test("streams a container's own changes on fd 4, a path a line, then the mark once touched; a raised event is not among them", () => {
    const tree = join(dir, 'watched');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'sub/old.js'), 'x');
    const out = join(dir, 'own-port');
    sh(
      [
        `exec 4>${out}`,
        `live_watch "${tree}\t"`,
        'sleep 0.5',
        `echo 1 > ${tree}/sub/new.js; mkdir ${tree}/made; rm ${tree}/sub/old.js`,
        `printf '%s\\n' "${tree}/sub/new.js" > ${live}/batch; live_changed`,
        `: > ${live}/mark`,
        'sleep 0.5',
        'live_stop',
      ].join('\n'),
    );
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toEqual([`${tree}/sub/new.js`, `${tree}/sub/new.js`, `${tree}/made`, `${tree}/sub/old.js`, `${live}/mark`]);
  });
});
