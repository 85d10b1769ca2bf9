import { mkdirSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SettingsError, SettingsStore } from './settings-store';

const limits = { cpus: 4, memoryMiB: 8192 };
const fresh = () => new SettingsStore(join(mkdtempSync(join(tmpdir(), 'berth-set-')), 'settings.json'), limits);

describe('SettingsStore', () => {
  test('defaults: 2 CPUs, 2 GiB, 64 GiB disk, automatic engine port', () => {
    expect(fresh().load().settings).toMatchObject({ cpus: 2, memoryMiB: 2048, diskGiB: 64, enginePort: 0, socketPath: '' });
  });

  test('a valid change is stored; a bad one is refused with a clear message and the file is untouched', () => {
    const s = fresh();
    s.update({ cpus: 3 });
    const before = readFileSync(s.path, 'utf8');
    expect(() => s.update({ memoryMiB: 0 })).toThrow(/memoryMiB must be at least 512/);
    expect(() => s.update({ cpus: 64 })).toThrow(/cpus must be at most 4, the number of CPUs this machine has/);
    expect(() => s.update({ cpus: 1.5 })).toThrow(SettingsError);
    expect(() => s.update({ enginePort: 80 })).toThrow(/0 \(automatic\) or 1024–65535/);
    expect(() => s.update({ socketPath: 'relative/docker.sock' })).toThrow(/absolute path/);
    expect(() => s.update({ qemuPath: 'homebrew/bin' })).toThrow('qemuPath must be an absolute path, or empty to search PATH and the usual places');
    expect(() => s.update({ bogus: 1 } as never)).toThrow(/unknown setting: bogus/);
    expect(readFileSync(s.path, 'utf8')).toBe(before);
    expect(s.load().settings.cpus).toBe(3);
  });

  test('a corrupt file is backed up and the defaults are used', () => {
    const s = fresh();
    writeFileSync(s.path, '{ "cpus": 2, oops');
    const r = s.load();
    expect(r.settings.cpus).toBe(2);
    expect(r.recovered?.reason).toMatch(/not valid JSON/);
    expect(readFileSync(r.recovered!.backup, 'utf8')).toBe('{ "cpus": 2, oops');
    expect(existsSync(s.path)).toBe(false);
  });

  test('out-of-range stored values count as corrupt too, and are kept in the backup', () => {
    const s = fresh();
    writeFileSync(s.path, JSON.stringify({ cpus: 0 }));
    const r = s.load();
    expect(r.recovered?.reason).toMatch(/cpus must be at least 1/);
    expect(readdirSync(join(s.path, '..')).some((f) => f.startsWith('settings.json.corrupt-'))).toBe(true);
  });

  test('CLI strings are coerced to the key type', () => {
    const s = fresh();
    expect(s.coerce('cpus', '4')).toBe(4);
    expect(s.coerce('stopVmOnQuit', 'false')).toBe(false);
    expect(s.coerce('sharedPaths', '/a, /b')).toEqual(['/a', '/b']);
    expect(() => s.update({ sharedPaths: ['rel'] })).toThrow(/absolute paths/);
    expect(() => s.coerce('stopVmOnQuit', 'yes')).toThrow(/true or false/);
    expect(() => s.coerce('nope', '1')).toThrow(/unknown setting: nope/);
  });

  test('a settings.json that is a directory gives the defaults and a note; the agent still starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-set-dir-'));
    const path = join(dir, 'settings.json');
    mkdirSync(path);
    const loaded = new SettingsStore(path, limits).load();
    expect(loaded.settings.cpus).toBe(2);
    expect(loaded.recovered?.reason).toBe('unreadable (EISDIR)');
    expect(loaded.recovered?.backup).toMatch(/settings\.json\.corrupt-/);
  });
});
