import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { contextId } from './context-store';

/** The Docker CLI's config directory: DOCKER_CONFIG or ~/.docker. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || join(homedir(), '.docker');
}

/**
 * Creates or updates the `berth` Docker context so `docker --context berth`
 * and `docker context use berth` work. It writes the context's meta.json in
 * the CLI's own layout (contexts/meta/<sha256 of the name>/meta.json) and
 * never touches `currentContext`: switching is the user's choice.
 */
export function writeDockerContext(socketPath: string, name = 'berth', configDir = dockerConfigDir()): string {
  const dir = join(configDir, 'contexts', 'meta', contextId(name));
  mkdirSync(dir, { recursive: true });
  const meta = {
    Name: name,
    Metadata: { Description: 'Berth: the Docker engine in the Berth VM' },
    Endpoints: { docker: { Host: `unix://${socketPath}`, SkipTLSVerify: false } },
  };
  const file = join(dir, 'meta.json');
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // first time
  }
  const next = JSON.stringify(meta);
  if (current !== next) writeFileSync(file, next);
  return file;
}
