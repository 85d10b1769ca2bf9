import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File, type AssetManifest } from '../main/vm/assets';

/**
 * Puts the manifest and exactly the artifacts it lists into `dest` (hard links
 * where the filesystem allows, copies otherwise), after checking each one's
 * sha256: a package must never ship a guest that differs from its manifest.
 * Returns the staged file names.
 */
export function stageVmAssets(src: string, dest: string, fs: { link: (a: string, b: string) => void; copy: (a: string, b: string) => void }): string[] {
  const manifestPath = join(src, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`No guest image in ${src}. Build it with: npm run vm-assets`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as AssetManifest;
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const names = Object.keys(manifest.artifacts);
  for (const name of names) {
    const from = join(src, name);
    if (!existsSync(from)) throw new Error(`The guest image in ${src} is incomplete: ${name} is missing. Rebuild it with: npm run vm-assets -- --force`);
    if (sha256File(from) !== manifest.artifacts[name].sha256) throw new Error(`${from} does not match its manifest's sha256. Rebuild it with: npm run vm-assets -- --force`);
    try {
      fs.link(from, join(dest, name));
    } catch {
      fs.copy(from, join(dest, name));
    }
  }
  fs.copy(manifestPath, join(dest, 'manifest.json'));
  return ['manifest.json', ...names];
}
