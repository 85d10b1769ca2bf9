import type { Logger } from '../common/logger';
import type { Settings } from '../settings/settings-schema';
import { hostBase } from '../vm/accel';
import { AccelMemory } from '../vm/accel-memory';
import { AccelPolicy } from '../vm/accel-policy';
import { defaultAssetsDir, guestArchFor, loadAssets, nodeArchFor, tcgOnlyReason, type GuestArch } from '../vm/assets';
import { qemuBinary } from '../vm/qemu-args';
import { QemuDriver } from '../vm/qemu-driver';
import type { BerthPaths } from './paths';

/** What the agent's entry point read from its environment, for the machine. */
export interface AgentDriverOptions {
  /** BERTH_ACCEL. */
  envAccel?: string;
  /** BERTH_QEMU_SEARCH_PATH, split. */
  knownQemuDirs?: readonly string[];
  /** BERTH_GUEST_ARCH. */
  guestArch?: GuestArch;
}

/**
 * The agent's machine: QEMU with the guest for the host's architecture, unless
 * the agent was told otherwise (an arm64 guest on an x86_64 host, for its
 * tests); a guest of another architecture runs only under software emulation.
 * Settings are read at each boot through `settings`.
 */
export function agentDriver(paths: BerthPaths, settings: () => Settings, log: Logger, opts: AgentDriverOptions): QemuDriver {
  const guestArch = opts.guestArch ?? guestArchFor();
  const tcgOnly = tcgOnlyReason(guestArch);
  const nodeArch = nodeArchFor(guestArch);
  return new QemuDriver({
    stateDir: paths.vm,
    assets: () => loadAssets(defaultAssetsDir(process.env, guestArch), guestArch),
    host: tcgOnly ? () => ({ ...hostBase(), arch: nodeArch }) : undefined,
    accel: new AccelPolicy({
      setting: () => settings().accelerator,
      envOverride: opts.envAccel,
      tcgOnly,
      memory: new AccelMemory(paths.accelVerdict),
      qemu: qemuBinary(nodeArch),
    }),
    qemuPath: () => settings().qemuPath,
    knownQemuDirs: opts.knownQemuDirs,
    log,
  });
}
