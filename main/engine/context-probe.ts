import { engineForContext } from './context-client';
import type { DockerContext } from './context-store';
import { engineError } from './engine-error';

/** A context and whether its engine answers: its version and running containers, or why not. */
export interface EngineReach extends Omit<DockerContext, 'tls'> {
  /** Whether the context has TLS files of its own (their paths are not shown). */
  hasTls: boolean;
  reachable: boolean;
  engineVersion?: string;
  apiVersion?: string;
  /** Containers running on that engine now, and the first of their names. */
  running?: number;
  runningNames?: string[];
  error?: string;
}

/** A context as the directory knows it: `reachable` is missing until its first probe has answered. */
export type EngineEntry = Omit<EngineReach, 'reachable'> & { reachable?: boolean };

/** How long a probe waits for an engine before calling it unreachable: a dead host must not hold up the list. */
export const PROBE_TIMEOUT_MS = 5000;

/** What a page or a menu is shown of a context: everything but its TLS files' paths, and whether it has them. */
export function shownContext(ctx: DockerContext): Omit<DockerContext, 'tls'> & { hasTls: boolean } {
  const { tls, ...shown } = ctx;
  return { ...shown, hasTls: tls !== undefined };
}

/** How many running containers a reach names (a menu shows them; more is noise). */
const NAMES_SHOWN = 20;

/** Asks one context's engine for its version and its running containers, within `timeoutMs`. */
export async function probeContext(ctx: DockerContext, sshCommand?: string[], timeoutMs = PROBE_TIMEOUT_MS): Promise<EngineReach> {
  const base = shownContext(ctx);
  let timer: NodeJS.Timeout | undefined;
  try {
    const docker = engineForContext(ctx, sshCommand);
    const answer = Promise.all([docker.version(), docker.listContainers()]);
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    const [version, running] = await Promise.race([answer, late]);
    const runningNames = running.slice(0, NAMES_SHOWN).map((c) => (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''));
    return { ...base, reachable: true, engineVersion: version.Version, apiVersion: version.ApiVersion, running: running.length, runningNames };
  } catch (e) {
    return { ...base, reachable: false, error: engineError(e).message };
  } finally {
    clearTimeout(timer);
  }
}
