import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The guest architectures, as Debian names them (the build and the asset folders use these). */
export type GuestArch = 'amd64' | 'arm64';

/** The guest that matches a host architecture as Node names it. */
export function guestArchFor(nodeArch: string = process.arch): GuestArch {
  return nodeArch === 'arm64' ? 'arm64' : 'amd64';
}

/** Node's name for a guest architecture (`x64`, `arm64`), as the machine profiles and electron-builder take it. */
export function nodeArchFor(guest: GuestArch): 'x64' | 'arm64' {
  return guest === 'arm64' ? 'arm64' : 'x64';
}

/** Why only software emulation can run this guest here, or undefined when it is the host's own architecture. */
export function tcgOnlyReason(guest: GuestArch, host: GuestArch = guestArchFor()): string | undefined {
  return guest === host ? undefined : `the guest is ${guest}, this host is ${host}: only software emulation runs it`;
}

/** Berth's per-user cache (~/.cache/berth, or under $XDG_CACHE_HOME): guest images, apt state, downloaded packages. */
export function berthCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'berth');
}

/** The kernel artifact each guest boots: x86_64's ELF vmlinux (PVH direct boot), arm64's Image. */
export const KERNEL_ARTIFACT: Record<GuestArch, string> = { amd64: 'vmlinux', arm64: 'Image' };

/** The files a guest boot needs, as absolute paths. */
export interface VmAssets {
  dir: string;
  arch: GuestArch;
  kernel: string;
  initrd: string;
  rootfs: string;
  manifest: AssetManifest;
}

/** What `npm run vm-assets` writes beside the artifacts. */
export interface AssetManifest {
  berthVersion: string;
  /** Absent in manifests written before there was an arm64 guest: those are amd64. */
  arch?: GuestArch;
  /** The Debian suite the packages came from. */
  suite?: string;
  inputsKey: string;
  builtAt: string;
  kernelVersion: string;
  cmdline: string;
  packages: Record<string, string>;
  artifacts: Record<string, { size: number; sha256: string; zstdSize: number }>;
}

/**
 * Where the guest artifacts live: `BERTH_VM_ASSETS` if set, else the
 * per-user cache the build writes to, one folder per architecture. A packaged
 * app passes its resources dir (which holds its own architecture's guest).
 */
export function defaultAssetsDir(env: NodeJS.ProcessEnv = process.env, arch: GuestArch = guestArchFor()): string {
  if (env.BERTH_VM_ASSETS) return env.BERTH_VM_ASSETS;
  return join(berthCacheDir(env), 'vm-assets', arch);
}

/** A file's sha256, hex: what a manifest records for each artifact. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Loads and checks the asset set, with a message that says how to build it when it is missing or for another architecture. */
export function loadAssets(dir = defaultAssetsDir(), arch: GuestArch = guestArchFor()): VmAssets {
  const build = (...flags: string[]) => {
    const all = [...(arch === guestArchFor() ? [] : ['--arch', arch]), ...flags];
    return `npm run vm-assets${all.length ? ` -- ${all.join(' ')}` : ''}`;
  };
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`No guest image in ${dir}. Build it with: ${build()}`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as AssetManifest;
  const built = manifest.arch ?? 'amd64';
  if (built !== arch) throw new Error(`The guest image in ${dir} is for ${built}, but this VM runs ${arch}. Build it with: ${build()}`);
  const assets: VmAssets = {
    dir,
    arch,
    kernel: join(dir, KERNEL_ARTIFACT[arch]),
    initrd: join(dir, 'initrd.img'),
    rootfs: join(dir, 'rootfs.squashfs'),
    manifest,
  };
  for (const p of [assets.kernel, assets.initrd, assets.rootfs]) {
    if (!existsSync(p)) throw new Error(`Guest image in ${dir} is incomplete (${p} is missing). Rebuild it with: ${build('--force')}`);
  }
  return assets;
}
