import type { Logger } from '../common/logger';
import { sleep } from '../common/sleep';
import type { Machine, MachineDriver } from './machine-driver';

/**
 * A graceful stop of one machine: the caller's beforeStop (containers get a
 * short timeout), the ACPI power button, then SIGTERM, then SIGKILL. Each step
 * is reported.
 */
export async function stopMachine(vm: Machine, o: { graceful: boolean; beforeStop?: (vm: Machine) => Promise<void>; step: (s: string) => void }): Promise<void> {
  if (vm.running) {
    if (o.graceful && o.beforeStop) {
      o.step('stopping containers');
      await Promise.race([o.beforeStop(vm).catch(() => undefined), sleep(15_000)]);
    }
    o.step('ACPI power-off');
    if (!(await vm.powerdown(o.graceful ? 15_000 : 3_000))) {
      o.step('SIGTERM to QEMU');
      await vm.kill(5000);
    }
  }
  await vm.exited();
}

/**
 * Sleep for one machine: the driver saves it and QEMU exits. Where saving is
 * impossible (a share still in use, a driver without snapshots, QEMU refusing)
 * the machine is stopped instead, and the next wake is a cold boot. Resolves
 * with whether the state was saved, once the machine's process is gone.
 */
export async function sleepMachine(driver: MachineDriver, vm: Machine, log: Logger, notice: (message: string) => void): Promise<boolean> {
  let saved = false;
  try {
    if (!driver.suspend) throw new Error(`the ${driver.name} driver cannot save a machine`);
    await driver.suspend(vm, log);
    saved = true;
  } catch (e) {
    const message = `could not save the VM (${(e as Error).message}); stopping it instead, so the next wake is a cold boot`;
    log.warn(`vm: ${message}`);
    notice(message);
    await stopMachine(vm, { graceful: true, step: (s) => log.info(`vm: sleep: ${s}`) });
  }
  await vm.exited();
  return saved;
}
