/**
 * The docker CLI's v2 plugins from Debian 13 (docker-buildx, docker-compose),
 * fetched with the guest build's own apt configuration and kept in a folder of
 * Berth's cache. Tests point DOCKER_CONFIG at a folder of their own whose
 * cli-plugins link here: the user's ~/.docker is never read or touched.
 */
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berthCacheDir, guestArchFor } from '../../main/vm/assets';
import { extract, guestPackages } from '../../vm-assets/lib/apt';
import { GUEST_SUITE } from '../../vm-assets/lib/spec';

const PACKAGES = ['docker-buildx', 'docker-compose'] as const;

/** The folder holding docker-buildx and docker-compose for this host's architecture. */
export function cliPluginsDir(): string {
  const arch = guestArchFor();
  const root = join(berthCacheDir(), `cli-plugins-${GUEST_SUITE}-${arch}`);
  const dir = join(root, 'usr', 'libexec', 'docker', 'cli-plugins');
  if (PACKAGES.every((p) => existsSync(join(dir, p)))) return dir;
  const packages = guestPackages(arch);
  for (const name of PACKAGES) extract(packages.fetch(name), root);
  for (const p of PACKAGES) if (!existsSync(join(dir, p))) throw new Error(`Debian's ${p} package has no ${join(dir, p)}`);
  return dir;
}

/** A fresh DOCKER_CONFIG whose cli-plugins are Debian's buildx and compose v2. */
export function dockerConfigWithPlugins(): string {
  const config = mkdtempSync(join(tmpdir(), 'berth-dockercfg-'));
  mkdirSync(config, { recursive: true });
  symlinkSync(cliPluginsDir(), join(config, 'cli-plugins'));
  return config;
}
