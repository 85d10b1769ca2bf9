import { contextSourcesFrom } from '../contract/engine-choice';
import { type EngineReach, probeContext } from '../engine/context-probe';
import { readContextStore } from '../engine/context-store';

/** Every Docker context with whether its engine answers, probed at once. */
export async function listEngines(env: NodeJS.ProcessEnv): Promise<{ engines: EngineReach[]; problems: string[] }> {
  const sources = contextSourcesFrom(env);
  const store = readContextStore(sources.configDir, sources.env);
  return { engines: await Promise.all(store.contexts.map((c) => probeContext(c, sources.sshCommand))), problems: store.problems };
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
