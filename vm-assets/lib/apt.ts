import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { berthCacheDir } from '../../main/vm/assets';
import { run } from './run';
import { GUEST_SUITE } from './spec';

/** A Debian package pinned to the version apt would install now. */
export interface PinnedPackage {
  name: string;
  version: string;
}

/** Debian's names for the two guest architectures. */
export type DebianArch = 'amd64' | 'arm64';

/**
 * An apt configuration of the build's own: its sources list (one Debian suite,
 * one architecture), package lists, cache and an empty dpkg status, so the
 * host's sources, lists and installed packages are never read or touched.
 */
export interface Apt {
  suite: string;
  arch: DebianArch;
  options: string[];
}

const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** The Debian mirror the host already uses (deb822 or one-line sources), else deb.debian.org. */
export function hostMirror(): string {
  const texts: string[] = [];
  for (const f of ['/etc/apt/sources.list', ...listDir('/etc/apt/sources.list.d').map((n) => join('/etc/apt/sources.list.d', n))]) {
    if (/\.(list|sources)$/.test(f) && existsSync(f)) texts.push(readFileSync(f, 'utf8'));
  }
  for (const t of texts) {
    const deb822 = /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(t)?.[1];
    const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s+\S+/m.exec(t)?.[1];
    if (deb822 ?? oneLine) return (deb822 ?? oneLine)!;
  }
  return 'http://deb.debian.org/debian';
}

function listDir(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

/** Writes the configuration under `dir` and refreshes its lists when they are missing or a day old. */
export function debianApt(o: { suite: string; arch: DebianArch; dir: string; mirror?: string }): Apt {
  const lists = join(o.dir, 'lists');
  mkdirSync(join(lists, 'partial'), { recursive: true });
  mkdirSync(join(o.dir, 'cache', 'archives', 'partial'), { recursive: true });
  const sources = join(o.dir, 'sources.list');
  writeFileSync(sources, `deb [arch=${o.arch} signed-by=${KEYRING}] ${o.mirror ?? hostMirror()} ${o.suite} main\n`);
  const status = join(o.dir, 'status');
  if (!existsSync(status)) writeFileSync(status, '');
  const options = [
    `Dir::Etc::SourceList=${sources}`,
    'Dir::Etc::SourceParts=/dev/null',
    `Dir::State::Lists=${lists}`,
    `Dir::Cache=${join(o.dir, 'cache')}`,
    `Dir::State::status=${status}`,
    `APT::Architecture=${o.arch}`,
    `APT::Architectures::=${o.arch}`,
    'Acquire::Languages=none',
    'APT::Sandbox::User=root',
  ].flatMap((v) => ['-o', v]);
  const apt: Apt = { suite: o.suite, arch: o.arch, options };
  const fresh = listDir(lists).some((f) => f.endsWith('_Packages') && Date.now() - statSync(join(lists, f)).mtimeMs < 86_400_000);
  if (!fresh) run('apt-get', [...options, 'update', '-qq']);
  return apt;
}

/** The candidate version the build's apt has for a package. */
export function candidateVersion(apt: Apt, name: string): string {
  const v = /Candidate:\s*(\S+)/.exec(run('apt-cache', [...apt.options, 'policy', name]))?.[1];
  if (!v || v === '(none)') throw new Error(`Debian ${apt.suite} has no ${name} for ${apt.arch}`);
  return v;
}

/** Resolves a metapackage such as linux-image-amd64 to the package it depends on. */
export function resolveDependency(apt: Apt, meta: string, prefix: string): string {
  const out = run('apt-cache', [...apt.options, 'depends', meta]);
  const m = new RegExp(`Depends:\\s*(${prefix}\\S+)`).exec(out);
  if (!m) throw new Error(`${meta} names no ${prefix}* dependency`);
  return m[1];
}

/**
 * Fetches a pinned package into the cache with `apt-get download` and returns
 * the .deb path. A cached .deb of the same version is reused.
 */
export function download(apt: Apt, pkg: PinnedPackage, cacheDir: string): string {
  mkdirSync(cacheDir, { recursive: true });
  const find = () => {
    const encoded = pkg.version.replace(/:/g, '%3a');
    return readdirSync(cacheDir).find((f) => f.startsWith(`${pkg.name}_`) && f.includes(`_${encoded}_`) && f.endsWith('.deb'));
  };
  let file = find();
  if (!file) {
    run('apt-get', [...apt.options, 'download', '-q', `${pkg.name}=${pkg.version}`], { cwd: cacheDir });
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

/** The guest suite's packages for one architecture: the build's own apt configuration and .deb cache, under Berth's cache. */
export interface GuestPackages {
  apt: Apt;
  /** The .deb cache. */
  debs: string;
  /** A package's .deb (the candidate version unless one is given), downloaded once. */
  fetch(name: string, version?: string): string;
}

/** What the guest build, and the tests that need Debian's arm64 busybox or the CLI plugins, fetch packages through. */
export function guestPackages(arch: DebianArch, cacheRoot = berthCacheDir()): GuestPackages {
  const apt = debianApt({ suite: GUEST_SUITE, arch, dir: join(cacheRoot, 'apt', `${GUEST_SUITE}-${arch}`) });
  const debs = join(cacheRoot, 'debs', `${GUEST_SUITE}-${arch}`);
  return { apt, debs, fetch: (name, version = candidateVersion(apt, name)) => download(apt, { name, version }, debs) };
}
