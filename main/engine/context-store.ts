import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How a context reaches its engine, from its endpoint's scheme. */
export type EndpointKind = 'unix' | 'tcp' | 'ssh' | 'other';

/** One Docker context as `docker context ls` shows it, read from Docker's own store. */
export interface DockerContext {
  name: string;
  description?: string;
  /** The endpoint's Host: unix:///…, tcp://host:port, ssh://user@host:port. */
  host: string;
  kind: EndpointKind;
  skipTlsVerify: boolean;
  /** The context's own TLS files, where it has them (contexts/tls/<id>/docker/). */
  tls?: { ca?: string; cert?: string; key?: string };
  /** The one the docker CLI uses now (DOCKER_CONTEXT, else config.json's currentContext, else default). */
  current: boolean;
}

/** Every context, and what could not be read (a corrupt meta.json is named, never fatal). */
export interface ContextList {
  contexts: DockerContext[];
  current: string;
  problems: string[];
}

/** Where the docker CLI keeps a context's files: a folder named by the sha256 of its name. */
export const contextId = (name: string) => createHash('sha256').update(name).digest('hex');

/** The context the CLI makes up when none is stored under the name: DOCKER_HOST, else the system socket. */
export const DEFAULT_CONTEXT = 'default';

/** The socket a unix:// endpoint names. */
export function unixSocketPath(host: string): string {
  return decodeURIComponent(new URL(host).pathname);
}

export function endpointKind(host: string): EndpointKind {
  const scheme = /^([a-z]+):\/\//.exec(host)?.[1];
  return scheme === 'unix' || scheme === 'tcp' || scheme === 'ssh' ? scheme : 'other';
}

/**
 * Reads Docker's context store under `configDir` (DOCKER_CONFIG or ~/.docker)
 * the way the docker CLI does, and changes nothing in it. `env` is what the
 * CLI would see: DOCKER_CONTEXT picks the current context, DOCKER_HOST is the
 * default context's endpoint.
 */
export function readContextStore(configDir: string, env: { DOCKER_CONTEXT?: string; DOCKER_HOST?: string } = {}): ContextList {
  const problems: string[] = [];
  const current = env.DOCKER_CONTEXT || currentFromConfig(configDir, problems) || DEFAULT_CONTEXT;
  const stored = storedContexts(configDir, problems);
  const fallback: Omit<DockerContext, 'current'> = {
    name: DEFAULT_CONTEXT,
    description: 'the docker CLI default',
    host: env.DOCKER_HOST || 'unix:///var/run/docker.sock',
    kind: 'unix',
    skipTlsVerify: false,
  };
  fallback.kind = endpointKind(fallback.host);
  const all = [fallback, ...stored.filter((c) => c.name !== DEFAULT_CONTEXT)].map((c) => ({ ...c, current: c.name === current }));
  if (!all.some((c) => c.current)) problems.push(`the current context "${current}" is not in the store`);
  return { contexts: all.sort((a, b) => (a.name === DEFAULT_CONTEXT ? -1 : b.name === DEFAULT_CONTEXT ? 1 : a.name.localeCompare(b.name))), current, problems };
}

function currentFromConfig(configDir: string, problems: string[]): string | undefined {
  const file = join(configDir, 'config.json');
  if (!existsSync(file)) return undefined;
  try {
    const v = (JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: unknown }).currentContext;
    return typeof v === 'string' && v ? v : undefined;
  } catch (e) {
    problems.push(`${file} could not be read: ${(e as Error).message}`);
    return undefined;
  }
}

function storedContexts(configDir: string, problems: string[]): Omit<DockerContext, 'current'>[] {
  const metaDir = join(configDir, 'contexts', 'meta');
  if (!existsSync(metaDir)) return [];
  const out: Omit<DockerContext, 'current'>[] = [];
  for (const id of readdirSync(metaDir)) {
    const file = join(metaDir, id, 'meta.json');
    try {
      const meta = JSON.parse(readFileSync(file, 'utf8')) as { Name?: unknown; Metadata?: { Description?: unknown }; Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
      const docker = meta.Endpoints?.docker;
      if (typeof meta.Name !== 'string' || typeof docker?.Host !== 'string') throw new Error('it names no context or no docker endpoint');
      const description = typeof meta.Metadata?.Description === 'string' && meta.Metadata.Description ? meta.Metadata.Description : undefined;
      out.push({ name: meta.Name, description, host: docker.Host, kind: endpointKind(docker.Host), skipTlsVerify: docker.SkipTLSVerify === true, tls: tlsFiles(configDir, meta.Name) });
    } catch (e) {
      problems.push(`${file} could not be read: ${(e as Error).message}`);
    }
  }
  return out;
}

function tlsFiles(configDir: string, name: string): DockerContext['tls'] {
  const dir = join(configDir, 'contexts', 'tls', contextId(name), 'docker');
  const pick = (f: string) => (existsSync(join(dir, f)) ? join(dir, f) : undefined);
  const tls = { ca: pick('ca.pem'), cert: pick('cert.pem'), key: pick('key.pem') };
  return tls.ca || tls.cert || tls.key ? tls : undefined;
}
