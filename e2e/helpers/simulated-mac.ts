import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive } from './berth-cli';
import { readInvocations } from './invocation-log';

/** The SIMULATED MAC HOST's stand-ins (QEMU, sysctl, codesign): put first on PATH. Test fixtures, never shipped. */
export const SIMULATED_MAC_BIN = join(__dirname, '..', 'fixtures', 'simulated-mac');

/**
 * The environment for a Berth agent on a simulated Mac (`darwin-arm64` or
 * `darwin-x64`), with the stand-ins' scenario file and log under `dir`, and
 * what a test needs to steer and read them.
 */
export function simulatedMac(dir: string, host: 'darwin-arm64' | 'darwin-x64') {
  const scenarioFile = join(dir, 'mac-scenario');
  const logFile = join(dir, 'mac-qemu.log');
  writeFileSync(scenarioFile, '');
  const env = {
    BERTH_SIMULATE_HOST: host,
    PATH: `${SIMULATED_MAC_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    BERTH_SIM_MAC: scenarioFile,
    BERTH_SIM_LOG: logFile,
  };
  // Kinds: version, boot, hvf-boot, hvf-abort, sme-abort, refused.
  const invocations = () => readInvocations(logFile);
  return {
    env,
    /** Sets what the simulated Mac is: words of the stand-ins' scenario (sme, intel, hvf-fails, qemu-version=X, …). */
    scenario: (...words: string[]) => writeFileSync(scenarioFile, `${words.join('\n')}\n`),
    invocations,
    /** The QEMU launches that booted (or resumed) a guest, oldest first. */
    boots: () => invocations().filter((i) => i.kind === 'boot' || i.kind === 'hvf-boot'),
    /** Kills, by pid, every QEMU these stand-ins started that still runs: a failed test leaves none behind. */
    killLeftovers: () => {
      for (const b of invocations()) if (b.pid > 1 && alive(b.pid) && cmdline(b.pid).includes(dir)) process.kill(b.pid, 'SIGKILL');
    },
  };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}
