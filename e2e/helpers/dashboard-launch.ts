import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLI, hermeticEnv } from './berth-cli';

/** The recording stand-in for xdg-open (and macOS's open): it writes what it was given to BERTH_TEST_OPENER_LOG. */
export const OPENER_DIR = join(__dirname, '..', 'fixtures', 'recording-opener');

/**
 * Runs `berth dashboard` with the recording opener first on PATH, and resolves
 * with the server and the link it printed once it has printed one.
 */
export function startDashboardServer(env: Record<string, string>, openerLog: string): Promise<{ server: ChildProcess; url: string }> {
  const opener = { PATH: `${OPENER_DIR}:${process.env.PATH}`, BERTH_TEST_OPENER_LOG: openerLog };
  const server = spawn(process.execPath, [CLI, 'dashboard'], { env: hermeticEnv({ ...env, ...opener }), stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    server.stdout!.on('data', (d) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#code=[0-9a-f]+)/.exec(String(d));
      if (m) resolve({ server, url: m[1]! });
    });
    server.on('exit', (code) => reject(new Error(`berth dashboard exited with ${code}`)));
  });
}
