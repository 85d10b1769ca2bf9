import { existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { isInside } from '../common/path-inside';
import { DEFAULT_SHARE_OPTIONS, guestMount } from './share-options';

/** One host folder shared into the VM, at the same path unless `guestPath` says otherwise. */
export interface SharedFolder {
  tag: string;
  hostPath: string;
  /** Where the VM mounts it, for a second name of the same folder (macOS's /tmp for /private/tmp). */
  guestPath?: string;
}

/** A synchronized folder: its copy on the VM's disk (by `id`) is mounted over `hostPath`, which the agent's sync keeps in step. */
export interface SyncedFolder {
  id: string;
  hostPath: string;
}

/**
 * The temporary folders that test tools and scripts bind-mount (testcontainers,
 * `mktemp -d` projects), shared by default so they never turn into empty
 * folders. On macOS /tmp and /var/folders are links into /private, and tools
 * pass either name, so each gets a mount under both.
 */
export function defaultTempShares(platform: NodeJS.Platform = process.platform, tmp: string = tmpdir()): { paths: string[]; aliases: Record<string, string[]> } {
  if (platform === 'darwin') {
    return { paths: ['/private/tmp', '/var/folders', tmp], aliases: { '/private/tmp': ['/tmp'], '/var/folders': ['/private/var/folders'] } };
  }
  return { paths: ['/tmp', tmp], aliases: {} };
}

/**
 * The folders to share: the user's home plus any extra paths, each at the
 * same path in the VM. Missing paths are skipped (and reported), and a path
 * inside another shared one is dropped because the outer share already has it.
 */
export function sharedFolders(home: string, extra: readonly string[], aliases: Record<string, string[]> = {}): { folders: SharedFolder[]; skipped: string[] } {
  const skipped: string[] = [];
  const wanted = [home, ...extra].map((p) => resolve(p)).filter((p, i, all) => all.indexOf(p) === i);
  const existing = wanted.filter((p) => {
    const ok = existsSync(p) && statSync(p).isDirectory();
    if (!ok) skipped.push(p);
    return ok;
  });
  const roots = existing.filter((p) => !existing.some((o) => p !== o && isInside(p, o)));
  const folders: SharedFolder[] = roots.map((hostPath, i) => ({ tag: `berth${i}`, hostPath }));
  // A second name needs a device of its own: a virtio-9p tag mounts once.
  for (const f of [...folders]) {
    for (const guestPath of aliases[f.hostPath] ?? []) folders.push({ tag: `berth${folders.length}`, hostPath: f.hostPath, guestPath });
  }
  return { folders, skipped };
}

/**
 * Writes the list the guest reads from fw_cfg: tag<TAB>path<TAB>type<TAB>mount options for each
 * share (`mount`, from guestMount), `sync<TAB>path<TAB>id` for each synchronized folder, then `hide<TAB>path` for each folder the guest covers with an empty read-only tmpfs once the
 * shares are mounted (Berth's own files, which lie inside the shared home).
 */
export function writeMountList(
  file: string,
  folders: readonly SharedFolder[],
  mount: string = guestMount(DEFAULT_SHARE_OPTIONS),
  hidden: readonly string[] = [],
  synced: readonly SyncedFolder[] = [],
): void {
  // Settings are validated; this is the last line of defence for a line-based format.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose
  const bad = [...folders, ...synced].find((f) => /[\u0000-\u001f\u007f]/.test(f.hostPath + ('tag' in f ? f.tag + (f.guestPath ?? '') : '')));
  if (bad) throw new Error(`refusing to share ${JSON.stringify(bad.hostPath)}: it contains control characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: as above
  const hide = hiddenInside(folders, hidden).filter((p) => !/[\u0000-\u001f\u007f]/.test(p));
  const lines = [...folders.map((f) => `${f.tag}\t${f.guestPath ?? f.hostPath}\t${mount}\n`), ...synced.map((f) => `sync\t${f.hostPath}\t${f.id}\n`), ...hide.map((p) => `hide\t${p}\n`)];
  writeFileSync(file, lines.join(''), { mode: 0o600 });
}

/** The hidden folders that a share would show, each under every name the guest mounts it by. */
function hiddenInside(folders: readonly SharedFolder[], hidden: readonly string[]): string[] {
  const out: string[] = [];
  for (const h of hidden.map((p) => resolve(p))) {
    for (const f of folders) {
      const mount = f.guestPath ?? f.hostPath;
      if (isInside(h, f.hostPath)) out.push(mount + h.slice(f.hostPath.length));
    }
  }
  return [...new Set(out)];
}

/** The home directory, the temp folders and the configured extra paths, as shared into the VM; `skipped` hears of each that is not a folder. */
export function vmSharedFolders(home: string, extra: readonly string[], skipped: (path: string) => void): SharedFolder[] {
  const temp = defaultTempShares();
  const r = sharedFolders(home, [...temp.paths, ...extra], temp.aliases);
  r.skipped.forEach(skipped);
  return r.folders;
}
