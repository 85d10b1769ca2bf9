import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The built CLI; `npm test` builds it first (scripts/bootstrap.sh). */
export const CLI = join(__dirname, '..', '..', 'dist', 'main', 'cli', 'index.js');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The caller's environment without what could steer Berth or the docker CLI
 * (BERTH_ACCEL, BERTH_HOME, DOCKER_HOST, DOCKER_CONTEXT, …), plus what the test
 * sets on purpose. A test run behaves the same whatever the developer's shell exports.
 */
export function hermeticEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(BERTH|DOCKER)_/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Runs `berth …` with an isolated BERTH_HOME and DOCKER_CONFIG, in a hermetic environment. */
export function berthCli(env: Record<string, string>) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);
  return (args: string[], opts: { timeoutMs?: number; input?: string; extraEnv?: Record<string, string> } = {}): RunResult => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      env: hermeticEnv({ ...env, ...opts.extraEnv }),
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 300_000,
      input: opts.input ?? '',
    });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
}

/**
 * The pid in a pid file, if the process is alive. The agent removes its pid
 * file as it exits, so the file may vanish between any look and the read.
 */
export function livePid(pidFile: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

/** Sends a signal to a process the test started; one that has already exited is no error. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** True while a process with that pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `fn` returns true or the deadline passes; a bounded loop. */
export async function until(fn: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 200): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}

/**
 * On a failed test, prints the tails of the agent log and the VM console,
 * once per file: the BERTH_HOME is deleted afterwards, and these say why.
 */
export function dumpLogsOnFailure(home: string): ({ onTestFailed }: { onTestFailed: (fn: () => void) => void }) => void {
  let dumped = false;
  return ({ onTestFailed }) =>
    onTestFailed(() => {
      if (dumped) return;
      dumped = true;
      for (const name of ['agent.log', 'vm.log']) {
        const file = join(home, 'logs', name);
        const tail = existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-60).join('\n') : '(none)';
        console.log(`--- last lines of ${name} ---\n${tail}`);
      }
    });
}

/**
 * A VM test file's teardown: stops Berth (bounded), kills the agent this
 * BERTH_HOME's pid file names if it is still alive (only ever the test's own),
 * and removes the test's folders.
 */
export function stopAndClean(home: string, berth: ReturnType<typeof berthCli>, ...dirs: string[]): void {
  berth(['stop'], { timeoutMs: 120_000 });
  const pid = livePid(join(home, 'agent.pid'));
  if (pid) signal(pid, 'SIGKILL');
  for (const d of [home, ...dirs]) rmSync(d, { recursive: true, force: true });
}
