import { spawn } from 'node:child_process';
import { ACCEL_SETTINGS, type AccelChoice, type AccelFallback, type AccelSetting, type MachineHost } from '../accel';
import type { HvfAvailability } from '../host-facts';
import type { QemuVersion } from './qemu-version';
import type { Virtiofsd } from '../share-transport';

/** What one QEMU boot runs on; the argument builder is pure over it. */
export interface BootHost extends MachineHost {
  /** The QEMU that runs the boot, read once per start. */
  qemu: QemuVersion;
  /** Apple Silicon with SME, whose `-cpu host` QEMU cannot run under hvf. */
  sme: boolean;
  /** QEMU can be tied to the agent's life (HostFacts.childDiesWithParent: Linux's PR_SET_PDEATHSIG); on macOS the next agent reaps an orphan instead. */
  childDiesWithParent: boolean;
  /** The zstd that compresses a saved state, where the host has one (saved-state.ts). */
  stateCompressor?: string;
  /** The virtiofsd that can serve the shares over virtio-fs (HostFacts.virtiofsd), where the host has one. */
  virtiofsd?: Virtiofsd;
}

/** A forced accelerator that cannot work here; the message says what to do. */
export class AccelUnavailableError extends Error {}

/** The outcome of a KVM probe. */
export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/**
 * Builds a KVM machine, resets its vCPU and quits through QMP: the steps a boot
 * takes before the first guest instruction. It catches hosts that refuse KVM at
 * once ("failed to set MSR"); it cannot catch a vCPU that dies once the guest
 * runs, which the boot watchdog handles.
 */
export function probeKvm(qemu: string, timeoutMs = 10_000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const args = ['-accel', 'kvm', '-cpu', 'host', '-M', 'pc', '-nodefaults', '-display', 'none', '-S', '-qmp', 'stdio', '-no-user-config'];
    const child = spawn(qemu, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => undefined);
    child.stdin.end('{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n');
    const done = (ok: boolean, extra = '') => {
      clearTimeout(timer);
      const lines = `${stderr}${extra}`.trim().split('\n').filter(Boolean);
      // The first line names the cause; later ones are assertion noise.
      resolve({ ok, detail: ok ? '' : (lines.find((l) => /error|fail|could not/i.test(l)) ?? lines[0] ?? 'no detail') });
    };
    child.on('error', (e) => done(false, e.message));
    child.on('exit', (code, signal) => done(code === 0, code === null ? `killed by ${signal}` : ''));
  });
}

/** Everything the choice depends on; injected so it is tested without QEMU or the caller's environment. */
export interface AccelInputs {
  setting: AccelSetting;
  /** BERTH_ACCEL of the agent process, if set: it overrides the setting for that process. */
  envOverride?: string;
  platform: NodeJS.Platform;
  /** A remembered verdict for this host: hardware acceleration failed during boot here. */
  remembered?: { reason: string; fallback: AccelFallback };
  probe: () => Promise<ProbeResult>;
  /** On macOS: whether hvf can run this QEMU (kern.hv_support, the hypervisor entitlement). */
  hvf?: () => HvfAvailability;
}

/**
 * Picks the accelerator for the next boot. `auto`: hvf on macOS, KVM on Linux
 * when its probe passes and no boot on this host has failed with it, TCG
 * otherwise. A forced accelerator that cannot work throws AccelUnavailableError.
 */
export async function chooseAccelerator(i: AccelInputs): Promise<AccelChoice> {
  let setting: AccelSetting = i.setting;
  let source = `the accelerator setting`;
  if (i.envOverride !== undefined && i.envOverride !== '') {
    if (!(ACCEL_SETTINGS as readonly string[]).includes(i.envOverride)) {
      throw new AccelUnavailableError(`BERTH_ACCEL=${i.envOverride} is not an accelerator; use one of ${ACCEL_SETTINGS.join(', ')}`);
    }
    setting = i.envOverride as AccelSetting;
    source = `BERTH_ACCEL=${setting}`;
  }
  const fix = source.startsWith('BERTH_ACCEL') ? 'unset BERTH_ACCEL' : 'run `berth config set accelerator auto`';

  if (setting === 'tcg') return { accel: 'tcg', reason: `set by ${source}`, forced: true };
  if (setting === 'hvf') {
    if (i.platform !== 'darwin') throw new AccelUnavailableError(`${source} asks for hvf, which exists only on macOS; ${fix}`);
    const h = i.hvf?.() ?? { ok: true };
    if (!h.ok) throw new AccelUnavailableError(`${source} asks for hvf, but ${h.reason}; ${fix} to use software emulation`);
    return { accel: 'hvf', reason: `set by ${source}`, forced: true };
  }
  if (setting === 'kvm') {
    if (i.platform !== 'linux') throw new AccelUnavailableError(`${source} asks for KVM, which exists only on Linux; ${fix}`);
    const p = await i.probe();
    if (!p.ok) throw new AccelUnavailableError(`${source} asks for KVM, but KVM does not work on this host (${p.detail}); ${fix} to use software emulation`);
    return { accel: 'kvm', reason: `set by ${source} (KVM probe passed)`, forced: true };
  }

  return autoChoice(i);
}

/** `auto`: the host's hardware accelerator where it works, TCG otherwise, never silently (each fallback says why). */
async function autoChoice(i: AccelInputs): Promise<AccelChoice> {
  if (i.platform !== 'darwin' && i.platform !== 'linux') {
    return { accel: 'tcg', reason: `no hardware accelerator support on ${i.platform}`, forced: false };
  }
  if (i.remembered) return { accel: 'tcg', reason: i.remembered.reason, forced: false, fallback: i.remembered.fallback };
  if (i.platform === 'darwin') {
    const h = i.hvf?.() ?? { ok: true };
    if (!h.ok) return { accel: 'tcg', reason: `hvf is unavailable: ${h.reason}`, forced: false, fallback: { failed: 'hvf', stage: 'its check', cause: h.reason ?? 'unknown' } };
    return { accel: 'hvf', reason: 'macOS Hypervisor.framework', forced: false };
  }
  const p = await i.probe();
  if (p.ok) return { accel: 'kvm', reason: 'KVM probe passed', forced: false };
  return { accel: 'tcg', reason: `KVM probe failed (${p.detail}); using software emulation`, forced: false, fallback: { failed: 'kvm', stage: 'its probe', cause: p.detail } };
}
