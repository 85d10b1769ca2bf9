import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { isExecutable } from '../../common/executables';
import { delimiter, dirname, join } from 'node:path';

/** How to install QEMU, per platform, for error messages. */
export function qemuInstallHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'install it with: brew install qemu';
  return 'install it with: sudo apt-get install qemu-system-x86 qemu-utils (Debian/Ubuntu) or sudo dnf install qemu-kvm qemu-img (Fedora)';
}

/**
 * Where QEMU is usually installed when it is not on PATH. An app started from
 * Finder or at login gets launchd's PATH (/usr/bin:/bin:/usr/sbin:/sbin), which
 * has neither Homebrew's folders nor MacPorts'.
 */
export const KNOWN_QEMU_DIRS: Partial<Record<NodeJS.Platform, readonly string[]>> = {
  darwin: ['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin'],
  linux: ['/usr/bin', '/usr/local/bin'],
};

/** What the search is given; everything is injected so tests do not depend on this host. */
export interface QemuSearch {
  /** qemu-system-x86_64 or qemu-system-aarch64. */
  binary: string;
  /** The qemuPath setting: the folder holding QEMU's programs, or the qemu-system binary itself. */
  setting?: string;
  path: string;
  knownDirs: readonly string[];
  /** The user's login-shell PATH with these flags (`-lc`, then `-ilc`), asked only when nothing else has QEMU. */
  loginShellPath: (flags: LoginShellFlags) => Promise<string | undefined>;
  platform: NodeJS.Platform;
}

/** Where QEMU was found, and why there. */
export interface QemuLocation {
  dir: string;
  source: 'qemuPath setting' | 'PATH' | 'known location' | 'login shell PATH';
}

/** Both programs Berth runs must come from one installation. */
const hasQemu = (dir: string, binary: string) => isExecutable(join(dir, binary)) && isExecutable(join(dir, 'qemu-img'));

function settingDir(setting: string): string {
  try {
    return statSync(setting).isDirectory() ? setting : dirname(setting);
  } catch {
    return setting;
  }
}

/**
 * Finds the folder holding QEMU: the qemuPath setting if set (and only it),
 * else PATH, the known locations, then the login shell's PATH. The error says
 * everywhere it looked and how to install QEMU.
 */
export async function locateQemu(s: QemuSearch): Promise<QemuLocation> {
  const tools = `${s.binary} and qemu-img`;
  if (s.setting) {
    const dir = settingDir(s.setting);
    if (hasQemu(dir, s.binary)) return { dir, source: 'qemuPath setting' };
    throw new Error(
      `qemuPath is ${s.setting}, but ${tools} are not both in ${dir}. Set qemuPath to the folder that holds them, or clear it (berth config set qemuPath "") to search the usual places.`,
    );
  }
  const split = (p: string) => p.split(delimiter).filter(Boolean);
  const looked: string[] = [];
  // A login shell first (the profile, where Homebrew's shellenv goes), then an interactive one (the rc file).
  const tries: [QemuLocation['source'], () => Promise<string[]>][] = [
    ['PATH', async () => split(s.path)],
    ['known location', async () => [...s.knownDirs]],
    ['login shell PATH', async () => split((await s.loginShellPath('-lc')) ?? '')],
    ['login shell PATH', async () => split((await s.loginShellPath('-ilc')) ?? '')],
  ];
  for (const [source, dirs] of tries) {
    for (const dir of await dirs()) {
      if (looked.includes(dir)) continue;
      looked.push(dir);
      if (hasQemu(dir, s.binary)) return { dir, source };
    }
  }
  throw new Error(`${tools} were not found. Berth looked in: ${looked.join(', ') || '(nowhere)'}. ${qemuInstallHint(s.platform)}, or set qemuPath to the folder that holds them.`);
}

/** How long the login shell may take to print its PATH; a slow rc file must not stall a start for long. */
const LOGIN_SHELL_TIMEOUT_MS = 5000;
const MARK = '__BERTH_PATH__';

/** How the login shell is asked: `-lc` reads the profile only; `-ilc` the rc file too. */
export type LoginShellFlags = '-lc' | '-ilc';

/**
 * The PATH a login shell of the user's sets up (Homebrew's shellenv lives in
 * ~/.zprofile). Asked without blocking, with a bounded wait; undefined if it
 * fails or takes too long.
 */
export function loginShellPath(env: NodeJS.ProcessEnv = process.env, flags: LoginShellFlags = '-lc'): Promise<string | undefined> {
  const shell = env.SHELL || '/bin/sh';
  return new Promise((resolve) => {
    const child = execFile(shell, [flags, `printf '${MARK}%s${MARK}' "$PATH"`], { encoding: 'utf8', timeout: LOGIN_SHELL_TIMEOUT_MS }, (err, stdout) => {
      resolve(err || !stdout ? undefined : new RegExp(`${MARK}(.*)${MARK}`, 's').exec(stdout)?.[1]);
    });
    // An interactive shell that reads from its terminal must not wait for one.
    child.stdin?.end();
  });
}
