import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BOOT_STAGES } from '../../main/link/guest';
import { hostBuiltTool } from '../../e2e/helpers/host-built-tool';

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

  test('virtio-serial ports are found by the shared library', () => {
    for (const script of ['rootfs/etc/berth/rc.control', 'rootfs/etc/berth/sync.sh']) {
      const text = read(script);
      expect(text, script).not.toContain('virtio-ports');
      expect(text, script).toMatch(/^\. \/usr\/lib\/berth\/berth-lib\.sh$/m);
      expect(text, script).toMatch(/\bfind_port @[A-Z_]+@/);
    }
    // The library's find_port, run by busybox sh on the host over a stand-in for /sys's ports.
    const sys = mkdtempSync(join(tmpdir(), 'berth-ports-'));
    for (const [port, name] of [
      ['vport0p1', 'berth.other'],
      ['vport0p2', 'berth.control'],
    ]) {
      mkdirSync(join(sys, port!));
      writeFileSync(join(sys, port!, 'name'), `${name}\n`);
    }
    const lib = read('common/berth-lib.sh').replace('/sys/class/virtio-ports/', `${sys}/`);
    const find = (name: string) => execFileSync('/bin/busybox', ['sh', '-c', `${lib}\nfind_port ${name} && echo "$dev" || echo none`], { encoding: 'utf8' }).trim();
    expect(find('berth.control')).toBe('/dev/vport0p2');
    expect(find('berth.missing')).toBe('none');
  });
});

describe('live-changes.sh, run by busybox sh on the host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-live-sh-'));
  const live = join(dir, 'live');
  // Its folder is the test's own, GNU dd is the host's, and own-changes is built for the host.
  const script = read('rootfs/etc/berth/live-changes.sh')
    .replaceAll('/run/berth/live', live)
    .replace('/usr/lib/berth/gnu-dd', '/usr/bin/dd')
    .replace('/usr/lib/berth/own-changes', hostBuiltTool('own-changes'));
  const ctime = (p: string) => statSync(p, { bigint: true }).ctimeNs;
  const mtime = (p: string) => statSync(p, { bigint: true }).mtimeNs;

  // Busybox's applets only, as in the guest.
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  execFileSync('/bin/busybox', ['--install', '-s', bin]);
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

  describe('a batch costs a few process starts, not a few a path', () => {
    // Counting stand-ins for stat, chown and GNU dd: each logs its start, then runs the real one.
    const counted = join(dir, 'counted');
    mkdirSync(counted);
    const log = join(dir, 'starts.log');
    for (const [name, real] of [
      ['stat', '/bin/busybox stat'],
      ['chown', '/bin/busybox chown'],
      ['gnu-dd', '/usr/bin/dd'],
    ]) {
      writeFileSync(join(counted, name!), `#!/bin/busybox sh\necho ${name} >> ${log}\nexec ${real} "$@"\n`);
      chmodSync(join(counted, name!), 0o755);
    }
    const drop = join(dir, 'drop-pages');
    /** Runs live_changed on the paths; the process starts it made, and what it wrote to drop_caches. */
    const changed = (paths: string[]) => {
      writeFileSync(log, '');
      writeFileSync(drop, '');
      // The batch as rc.control leaves it (too long for an environment variable).
      mkdirSync(live, { recursive: true });
      writeFileSync(join(live, 'batch'), `${paths.join('\t')}\n`);
      // By path: busybox runs its own applets without looking at PATH.
      const body = script
        .replace('/usr/bin/dd', join(counted, 'gnu-dd'))
        .replaceAll(/\b(stat -c|chown -h)/g, `${counted}/$1`)
        .replaceAll('/proc/sys/vm/drop_caches', drop);
      execFileSync('/bin/busybox', ['sh', '-c', `${body}\nlive_changed`], { env: { PATH: bin } });
      const starts = readFileSync(log, 'utf8').trim().split('\n');
      const count = (n: string) => starts.filter((s) => s === n).length;
      return { stat: count('stat'), chown: count('chown'), dd: count('gnu-dd'), dropped: readFileSync(drop, 'utf8').trim() };
    };
    const ctime = (p: string) => lstatSync(p, { bigint: true }).ctimeNs;

    test('a checkout: one stat, one chown an owner, one drop of clean pages; each owner kept, links and gone paths raised on their folder', () => {
      const tree = join(dir, 'checkout');
      mkdirSync(join(tree, 'a b'), { recursive: true });
      const files = Array.from({ length: 3000 }, (_, i) => join(tree, 'a b', `f ${i}.js`));
      for (const f of files) writeFileSync(f, 'x');
      chownSync(files[0]!, 4321, 4321);
      symlinkSync('f 1.js', join(tree, 'a b', 'link'));
      mkdirSync(join(tree, 'gone'));
      const was = { file: ctime(files[2999]!), link: ctime(join(tree, 'a b', 'link')), folder: ctime(join(tree, 'gone')) };
      const n = changed([...files, join(tree, 'a b', 'link'), join(tree, 'gone', 'x.js')]);
      // xargs splits a long list over a few starts (chown: two owners, then the folders); one a path would be thousands.
      expect(n.stat).toBeLessThan(5);
      expect(n.chown).toBeLessThan(8);
      expect(n).toMatchObject({ dd: 0, dropped: '1' });
      expect(ctime(files[2999]!)).not.toBe(was.file);
      expect(statSync(files[0]!).uid).toBe(4321);
      expect(ctime(join(tree, 'a b', 'link'))).toBe(was.link);
      expect(ctime(join(tree, 'gone'))).not.toBe(was.folder);
    });

    test('an edit of a few files: a dd each, and the rest of the cache kept', () => {
      const tree = join(dir, 'edit');
      mkdirSync(tree, { recursive: true });
      const files = ['a.js', 'b.js', 'c.js'].map((f) => join(tree, f));
      for (const f of files) writeFileSync(f, 'x');
      const n = changed([...files, tree]);
      expect(n).toEqual({ stat: 1, chown: 1, dd: 3, dropped: '' });
    });
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
