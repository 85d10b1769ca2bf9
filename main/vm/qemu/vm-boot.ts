import { accelLabel, isHardwareAccel, type AccelChoice } from '../accel';
import type { AccelPolicy } from './accel-policy';
import type { VmAssets } from '../assets';
import { BootWatchdog, type STAGE_BOUNDS_MS } from './boot-watchdog';
import type { Logger } from '../../common/logger';
import { sleep } from '../../common/sleep';
import { type ResumeFrom, VmInstance } from './vm-instance';
import type { BootHost } from './accel-choice';
import { BootFailure } from '../boot-failure';
import type { VmResources } from '../resources';

/** One request to boot the VM until it is usable. */
export interface BootRequest {
  dir: string;
  res: VmResources;
  assets: VmAssets;
  /** The host and QEMU of this boot; the accelerator is chosen here. */
  host: Omit<BootHost, 'accel' | 'accelReason'>;
  enginePort: number;
  accel: AccelPolicy;
  log: Logger;
  /** Waits until the VM is usable (readiness checks). Raced against the watchdog, which bounds it. */
  ready: (vm: VmInstance) => Promise<void>;
  /** Each attempt's instance and watchdog, before QEMU starts: to follow its console, or cancel it. */
  onAttempt?: (vm: VmInstance, watch: BootWatchdog) => void;
  /** One line for the person waiting, e.g. that the accelerator fell back. */
  onNotice?: (message: string) => void;
  bounds?: typeof STAGE_BOUNDS_MS;
  /**
   * Resume the state saved in `file` on the accelerator it was saved under, instead of
   * booting: one attempt, no fallback (the caller boots afresh if it fails).
   * No boot stages come from a resumed guest, so the watchdog's first bound covers it all.
   */
  resume?: ResumeFrom & { accel: AccelChoice };
}

/**
 * Boots with the policy's accelerator; if a hardware accelerator fails during
 * the boot (a dead vCPU, a stall, QEMU dying) and nobody forced it, says so in
 * one line and boots again with TCG in the same call. A TCG boot that then
 * succeeds proves the guest was fine, so the verdict is remembered for this host.
 * Resolves with the running instance; rejects with a BootFailure or a preflight error.
 */
export async function bootVm(req: BootRequest): Promise<VmInstance> {
  if (req.resume) return attempt(req, req.resume.accel, req.resume);
  const choice = await req.accel.choose();
  try {
    return await attempt(req, choice);
  } catch (e) {
    if (!(e instanceof BootFailure) || e.kind === 'cancelled' || !isHardwareAccel(choice.accel)) throw e;
    const label = accelLabel(choice.accel);
    if (choice.forced) {
      const fix = choice.reason.includes('BERTH_ACCEL') ? 'unset BERTH_ACCEL' : 'run `berth config set accelerator auto`';
      const advice = `the accelerator is ${choice.reason}, so Berth does not fall back to software emulation; ${fix} to allow it`;
      throw new BootFailure(e.kind, e.detail, e.stage, e.consoleTail, e.accel, advice);
    }
    const notice = `${label} failed during boot (${e.cause}); using software emulation, which is slower. Details: berth logs vm`;
    req.log.warn(`vm: ${notice}`);
    req.onNotice?.(notice);
    const reason = `${label} failed during boot on this host (${e.cause}); using software emulation`;
    const failure = { failed: choice.accel, stage: e.stage, cause: e.cause };
    const vm = await attempt(req, { accel: 'tcg', reason, forced: false, fallback: failure });
    await req.accel.remember({ ...failure, reason }).catch((err: Error) => req.log.warn(`vm: could not remember the accelerator verdict: ${err.message}`));
    return vm;
  }
}

async function attempt(req: BootRequest, choice: AccelChoice, resumeFrom?: ResumeFrom): Promise<VmInstance> {
  const host: BootHost = { ...req.host, accel: choice.accel, accelReason: choice.reason, accelFallback: choice.fallback };
  req.log.info(
    `vm: ${resumeFrom ? 'resuming the saved state' : 'booting'} with ${req.res.cpus} CPUs, ${req.res.memoryMiB} MiB, accelerator ${choice.accel} (${choice.reason}), engine port 127.0.0.1:${req.enginePort}`,
  );
  const vm = new VmInstance(req.dir, req.res, req.assets, host, req.enginePort, resumeFrom);
  for (const n of vm.command.notices) {
    req.log.warn(`vm: ${n}`);
    req.onNotice?.(n);
  }
  const watch = new BootWatchdog(vm, choice.accel, req.bounds);
  req.onAttempt?.(vm, watch);
  try {
    // A QEMU that dies before QMP answers fails start() too; the watchdog's account of it (a fault, an exit) says more.
    const started = vm.start().then(
      () => (resumeFrom ? vm.wake() : undefined),
      async (e: unknown) => {
        if (!vm.running) await Promise.race([watch.failed, sleep(1500)]);
        throw e;
      },
    );
    await Promise.race([started.then(() => req.ready(vm)), watch.failed]);
    watch.stop();
    return vm;
  } catch (e) {
    watch.stop();
    // Only this attempt's QEMU, by the pid Berth started; nothing is left behind.
    await vm.kill(2000);
    throw e;
  }
}
