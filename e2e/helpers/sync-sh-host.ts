import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { Duplex } from 'node:stream';
import { join } from 'node:path';
import { GUEST_SYNC_CHANGES_PORT, GUEST_SYNC_PORT, syncId } from '../../main/link/sync-protocol';
import { SyncWire } from '../../main/sync/sync-wire';
import { hostBuiltTool } from './host-built-tool';

const SCRIPT = join(__dirname, '..', '..', 'vm-assets', 'guest', 'rootfs', 'etc', 'berth', 'sync.sh');

/** The guest's sync.sh as the build fills it, for a host run. */
export function syncScript(): string {
  return readFileSync(SCRIPT, 'utf8').replaceAll('@SYNC_PORT@', GUEST_SYNC_PORT).replaceAll('@SYNC_CHANGES_PORT@', GUEST_SYNC_CHANGES_PORT);
}

/**
 * TEST-ONLY: the guest's real sync.sh run on this host by busybox sh, over
 * stdio instead of virtio-serial ports, with busybox's applets, the guest's
 * own-changes built for this host and the host's GNU dd in place of the guest's. Its copies
 * live in `copies`.
 */
export class SyncShOnHost {
  readonly child: ChildProcess;
  readonly wire: SyncWire;
  readonly copies: string;
  private readonly state: string;

  constructor(dir: string, onChange: (abs: string) => void) {
    const bin = join(dir, 'bin');
    this.copies = join(dir, 'copies');
    for (const d of [bin, this.copies]) mkdirSync(d, { recursive: true });
    try {
      execFileSync('/bin/busybox', ['--install', '-s', bin]);
    } catch {
      // Installed by an earlier harness in the same folder.
    }
    this.child = spawn('/bin/busybox', ['sh', '-c', syncScript()], {
      env: { PATH: bin, SYNC_STDIO: '1', SYNC_COPIES: this.copies, SYNC_STATE: join(dir, 'state'), SYNC_DD: '/usr/bin/dd', SYNC_WATCH: hostBuiltTool('own-changes') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const { stdin, stdout, stderr } = this.child;
    if (!stdin || !stdout || !stderr) throw new Error('sync.sh has no stdio');
    this.wire = new SyncWire(Duplex.from({ readable: stdout, writable: stdin }), stderr, onChange);
    this.state = join(dir, 'state');
  }

  /** The copy of a host folder. */
  copyOf(hostPath: string): string {
    return join(this.copies, syncId(hostPath), 'copy');
  }

  /** Ends sync.sh and its watcher (by the pid it wrote, a process this harness started). */
  stop(): void {
    this.child.kill('SIGKILL');
    try {
      process.kill(Number(readFileSync(join(this.state, 'pid'), 'utf8')), 'SIGKILL');
    } catch {
      // It watched nothing, or is gone.
    }
  }
}
