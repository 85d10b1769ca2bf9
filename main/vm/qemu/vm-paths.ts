import { join } from 'node:path';

/** Where one VM keeps its files. */
export interface VmPaths {
  dir: string;
  dataDisk: string;
  qmpSocket: string;
  pidFile: string;
  tlsDir: string;
  mountList: string;
  /** The engine's daemon.json for the guest (fw_cfg). */
  daemonJson: string;
  /** The host end of the guest's control port. */
  controlSocket: string;
  /** The host end of the guest's own-changes port (own-changes.ts). */
  ownSocket: string;
  /** The host ends of sync.sh's ports. */
  syncSockets: { commands: string; changes: string };
  /** A sleeping VM's memory and devices (saved-state.ts). */
  savedState: string;
  /** The socket of the virtiofsd serving the share at this index (virtiofs-daemons.ts). */
  virtiofsSocket(index: number): string;
}

/** The file layout of a VM state directory. */
export function vmPaths(dir: string): VmPaths {
  return {
    dir,
    dataDisk: join(dir, 'data.qcow2'),
    qmpSocket: join(dir, 'qmp.sock'),
    pidFile: join(dir, 'qemu.pid'),
    tlsDir: join(dir, 'tls'),
    mountList: join(dir, 'mounts.tsv'),
    daemonJson: join(dir, 'daemon.json'),
    controlSocket: join(dir, 'control.sock'),
    ownSocket: join(dir, 'own.sock'),
    // No longer than control.sock: on a Mac every socket path must fit 104 bytes.
    syncSockets: { commands: join(dir, 'sync.sock'), changes: join(dir, 'changes.sock') },
    savedState: join(dir, 'sleep.state'),
    virtiofsSocket: (index) => join(dir, `fs${index}.sock`),
  };
}
