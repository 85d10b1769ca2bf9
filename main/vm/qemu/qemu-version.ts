import { runCommand, type RunCommand } from '../host-facts';

/** A QEMU release, as `qemu-system-* --version` prints it. */
export interface QemuVersion {
  major: number;
  minor: number;
  micro: number;
  /** The whole first line, e.g. "QEMU emulator version 7.2.15 (Debian 1:7.2+dfsg-7+deb12u13)". */
  text: string;
}

/** An unknown version counts as the oldest: every rule that needs a newer QEMU then stays off. */
export const UNKNOWN_QEMU: QemuVersion = { major: 0, minor: 0, micro: 0, text: 'unknown' };

/** Reads the version from `--version` output. */
export function parseQemuVersion(output: string): QemuVersion {
  const line = output.split('\n')[0]?.trim() ?? '';
  const m = /version (\d+)\.(\d+)(?:\.(\d+))?/.exec(line);
  if (!m) return { ...UNKNOWN_QEMU, text: line || 'unknown' };
  return { major: Number(m[1]), minor: Number(m[2]), micro: Number(m[3] ?? 0), text: line };
}

/** True when `v` is `major.minor` or newer. */
export function atLeast(v: QemuVersion, major: number, minor = 0): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** `major.minor.micro`, for messages and keys. */
export function versionString(v: QemuVersion): string {
  return v === UNKNOWN_QEMU || v.text === 'unknown' ? 'unknown' : `${v.major}.${v.minor}.${v.micro}`;
}

/** Runs `qemu --version` once; a QEMU that will not say is UNKNOWN_QEMU. */
export function readQemuVersion(qemu: string, run: RunCommand = runCommand): QemuVersion {
  const r = run(qemu, ['--version']);
  return r.status === 0 ? parseQemuVersion(r.stdout) : UNKNOWN_QEMU;
}
