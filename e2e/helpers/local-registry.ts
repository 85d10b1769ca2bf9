import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../main/common/free-port';
import { GUEST_HOST_GATEWAY } from '../../main/link/guest';
import { until } from './berth-cli';

/** A registry of a test's own (Debian's docker-registry) on 127.0.0.1, which the guest reaches as `guestAddress`. */
export interface LocalRegistry {
  /** 127.0.0.1:<port>, for the host's own requests. */
  hostAddress: string;
  /** 10.0.2.2:<port>: QEMU's gateway to the host, as the engine in the guest names the registry. */
  guestAddress: string;
  /** What the registry logged so far. */
  log(): string;
  /** Kills it by its pid. */
  stop(): void;
}

/**
 * Starts docker-registry on a free 127.0.0.1 port with its storage under
 * `dir`. There is no Docker Hub here: tests push what they pull. Its log goes
 * to a file, because the docker CLI runs synchronously in tests and a pipe
 * nobody reads could stall the registry.
 */
export async function startLocalRegistry(dir: string): Promise<LocalRegistry> {
  const port = await freeLoopbackPort();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const logFile = join(dir, 'registry.log');
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', out, out] });
  closeSync(out);
  const log = () => readFileSync(logFile, 'utf8');
  const stop = () => {
    if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  };
  const up = await until(async () => (await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined))?.status === 200, 20_000, 200);
  if (!up) {
    stop();
    throw new Error(`docker-registry did not answer: ${log()}`);
  }
  return { hostAddress: `127.0.0.1:${port}`, guestAddress: `${GUEST_HOST_GATEWAY}:${port}`, log, stop };
}
