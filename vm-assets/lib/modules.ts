import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Orders kernel modules for loading: each module's dependencies (from
 * modules.dep, written by depmod) come before it. Returns paths relative to
 * /lib/modules/<kver>.
 */
export function moduleLoadOrder(modulesDir: string, wanted: readonly string[]): string[] {
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of readFileSync(join(modulesDir, 'modules.dep'), 'utf8').split('\n')) {
    const [path, rest] = line.split(':');
    if (!path || rest === undefined) continue;
    deps.set(path, rest.trim().split(/\s+/).filter(Boolean));
    byName.set(moduleName(path), path);
  }
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    // modules.dep lists the full transitive closure, nearest last; load deepest first.
    for (const d of [...(deps.get(path) ?? [])].reverse()) visit(d);
    order.push(path);
  };
  for (const name of wanted) {
    const path = byName.get(name.replace(/-/g, '_'));
    if (!path) throw new Error(`kernel module ${name} is not in ${modulesDir} (built in, or renamed?)`);
    visit(path);
  }
  return order;
}

/**
 * The wanted modules this kernel builds as modules; those it has built in need
 * no loading and are left out (x86_64's 6.12 has virtio_pci built in, 6.1 did
 * not). A name that is neither is an error.
 */
export function loadableModules(modulesDir: string, wanted: readonly string[]): string[] {
  const listed = (file: string, keep: (line: string) => boolean) => {
    const text = existsSync(join(modulesDir, file)) ? readFileSync(join(modulesDir, file), 'utf8') : '';
    return new Set(
      text
        .split('\n')
        .filter(keep)
        .map((l) => moduleName(l.split(':')[0])),
    );
  };
  const builtin = listed('modules.builtin', Boolean);
  const loadable = listed('modules.dep', (l) => l.includes(':'));
  return wanted.filter((w) => {
    const n = w.replace(/-/g, '_');
    if (loadable.has(n)) return true;
    if (builtin.has(n)) return false;
    throw new Error(`kernel module ${w} is neither a module nor built in in ${modulesDir} (renamed?)`);
  });
}

/** `kernel/fs/ext4/ext4.ko` → `ext4`; dashes and underscores are the same to the kernel. */
export function moduleName(path: string): string {
  return path
    .split('/')
    .pop()!
    .replace(/\.ko(\.\w+)?$/, '')
    .replace(/-/g, '_');
}

const SIG_MAGIC = Buffer.from('~Module signature appended~\n');

/**
 * Drops the appended signature from a kernel module. The guest's modules come
 * from a Debian package apt already verified, and the kernel does not enforce
 * signatures (CONFIG_MODULE_SIG_FORCE is off); checking ~45 RSA signatures
 * under software emulation costs boot time for no added trust.
 */
export function stripModuleSignature(ko: Buffer): Buffer {
  if (ko.length < SIG_MAGIC.length + 12 || !ko.subarray(ko.length - SIG_MAGIC.length).equals(SIG_MAGIC)) return ko;
  // struct module_signature (12 bytes) precedes the magic; its last field is the big-endian signature length.
  const info = ko.length - SIG_MAGIC.length - 12;
  const sigLen = ko.readUInt32BE(info + 8);
  const end = info - sigLen;
  return end > 0 ? ko.subarray(0, end) : ko;
}

/**
 * A module as the guest gets it: decompressed (Debian 13 ships .ko.xz; busybox
 * modprobe loads plain .ko, and the guest then never decompresses at boot) and
 * with its signature dropped (see stripModuleSignature).
 */
export function moduleSource(path: string): Buffer {
  const raw = readFileSync(path);
  const tool = path.endsWith('.ko.xz') ? 'xz' : path.endsWith('.ko.zst') ? 'zstd' : path.endsWith('.ko.gz') ? 'gzip' : undefined;
  if (!tool) return stripModuleSignature(raw);
  const r = spawnSync(tool, ['-dc'], { input: raw, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${tool} could not unpack ${path}`);
  return stripModuleSignature(r.stdout);
}
