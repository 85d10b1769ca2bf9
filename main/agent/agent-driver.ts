import type { Logger } from '../common/logger';
import type { Settings } from '../settings/settings-schema';
import { hostBase } from '../vm/accel';
import { currentHost, type HostFacts } from '../vm/host-facts';
import { AccelMemory } from '../vm/qemu/accel-memory';
import { AccelPolicy } from '../vm/qemu/accel-policy';
import { defaultAssetsDir, guestArchFor, loadAssets, nodeArchFor, tcgOnlyReason, type GuestArch } from '../vm/assets';
import { qemuBinary } from '../vm/qemu/qemu-args';
import { QemuDriver } from '../vm/qemu/qemu-driver';
import type { BerthPaths } from './paths';
import type { ShareOptions } from '../vm/share-options';

/** What the agent's entry point read from its environment, for the machine. */
export interface AgentDriverOptions {
  /** BERTH_ACCEL. */
  envAccel?: string;
  /** BERTH_QEMU_SEARCH_PATH, split. */
  knownQemuDirs?: readonly string[];
  /** BERTH_GUEST_ARCH. */
  guestArch?: GuestArch;
  /** The host's facts: the real host's, or the simulated Mac BERTH_SIMULATE_HOST asked for. */
  facts?: HostFacts;
  /** BERTH_SHARE_OPTIONS, parsed: bench/mounts compares the share's options with it. */
  shareOptions?: ShareOptions;
}

/**
 * The agent's machine: QEMU with the guest for the host's architecture, unless
 * the agent was told otherwise (an arm64 guest on an x86_64 host, for its
 * tests); a guest of another architecture runs only under software emulation.
 * Settings are read at each boot through `settings`.
 */
export function agentDriver(paths: BerthPaths, settings: () => Settings, log: Logger, opts: AgentDriverOptions): QemuDriver {
  const facts = opts.facts ?? currentHost();
  // The hardware's architecture, not this process's: an x64 app under Rosetta still runs the arm64 guest with hvf.
  const hostGuest = guestArchFor(facts.arch);
  const guestArch = opts.guestArch ?? hostGuest;
  const tcgOnly = tcgOnlyReason(guestArch, hostGuest);
  const nodeArch = nodeArchFor(guestArch);
  return new QemuDriver({
    stateDir: paths.vm,
    assets: () => loadAssets(defaultAssetsDir(process.env, guestArch), guestArch),
    facts,
    host: () => ({ ...hostBase(facts), arch: nodeArch }),
    accel: new AccelPolicy({
      setting: () => settings().accelerator,
      envOverride: opts.envAccel,
      tcgOnly,
      memory: new AccelMemory(paths.accelVerdict),
      qemu: qemuBinary(nodeArch),
      host: facts,
      hvf: (qemu) => facts.hvf(qemu),
    }),
    qemuPath: () => settings().qemuPath,
    knownQemuDirs: opts.knownQemuDirs,
    log,
  });
}
