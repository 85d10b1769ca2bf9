import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { textBatcher } from './text-batcher';

/** Output arrives in bursts; batching to this interval keeps a busy terminal from flooding the UI. */
const BATCH_MS = 16;
/** The shell a terminal starts: bash where the image has it, else sh. */
const SHELL = 'if [ -x /bin/bash ]; then exec /bin/bash; fi; exec /bin/sh';
/** Every process a terminal starts carries this, so closing it can find them all. */
const MARK = 'BERTH_TERMINAL';

/** A shell in a container, on a TTY. */
export interface ExecTerminal {
  write(data: string): void;
  resize(cols: number, rows: number): Promise<void>;
  /** Ends the shell and whatever it started: the docker API has no "kill exec", and a closed attach leaves the process running. */
  close(): Promise<void>;
}

/**
 * `docker exec -it <id> bash||sh` through dockerode: output goes to `onData`
 * as UTF-8 text in small batches, `onEnd` is called once the shell ends
 * (exit, the container stopping, or close()).
 */
export async function openExecTerminal(docker: Docker, id: string, tag: string, size: { cols: number; rows: number }, onData: (text: string) => void, onEnd: () => void): Promise<ExecTerminal> {
  const container = docker.getContainer(id);
  const exec = await container.exec({
    Cmd: ['/bin/sh', '-c', SHELL],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Env: ['TERM=xterm-256color', `${MARK}=${tag}`],
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true } as Docker.ExecStartOptions)) as unknown as Duplex;
  const output = textBatcher(BATCH_MS, onData);
  stream.on('data', output.push);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    output.flush();
    onEnd();
  };
  stream.on('end', end);
  stream.on('close', end);
  stream.on('error', end);
  await exec.resize({ w: size.cols, h: size.rows }).catch(() => undefined);
  return {
    write: (data) => {
      if (!ended) stream.write(data);
    },
    resize: async (cols, rows) => {
      if (!ended) await exec.resize({ w: cols, h: rows });
    },
    close: async () => {
      stream.destroy();
      end();
      if ((await exec.inspect().catch(() => undefined))?.Running) await hangUp(container, tag);
    },
  };
}

/** Hangs up every process of one terminal (its mark is in their environment), then kills what is left. */
async function hangUp(container: Docker.Container, tag: string): Promise<void> {
  const each = (signal: string) => `for p in /proc/[0-9]*; do tr '\\0' '\\n' < "$p/environ" 2>/dev/null | grep -qx '${MARK}=${tag}' && kill -${signal} "\${p#/proc/}" 2>/dev/null; done`;
  const killer = await container.exec({ Cmd: ['/bin/sh', '-c', `${each('HUP')}; sleep 1; ${each('KILL')}; true`], AttachStdout: false, AttachStderr: false });
  await killer.start({ Detach: true } as Docker.ExecStartOptions).catch(() => undefined);
}
