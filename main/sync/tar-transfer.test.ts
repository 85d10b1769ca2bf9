import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { describe, expect, test } from 'vitest';
import { hostState, hostTree } from './host-state';
import { packEntries, unpackInto } from './tar-transfer';

/** A tar made by hand, as a guest could send one. */
async function tarOf(entries: { name: string; type?: 'file' | 'directory' | 'symlink'; body?: string; linkname?: string; mode?: number }[]): Promise<Buffer> {
  const p = pack();
  const parts: Buffer[] = [];
  p.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((r) => p.on('end', r));
  for (const e of entries) p.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.mode ?? 0o644, mtime: new Date(1_700_000_000_000) }, e.body ?? '');
  p.finalize();
  await done;
  return Buffer.concat(parts);
}

describe('files as tars', () => {
  test('what the host packs comes back whole: files with modes and mtimes, folders, links', async () => {
    const from = mkdtempSync(join(tmpdir(), 'berth-tar-from-'));
    const to = mkdtempSync(join(tmpdir(), 'berth-tar-to-'));
    mkdirSync(join(from, 'src'), { mode: 0o750 });
    writeFileSync(join(from, 'src/a.js'), 'a', { mode: 0o755 });
    symlinkSync('src/a.js', join(from, 'link'));
    const entries = [...hostTree(from)].filter(([rel]) => rel).map(([rel, state]) => ({ rel, state }));
    const { tar, sent } = await packEntries(from, entries);
    expect(sent).toHaveLength(3);
    const r = await unpackInto(to, tar);
    expect(r.refused).toEqual([]);
    for (const rel of ['src', 'src/a.js', 'link']) expect(hostState(to, rel), rel).toEqual(hostState(from, rel));
  });

  test('an entry that would leave the folder, or pass through a link on the host, is refused and nothing is written outside', async () => {
    const root = mkdtempSync(join(tmpdir(), 'berth-tar-root-'));
    const outside = mkdtempSync(join(tmpdir(), 'berth-tar-outside-'));
    symlinkSync(outside, join(root, 'escape'));
    const tar = await tarOf([
      { name: '../evil.txt', body: 'x' },
      { name: 'escape/evil.txt', body: 'x' },
      { name: '/etc/evil', body: 'x' },
      { name: 'fine.txt', body: 'ok' },
    ]);
    const r = await unpackInto(root, tar);
    expect(r.written).toEqual(['fine.txt']);
    expect(r.refused.sort()).toEqual(['../evil.txt', '/etc/evil', 'escape/evil.txt'].sort());
    expect(readFileSync(join(root, 'fine.txt'), 'utf8')).toBe('ok');
    expect(() => statSync(join(outside, 'evil.txt'))).toThrow();
    expect(readlinkSync(join(root, 'escape'))).toBe(outside);
  });

  test('a conflict copy is written under its own name, and a link replaces a file in one rename', async () => {
    const root = mkdtempSync(join(tmpdir(), 'berth-tar-conflict-'));
    writeFileSync(join(root, 'notes.txt'), 'host');
    await unpackInto(root, await tarOf([{ name: 'notes.txt', body: 'vm' }]), () => 'notes (VM conflict).txt');
    expect(readFileSync(join(root, 'notes.txt'), 'utf8')).toBe('host');
    expect(readFileSync(join(root, 'notes (VM conflict).txt'), 'utf8')).toBe('vm');
    await unpackInto(root, await tarOf([{ name: 'notes.txt', type: 'symlink', linkname: 'other' }]));
    expect(lstatSync(join(root, 'notes.txt')).isSymbolicLink()).toBe(true);
  });
});
