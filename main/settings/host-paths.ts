import { posix } from 'node:path';

/**
 * Guest trees the engine and the guest's init need. Sharing a host folder at
 * one of these paths (or above one) would hide the VM's own files under it.
 */
const GUEST_SYSTEM_TREES = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/proc',
  '/run',
  '/sbin',
  '/sys',
  '/usr/bin',
  '/usr/lib',
  '/usr/libexec',
  '/usr/sbin',
  '/usr/share',
  '/var/lib/containerd',
  '/var/lib/docker',
  '/var/log',
  '/var/run',
];

// Control characters end lines in the guest's mount list and in commands Berth prints.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why a host path is not usable as a path setting, or undefined if it is. */
export function pathProblem(p: string): string | undefined {
  if (!p.startsWith('/')) return 'must be an absolute path';
  if (CONTROL.test(p)) return 'must not contain control characters (tabs, newlines, …)';
  if (p !== '/' && (posix.normalize(p) !== p || p.endsWith('/'))) return `must be written in normal form (${posix.normalize(p).replace(/(.)\/$/, '$1')})`;
  return undefined;
}

/** Why a folder cannot be shared into the VM at the same path, or undefined if it can. */
export function sharedPathProblem(p: string): string | undefined {
  const basic = pathProblem(p);
  if (basic) return basic;
  if (p === '/') return 'cannot be / (it would hide the whole VM)';
  const inside = (a: string, b: string) => a === b || a.startsWith(`${b}/`);
  const hidden = GUEST_SYSTEM_TREES.find((t) => inside(p, t) || inside(t, p));
  if (hidden) return `cannot be ${p}: it would hide the VM's own ${hidden}, which the engine needs; share a folder outside it`;
  return undefined;
}
