import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run';

/** A Debian package pinned to the version apt would install now. */
export interface PinnedPackage {
  name: string;
  version: string;
}

/** The candidate version apt has for a package; runs `apt-get update` once if the lists are empty. */
export function candidateVersion(name: string): string {
  const read = () => /Candidate:\s*(\S+)/.exec(run('apt-cache', ['policy', name]))?.[1];
  let v = read();
  if (!v || v === '(none)') {
    run('apt-get', ['update', '-qq']);
    v = read();
  }
  if (!v || v === '(none)') throw new Error(`Debian package ${name} has no installable version (check /etc/apt/sources.list)`);
  return v;
}

/** Resolves a metapackage such as linux-image-amd64 to the package it depends on. */
export function resolveDependency(meta: string, prefix: string): string {
  const out = run('apt-cache', ['depends', meta]);
  const m = new RegExp(`Depends:\\s*(${prefix}\\S+)`).exec(out);
  if (!m) throw new Error(`${meta} names no ${prefix}* dependency`);
  return m[1];
}

/**
 * Fetches a pinned package into the cache with `apt-get download` and returns
 * the .deb path. A cached .deb of the same version is reused.
 */
export function download(pkg: PinnedPackage, cacheDir: string): string {
  mkdirSync(cacheDir, { recursive: true });
  const find = () => {
    const encoded = pkg.version.replace(/:/g, '%3a');
    return readdirSync(cacheDir).find((f) => f.startsWith(`${pkg.name}_`) && f.includes(`_${encoded}_`) && f.endsWith('.deb'));
  };
  let file = find();
  if (!file) {
    run('apt-get', ['download', '-q', '-o', 'APT::Sandbox::User=root', `${pkg.name}=${pkg.version}`], { cwd: cacheDir });
    file = find();
  }
  if (!file) throw new Error(`apt-get download ${pkg.name}=${pkg.version} produced no .deb`);
  return join(cacheDir, file);
}

/** Unpacks a .deb into a directory (no maintainer scripts run). */
export function extract(deb: string, into: string): void {
  if (!existsSync(into)) mkdirSync(into, { recursive: true });
  run('dpkg-deb', ['-x', deb, into]);
}
