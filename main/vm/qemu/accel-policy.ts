import type { AccelChoice, AccelFallback, Accelerator, AccelSetting } from '../accel';
import { AccelMemory, currentHostKey, type AccelHostKey, type AccelVerdict } from './accel-memory';
import type { HvfAvailability } from '../host-facts';
import { findExecutable } from '../../common/executables';
import { qemuBinary } from './qemu-args';
import { chooseAccelerator, probeKvm, type ProbeResult } from './accel-choice';

/** What the policy is given; functions are read at each choice so a changed setting applies at the next boot. */
export interface AccelPolicyOptions {
  setting: () => AccelSetting;
  /** BERTH_ACCEL of this process, read once by the entry point; never read here. */
  envOverride?: string;
  memory: AccelMemory;
  /** The QEMU binary, for the probe and the host key. */
  qemu: string;
  /** The host's platform and hardware architecture (HostFacts); this process's own unless given. */
  host?: { platform: NodeJS.Platform; arch: string };
  probe?: (qemu: string) => Promise<ProbeResult>;
  /** On macOS: whether hvf can run this QEMU binary (HostFacts.hvf), given its full path. */
  hvf?: (qemuPath: string) => HvfAvailability;
  hostKey?: (qemu: string) => Promise<AccelHostKey>;
  /** Why only software emulation can run this guest (another architecture than the host's), if so. */
  tcgOnly?: string;
}

/** What a failure during boot leaves for the next boots on this host. */
export interface BootFailureRecord {
  failed: Accelerator;
  stage: string;
  cause: string;
  reason: string;
}

/**
 * The one place that decides which accelerator a boot uses and learns from a
 * failed one. The CLI, the app, the benches and the tests all boot through it
 * (via bootVm), so none of them carries its own fallback.
 */
export class AccelPolicy {
  private probed?: Promise<ProbeResult>;
  private hvfChecked?: HvfAvailability;
  private key?: Promise<AccelHostKey>;

  constructor(private readonly opts: AccelPolicyOptions) {}

  /**
   * `auto`, remembering in `memoryFile`, reading no environment: what a bench
   * or a test that boots a bare VM uses, so it falls back like the agent does.
   */
  static auto(memoryFile: string): AccelPolicy {
    return new AccelPolicy({ setting: () => 'auto', memory: new AccelMemory(memoryFile), qemu: qemuBinary(process.arch) });
  }

  /** The accelerator for the next boot. Throws AccelUnavailableError for a forced one that cannot work. */
  async choose(): Promise<AccelChoice> {
    if (this.opts.tcgOnly) return { accel: 'tcg', reason: this.opts.tcgOnly, forced: true };
    const setting = this.opts.setting();
    const auto = (this.opts.envOverride || setting) === 'auto';
    const verdict = auto ? this.opts.memory.recall(await this.hostKey()) : undefined;
    return chooseAccelerator({
      setting,
      envOverride: this.opts.envOverride,
      platform: this.opts.host?.platform ?? process.platform,
      remembered: verdict && {
        reason: `${verdict.reason}; remembered since ${verdict.at.slice(0, 10)}, retried after a kernel, QEMU, CPU or Berth change`,
        fallback: rememberedFallback(verdict),
      },
      // One probe per process (until forget): it spawns QEMU, and its answer does not change between boots.
      probe: () => (this.probed ??= (this.opts.probe ?? probeKvm)(this.opts.qemu)),
      hvf: () => (this.hvfChecked ??= (this.opts.hvf ?? (() => ({ ok: true })))(findExecutable(this.opts.qemu) ?? this.opts.qemu)),
    });
  }

  /** Records that a hardware accelerator broke a boot on this host, so later boots here go straight to TCG. */
  async remember(r: BootFailureRecord): Promise<void> {
    this.opts.memory.remember({ key: await this.hostKey(), failed: r.failed, reason: r.reason, stage: r.stage, cause: r.cause, at: new Date().toISOString() });
  }

  /** "Try hardware acceleration again": forgets the verdict and the checks, so the next boot asks afresh. */
  forget(): void {
    this.opts.memory.forget();
    this.probed = undefined;
    this.hvfChecked = undefined;
  }

  private hostKey(): Promise<AccelHostKey> {
    this.key ??= (this.opts.hostKey ?? ((q) => currentHostKey(q, this.opts.host)))(this.opts.qemu);
    return this.key;
  }
}

function rememberedFallback(v: AccelVerdict): AccelFallback {
  return { failed: v.failed, stage: v.stage ?? 'boot', cause: v.cause ?? v.reason, since: v.at };
}
