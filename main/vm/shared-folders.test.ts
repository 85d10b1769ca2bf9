import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { defaultTempShares, sharedFolders, writeMountList } from './shared-folders';

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
    expect(readFileSync(f, 'utf8')).toBe(`berth0\t${home}\nberth1\t${code}\nberth2\t/alias\n`);
  });

  test('the mount list is tag<TAB>path per line', () => {
    const f = join(root, 'mounts.tsv');
    writeMountList(f, sharedFolders(home, [code]).folders);
    expect(readFileSync(f, 'utf8')).toBe(`berth0\t${home}\nberth1\t${code}\n`);
  });
});
