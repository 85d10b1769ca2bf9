import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berthCli } from './berth-cli';

/** Result of one docker CLI call. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the host's real `docker` CLI with a given environment (DOCKER_HOST and
 * friends). DOCKER_CONFIG points at a fresh directory so the user's contexts
 * and credential helpers never leak into a test.
 */
export function dockerCli(env: Record<string, string>) {
  const config = mkdtempSync(join(tmpdir(), 'berth-dockercfg-'));
  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', DOCKER_CONFIG: config, ...env };
  return (args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): CliResult => {
    const r: SpawnSyncReturns<string> = spawnSync('docker', args, {
      env: baseEnv,
      input: opts.input,
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 512 * 1024 * 1024,
    });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
}

/** The environment for talking to an engine directly over mutual TLS. */
export function tlsDockerEnv(port: number, certDir: string): Record<string, string> {
  return { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir };
}

/**
 * A Berth of a test file's own: a fresh BERTH_HOME (with its DOCKER_CONFIG
 * inside), the `berth` CLI and the docker CLI on its socket.
 */
export function isolatedBerth(prefix: string) {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const env = { BERTH_HOME: home, DOCKER_CONFIG: join(home, 'docker-config') };
  return { home, env, berth: berthCli(env), docker: dockerCli({ DOCKER_HOST: `unix://${join(home, 'docker.sock')}`, DOCKER_CONFIG: env.DOCKER_CONFIG }) };
}
