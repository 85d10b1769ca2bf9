import type Docker from 'dockerode';
import { parse } from 'shell-quote';
import { CodedError } from '../common/coded-error';
import { engineError } from './engine-error';

/** A published port: always on the host's 127.0.0.1, as every port Berth publishes. */
export interface RunPort {
  /** The host port; 0 lets the engine choose a free one. */
  host: number;
  container: number;
  proto: 'tcp' | 'udp';
}

/** A bind mount (an absolute host path) or a named volume (a name), as `-v source:target[:ro]` takes them. */
export interface RunMount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** What the run dialog asks for: `docker run -d` with these options. */
export interface RunSpec {
  image: string;
  name?: string;
  ports: RunPort[];
  /** `KEY=value` lines. */
  env: string[];
  mounts: RunMount[];
  /** The command as a shell would split it; empty keeps the image's own. */
  command?: string;
  /** `--rm`: the engine removes the container once it stops. */
  remove: boolean;
}

/** The container that was started. */
export interface RunResult {
  id: string;
  name: string;
}

/**
 * The command line split as a POSIX shell would split its words, with quotes
 * and escapes. Pipes, redirections and globs are a shell's work, not the
 * engine's, so they are refused with the way to ask for a shell.
 */
export function splitCommand(command: string | undefined): string[] | undefined {
  if (!command?.trim()) return undefined;
  const words = parse(command, (name) => `$${name}`);
  const bad = words.find((w) => typeof w !== 'string');
  if (bad !== undefined) {
    const what = 'pattern' in bad ? bad.pattern : 'op' in bad ? bad.op : '#';
    throw new CodedError('invalid_arguments', `the command has "${what}", which needs a shell: write it as sh -c '…'`);
  }
  return words as string[];
}

/** The engine's create body for a spec: ports on 127.0.0.1, `-v` binds (which make a missing host folder, as `docker run -v` does). */
export function createOptions(spec: RunSpec): Docker.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of spec.ports) {
    const key = `${p.container}/${p.proto}`;
    exposed[key] = {};
    bindings[key] = [...(bindings[key] ?? []), { HostIp: '127.0.0.1', HostPort: p.host ? String(p.host) : '' }];
  }
  const cmd = splitCommand(spec.command);
  return {
    Image: spec.image,
    name: spec.name || undefined,
    Env: spec.env,
    ...(cmd ? { Cmd: cmd } : {}),
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      Binds: spec.mounts.map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`),
      AutoRemove: spec.remove,
    },
  };
}

/**
 * `docker run -d` through dockerode: create (pulling the image first when the
 * engine has none, as `docker run` does, with progress through `pull`), then
 * start. A container that was made but would not start is removed, so the
 * dialog can be sent again with the same name. Failures carry the engine's words.
 */
export async function runContainer(docker: Docker, spec: RunSpec, pull: (ref: string) => Promise<unknown>): Promise<RunResult> {
  const options = createOptions(spec);
  let container: Docker.Container;
  try {
    container = await docker.createContainer(options);
  } catch (e) {
    if (!isNoSuchImage(e)) throw engineError(e);
    await pull(spec.image);
    container = await docker.createContainer(options).catch((again: unknown) => Promise.reject(engineError(again)));
  }
  try {
    await container.start();
  } catch (e) {
    await container.remove({ force: true }).catch(() => undefined);
    throw engineError(e);
  }
  const info = await container.inspect().catch(() => undefined);
  return { id: container.id, name: info?.Name?.replace(/^\//, '') ?? spec.name ?? container.id.slice(0, 12) };
}

function isNoSuchImage(e: unknown): boolean {
  const err = e as { statusCode?: number; message?: string };
  return err?.statusCode === 404 && /no such image/i.test(engineError(e).message);
}
