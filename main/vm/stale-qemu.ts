import { readFileSync, rmSync } from 'node:fs';
import type { Logger } from '../common/logger';
import type { VmPaths } from './vm-instance';
import { sleep } from '../common/sleep';


/**
 * Where setpriv is missing, a QEMU can outlive a crashed agent. Stop it if
 * its pid file names a live QEMU started with this state directory's QMP socket.
 */
export async function reapStaleQemu(p: VmPaths, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(p.pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // not Linux, or not running
  }
  if (!cmdline.includes(p.qmpSocket)) {
    rmSync(p.pidFile, { force: true });
    return;
  }
  log.warn(`vm: stopping QEMU ${pid} left behind by a previous agent`);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
  }
  rmSync(p.pidFile, { force: true });
}
