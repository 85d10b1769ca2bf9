import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The files a guest boot needs, as absolute paths. */
export interface VmAssets {
  dir: string;
  /** Uncompressed ELF kernel for PVH direct boot. */
  vmlinux: string;
  /** The same kernel as Debian ships it, for hosts where PVH is not available. */
  bzImage: string;
  initrd: string;
  rootfs: string;
  manifest: AssetManifest;
}

/** What `npm run vm-assets` writes beside the artifacts. */
export interface AssetManifest {
  berthVersion: string;
  inputsKey: string;
  builtAt: string;
  kernelVersion: string;
  cmdline: string;
  packages: Record<string, string>;
  artifacts: Record<string, { size: number; sha256: string; zstdSize: number }>;
}

/**
 * Where the guest artifacts live: `BERTH_VM_ASSETS` if set, else the
 * per-user cache the build writes to. A packaged app passes its resources dir.
 */
export function defaultAssetsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_VM_ASSETS) return env.BERTH_VM_ASSETS;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'berth', 'vm-assets');
}

/** Loads and checks the asset set, with a message that says how to build it when it is missing. */
export function loadAssets(dir = defaultAssetsDir()): VmAssets {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`No guest image in ${dir}. Build it with: npm run vm-assets`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as AssetManifest;
  const assets: VmAssets = {
    dir,
    vmlinux: join(dir, 'vmlinux'),
    bzImage: join(dir, 'bzImage'),
    initrd: join(dir, 'initrd.img'),
    rootfs: join(dir, 'rootfs.squashfs'),
    manifest,
  };
  for (const p of [assets.vmlinux, assets.initrd, assets.rootfs]) {
    if (!existsSync(p)) throw new Error(`Guest image in ${dir} is incomplete (${p} is missing). Rebuild it with: npm run vm-assets -- --force`);
  }
  return assets;
}
