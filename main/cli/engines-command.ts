import { parse } from 'shell-quote';
import { type EngineReach, probeContext } from '../engine/context-probe';
import { readContextStore } from '../engine/context-store';
import { dockerConfigDir } from '../engine/docker-context';

/**
 * The ssh program for ssh:// contexts: BERTH_SSH_COMMAND when set (like git's
 * GIT_SSH_COMMAND, e.g. "ssh -F ~/.ssh/work_config"), else `ssh` from PATH.
 */
export function sshCommandFrom(env: NodeJS.ProcessEnv): string[] {
  const words = env.BERTH_SSH_COMMAND ? parse(env.BERTH_SSH_COMMAND).filter((w): w is string => typeof w === 'string') : [];
  return words.length ? words : ['ssh'];
}

/** Every Docker context with whether its engine answers, probed at once. */
export async function listEngines(env: NodeJS.ProcessEnv): Promise<{ engines: EngineReach[]; problems: string[] }> {
  const store = readContextStore(dockerConfigDir(env), { DOCKER_CONTEXT: env.DOCKER_CONTEXT, DOCKER_HOST: env.DOCKER_HOST });
  const ssh = sshCommandFrom(env);
  return { engines: await Promise.all(store.contexts.map((c) => probeContext(c, ssh))), problems: store.problems };
}

/** `berth engines`: a table like `docker context ls`, with each engine's state, version and running containers. */
export function formatEngines(engines: EngineReach[], problems: string[]): string {
  const rows = engines.map((e) => [
    `${e.name}${e.current ? ' *' : ''}`,
    e.host,
    e.reachable ? 'reachable' : 'unreachable',
    e.engineVersion ?? '—',
    e.running === undefined ? '—' : String(e.running),
    e.error ?? '',
  ]);
  const head = ['NAME', 'ENDPOINT', 'STATE', 'VERSION', 'RUNNING', 'ERROR'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((x, i) => (i === r.length - 1 ? x : x.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line), ...problems.map((p) => `warning: ${p}`)].join('\n');
}
