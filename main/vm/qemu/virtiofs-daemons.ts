import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { sleep } from '../../common/sleep';
import type { SharedFolder } from '../shared-folders';
import { type Virtiofsd, virtiofsdArgs } from '../share-transport';
import { diesWithParent } from './qemu-process';
import { type FdCounter, VirtiofsFdGuard } from './virtiofs-fd-guard';

/** How long a virtiofsd may take to listen on its socket. */
const LISTEN_TIMEOUT_MS = 10_000;

/**
 * The virtiofsd processes serving one boot's shares, one per shared folder. QEMU connects to
 * each socket as it launches, so they start first; each ends by itself when its QEMU goes, and
 * `stop()` ends any still running (a QEMU that never came). Like QEMU, each dies with the agent
 * where the host can tie it (setpriv's PR_SET_PDEATHSIG).
 */
export class VirtiofsDaemons {
  private guard?: VirtiofsFdGuard;

  private constructor(private readonly children: ChildProcess[]) {}

  /** Starts a virtiofsd on `sockets[i]` for each share, and resolves once every one listens. */
  static async start(d: Virtiofsd, shares: readonly SharedFolder[], sockets: readonly string[], opts: { diesWithParent: boolean; onLine: (line: string) => void }): Promise<VirtiofsDaemons> {
    const children = shares.map((s, i) => {
      rmSync(sockets[i]!, { force: true });
      const args = [...virtiofsdArgs(d, sockets[i]!, s.hostPath), ...(d.kind === 'c' ? ['-o', 'log_level=warn'] : ['--log-level', 'warn'])];
      const [file, argv] = diesWithParent(d.path, args, opts.diesWithParent);
      const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
      createInterface({ input: child.stderr! }).on('line', (l) => opts.onLine(`[virtiofsd ${s.tag}] ${l}`));
      return child;
    });
    const daemons = new VirtiofsDaemons(children);
    try {
      await Promise.all(children.map((c, i) => listening(c, sockets[i]!, d.path)));
    } catch (e) {
      daemons.stop();
      throw e;
    }
    return daemons;
  }

  /**
   * Keeps the daemons under their descriptor limits (virtiofs-fd-guard.ts) from now until they
   * stop: the guest's `forget` drops its cached names.
   */
  guardFds(guest: { forget(): Promise<void> }, log: (line: string) => void, fds?: FdCounter): void {
    const pids = () => this.children.flatMap((c) => (running(c) && c.pid ? [c.pid] : []));
    this.guard ??= new VirtiofsFdGuard({ pids, forget: () => guest.forget(), log, fds });
    this.guard.start();
  }

  /** Ends the daemons still running: only the ones this boot started, by their own handles. */
  stop(): void {
    this.guard?.stop();
    for (const c of this.children) if (running(c)) c.kill('SIGTERM');
  }
}

const running = (c: ChildProcess): boolean => c.pid !== undefined && c.exitCode === null && c.signalCode === null;

/** Resolves once the socket exists; rejects when the daemon ends first or takes too long. */
async function listening(child: ChildProcess, socket: string, path: string): Promise<void> {
  let failure: Error | undefined;
  child.once('error', (e) => {
    failure = e;
  });
  child.once('exit', (code, signal) => {
    failure ??= new Error(`${path} ended before it served the share (${signal ?? `exit code ${code}`}); details: berth logs vm`);
  });
  for (const t0 = Date.now(); Date.now() - t0 < LISTEN_TIMEOUT_MS; await sleep(20)) {
    if (failure) throw failure;
    if (existsSync(socket)) return;
  }
  throw new Error(`${path} did not listen on ${socket} within ${LISTEN_TIMEOUT_MS / 1000} s`);
}
