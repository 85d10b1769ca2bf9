import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { sharedFolders, writeMountList } from './shared-folders';

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

  test('the mount list is tag<TAB>path per line', () => {
    const f = join(root, 'mounts.tsv');
    writeMountList(f, sharedFolders(home, [code]).folders);
    expect(readFileSync(f, 'utf8')).toBe(`berth0\t${home}\nberth1\t${code}\n`);
  });
});
