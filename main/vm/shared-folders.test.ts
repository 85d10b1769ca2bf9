import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { defaultTempShares, sharedFolders, writeMountList } from './shared-folders';
import { DEFAULT_SHARE_OPTIONS, describeShareOptions, guestMount, shareOptionsFrom } from './share-options';

describe('sharedFolders', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-share-'));
  const home = join(root, 'home');
  const code = join(root, 'code');
  mkdirSync(join(home, 'proj'), { recursive: true });
  mkdirSync(code);

  test('home first, extra paths after, nested and duplicate paths folded, missing ones skipped', () => {
    const r = sharedFolders(home, [code, join(home, 'proj'), join(root, 'missing'), code]);
    expect(r.folders).toEqual([
      { tag: 'berth0', hostPath: home },
      { tag: 'berth1', hostPath: code },
    ]);
    expect(r.skipped).toEqual([join(root, 'missing')]);
  });

  test('temp folders are shared by default; on macOS under both of their names', () => {
    expect(defaultTempShares('linux', '/tmp')).toEqual({ paths: ['/tmp', '/tmp'], aliases: {} });
    const mac = defaultTempShares('darwin', '/var/folders/xy/T');
    expect(mac.paths).toEqual(['/private/tmp', '/var/folders', '/var/folders/xy/T']);
    const r = sharedFolders(home, [code], { [code]: ['/alias'] });
    expect(r.folders).toEqual([
      { tag: 'berth0', hostPath: home },
      { tag: 'berth1', hostPath: code },
      { tag: 'berth2', hostPath: code, guestPath: '/alias' },
    ]);
    const f = join(root, 'aliases.tsv');
    writeMountList(f, r.folders);
    const o = guestMount(DEFAULT_SHARE_OPTIONS);
    expect(readFileSync(f, 'utf8')).toBe(`berth0\t${home}\t${o}\nberth1\t${code}\t${o}\nberth2\t/alias\t${o}\n`);
  });

  test('the mount list is tag<TAB>path<TAB>type<TAB>options per line: 9p with its options, or virtio-fs', () => {
    const f = join(root, 'mounts.tsv');
    writeMountList(f, sharedFolders(home, [code]).folders, guestMount(shareOptionsFrom('cache=loose,msize=1024')));
    const o = '9p\ttrans=virtio,version=9p2000.L,msize=1048576,cache=loose,access=client';
    expect(readFileSync(f, 'utf8')).toBe(`berth0\t${home}\t${o}\nberth1\t${code}\t${o}\n`);
    writeMountList(f, sharedFolders(home, []).folders, guestMount(DEFAULT_SHARE_OPTIONS, 'virtiofs'));
    expect(readFileSync(f, 'utf8')).toBe(`berth0\t${home}\tvirtiofs\tdefaults\n`);
  });
});

describe('hidden folders in the mount list', () => {
  test("Berth's folders inside a share are listed to hide, under every name the guest mounts them by; others are not", () => {
    const f = join(mkdtempSync(join(tmpdir(), 'berth-hide-')), 'mounts.tsv');
    const folders = [
      { tag: 'berth0', hostPath: '/home/u' },
      { tag: 'berth1', hostPath: '/private/tmp' },
      { tag: 'berth2', hostPath: '/private/tmp', guestPath: '/tmp' },
    ];
    writeMountList(f, folders, undefined, ['/home/u/.berth', '/private/tmp/x/berth-home', '/opt/elsewhere']);
    const hide = readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('hide\t'));
    expect(hide).toEqual(['hide\t/home/u/.berth', 'hide\t/private/tmp/x/berth-home', 'hide\t/tmp/x/berth-home']);
  });
});

describe('shareOptionsFrom', () => {
  test('reads each option over the default, and refuses an unknown key or value naming the valid ones', () => {
    expect(shareOptionsFrom(undefined)).toEqual(DEFAULT_SHARE_OPTIONS);
    expect(shareOptionsFrom('security_model=mapped-xattr,cache=loose')).toEqual({ ...DEFAULT_SHARE_OPTIONS, securityModel: 'mapped-xattr', cache: 'loose' });
    expect(() => shareOptionsFrom('cache=fast')).toThrow(/cache=none\|mmap\|readahead\|loose/);
    expect(() => shareOptionsFrom('msize=1')).toThrow(/msize=<8-4096 KiB>/);
    expect(() => shareOptionsFrom('posixacl')).toThrow(/"posixacl"/);
  });

  test('takes the transport when one is asked, and describes the one a boot chose', () => {
    expect(shareOptionsFrom('transport=9p').transport).toBe('9p');
    expect(shareOptionsFrom('transport=virtiofs').transport).toBe('virtiofs');
    expect(() => shareOptionsFrom('transport=nfs')).toThrow(/transport=9p\|virtiofs/);
    expect(describeShareOptions(DEFAULT_SHARE_OPTIONS)).toMatch(/^9p, security_model=none, cache=0x7/);
    expect(describeShareOptions(DEFAULT_SHARE_OPTIONS, 'virtiofs')).toBe('virtio-fs, virtiofsd cache=always');
  });
});

describe('synchronized folders in the mount list', () => {
  test('each gets a sync line after the shares (its copy is bound over the path once they are mounted), before the hidden folders', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'berth-sync-list-')), 'mounts.tsv');
    writeMountList(f, [{ tag: 'berth0', hostPath: '/home/u' }], guestMount(DEFAULT_SHARE_OPTIONS), ['/home/u/.berth'], [{ id: 'abc123def456', hostPath: '/home/u/code/webapp' }]);
    const kinds = readFileSync(f, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (l.startsWith('sync\t') ? l : l.split('\t')[0]));
    expect(kinds).toEqual(['berth0', 'sync\t/home/u/code/webapp\tabc123def456', 'hide']);
  });

  test('a synchronized path with a control character is refused, like a share', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'berth-sync-list-')), 'mounts.tsv');
    expect(() => writeMountList(f, [], undefined, [], [{ id: 'x', hostPath: '/home/u/a\nb' }])).toThrow(/control characters/);
  });
});
