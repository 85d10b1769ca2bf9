import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { locateQemu, loginShellPath, type QemuSearch } from './qemu-locator';

/** Folders with fake QEMU programs (empty executables) in a temp root. */
function fakeDirs(layout: Record<string, string[]>): Record<string, string> {
  const root = mkdtempSync(join(tmpdir(), 'berth-qemu-'));
  const dirs: Record<string, string> = {};
  for (const [name, programs] of Object.entries(layout)) {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    for (const p of programs) {
      writeFileSync(join(dir, p), '#!/bin/sh\n');
      chmodSync(join(dir, p), 0o755);
    }
    dirs[name] = dir;
  }
  return dirs;
}

const BIN = 'qemu-system-aarch64';
const both = [BIN, 'qemu-img'];

describe('locateQemu', () => {
  const d = fakeDirs({ brew: both, ports: both, onlyImg: ['qemu-img'], empty: [], login: both });
  const search = (o: Partial<QemuSearch>): QemuSearch => ({
    binary: BIN,
    path: `${d.empty}:${d.onlyImg}`,
    knownDirs: [d.brew, d.ports],
    loginShellPath: async () => undefined,
    platform: 'darwin',
    ...o,
  });

  test('an app started from Finder (launchd PATH) finds Homebrew QEMU in a known location', async () => {
    expect(await locateQemu(search({}))).toEqual({ dir: d.brew, source: 'known location' });
  });

  test('PATH comes first, and both programs must be in the same folder', async () => {
    expect(await locateQemu(search({ path: `${d.onlyImg}:${d.ports}` }))).toEqual({ dir: d.ports, source: 'PATH' });
  });

  test('the login shell PATH is asked last, only when nothing else has QEMU: -lc first, then -ilc', async () => {
    const asked: string[] = [];
    const loginShellPath = async (flags: string) => (asked.push(flags), flags === '-ilc' ? d.login : d.empty);
    expect(await locateQemu(search({ loginShellPath }))).toEqual({ dir: d.brew, source: 'known location' });
    expect(asked).toEqual([]);
    expect(await locateQemu(search({ knownDirs: [], loginShellPath }))).toEqual({ dir: d.login, source: 'login shell PATH' });
    expect(asked).toEqual(['-lc', '-ilc']);
  });

  test('the qemuPath setting wins, as a folder or as the binary; a wrong one is an error, not a silent search', async () => {
    expect(await locateQemu(search({ setting: d.ports }))).toEqual({ dir: d.ports, source: 'qemuPath setting' });
    expect(await locateQemu(search({ setting: join(d.ports, BIN) }))).toEqual({ dir: d.ports, source: 'qemuPath setting' });
    await expect(locateQemu(search({ setting: d.onlyImg }))).rejects.toThrow(/qemuPath is .*onlyImg, but qemu-system-aarch64 and qemu-img are not both in .*berth config set qemuPath ""/);
  });

  test('missing everywhere: the error lists where Berth looked and how to install QEMU', async () => {
    await expect(locateQemu(search({ knownDirs: [d.empty] }))).rejects.toThrow(
      `qemu-system-aarch64 and qemu-img were not found. Berth looked in: ${d.empty}, ${d.onlyImg}. install it with: brew install qemu, or set qemuPath to the folder that holds them.`,
    );
  });
});

describe('loginShellPath', () => {
  test("reads the PATH a login shell sets up, whatever the shell's rc files print", async () => {
    const d = fakeDirs({ sh: [] });
    const shell = join(d.sh, 'chatty-sh');
    // A stand-in login shell: its profile prints a banner and sets PATH, then it runs the -ilc command.
    writeFileSync(shell, `#!/bin/sh\necho "welcome banner"\nPATH=/opt/homebrew/bin:/usr/bin\n[ "$1" = -lc ] || [ "$1" = -ilc ] && eval "$2"\n`);
    chmodSync(shell, 0o755);
    expect(await loginShellPath({ SHELL: shell }, '-lc')).toBe('/opt/homebrew/bin:/usr/bin');
    expect(await loginShellPath({ SHELL: shell }, '-ilc')).toBe('/opt/homebrew/bin:/usr/bin');
  });

  test('a shell that fails gives nothing', async () => {
    expect(await loginShellPath({ SHELL: '/nonexistent/shell' })).toBeUndefined();
  });
});
