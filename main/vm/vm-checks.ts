import type { ReadinessCheck } from './readiness';
import type { Machine } from './machine-driver';

/** The VM's own readiness checks, in order: QEMU alive, QMP answering, the engine over mutual TLS. */
export function vmChecks(vm: Machine): ReadinessCheck[] {
  return [
    {
      name: 'qemu-alive',
      hint: 'QEMU is not running; see `berth logs vm` for why it exited',
      run: async () => {
        if (!vm.running) throw new Error('QEMU process has exited');
      },
    },
    {
      name: 'qmp-answering',
      hint: "QEMU's control socket is not answering; QEMU may be hung",
      run: async () => {
        const status = await vm.runState(10_000);
        if (status !== 'running') throw new Error(`VM status is ${status}`);
      },
    },
    {
      name: 'engine-tls',
      hint: 'dockerd in the VM is not answering over mutual TLS; see `berth logs vm` for the boot stages',
      // Generous: a busy guest under emulation can take seconds to answer, and a
      // failed check can end in a VM restart.
      run: () => vm.pingEngine(10_000),
    },
  ];
}
