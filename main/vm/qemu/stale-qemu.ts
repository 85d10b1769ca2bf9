import { readFileSync, rmSync } from 'node:fs';
import type { Logger } from '../../common/logger';
import type { VmPaths } from './vm-paths';
import { sleep } from '../../common/sleep';

/**
 * A QEMU can outlive a crashed agent wherever it cannot be tied to the
 * agent's life (macOS; Linux without setpriv), and it keeps the data disk's
 * write lock. Stop it if its pid file names a live process whose command line
 * carries this state directory's QMP socket: the one QEMU Berth started here,
 * never another process that reused the pid. `processArgs` is HostFacts'
 * (`ps` on macOS, /proc on Linux).
 */
export async function reapStaleQemu(p: VmPaths, log: Logger, processArgs: (pid: number) => string | undefined): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(p.pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  if (!processArgs(pid)?.includes(p.qmpSocket)) {
    rmSync(p.pidFile, { force: true });
    return;
  }
  log.warn(`vm: stopping QEMU ${pid} left behind by a previous agent`);
  if (!(await signalAndWait(pid, 'SIGTERM', 5000))) {
    log.warn(`vm: QEMU ${pid} did not exit on SIGTERM; killing it`);
    await signalAndWait(pid, 'SIGKILL', 5000);
  }
  rmSync(p.pidFile, { force: true });
}

/** Sends `signal` and waits, bounded, for the process to be gone; true once it is. */
async function signalAndWait(pid: number, signal: NodeJS.Signals, ms: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch {
    return true;
  }
  for (let waited = 0; waited < ms; waited += 100) {
    await sleep(100);
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
  }
  return false;
}
