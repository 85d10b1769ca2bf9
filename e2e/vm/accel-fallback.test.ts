/**
 * Berth starts on every host: the boot watchdog and the accelerator fallback,
 * through the real CLI, agent and guest. A FAULT INJECTOR stands in for
 * qemu-system-x86_64 on PATH (e2e/fixtures/fault-injector): it runs the real
 * QEMU, adding exactly the failure seen on hosts where KVM passes its probe and
 * the guest's vCPU then dies, or a guest that freezes after a given boot stage.
 * Nothing here depends on this machine's own KVM or on the caller's BERTH_ACCEL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { AgentStatus } from '../../main/agent/control-api';
import { alive, berthCli, CLI, dumpLogsOnFailure, hermeticEnv, livePid, signal, until } from '../helpers/berth-cli';
import { readInvocations } from '../helpers/invocation-log';

const INJECTOR_DIR = join(__dirname, '..', 'fixtures', 'fault-injector');

const homes: string[] = [];

/** A fresh Berth home whose agent finds the fault injector first on PATH. */
function faultyBerth(fault: string) {
  const home = mkdtempSync(join(tmpdir(), 'berth-accel-'));
  homes.push(home);
  const log = join(home, 'fault.log');
  const env = {
    BERTH_HOME: home,
    DOCKER_CONFIG: join(home, 'docker-config'),
    PATH: `${INJECTOR_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    BERTH_FAULT: fault,
    BERTH_FAULT_LOG: log,
  };
  const invocations = () => readInvocations(log);
  return { home, berth: berthCli(env), invocations, env };
}

afterEach(async () => {
  for (const home of homes.splice(0)) {
    const pid = livePid(join(home, 'agent.pid'));
    if (pid) {
      spawnSync(process.execPath, [CLI, 'stop'], { env: hermeticEnv({ BERTH_HOME: home }), timeout: 60_000 });
      signal(pid, 'SIGTERM');
      await until(() => livePid(join(home, 'agent.pid')) === undefined, 10_000);
    }
    rmSync(home, { recursive: true, force: true });
  }
});

describe.runIf(process.platform === 'linux')('accelerator fallback and boot watchdog', () => {
  test('KVM that passes its probe and dies during boot: one line, TCG in the same start, remembered for the next', (ctx) => {
    const { home, berth, invocations, env } = faultyBerth('kvm-emulation-failure');
    dumpLogsOnFailure(home)(ctx);
    const t0 = Date.now();
    const start = berth(['start'], { timeoutMs: 240_000 });
    expect(start.status, start.stderr).toBe(0);
    expect(start.stderr).toContain('KVM failed during boot (emulation failure); using software emulation, which is slower. Details: berth logs vm');

    // The broken KVM boot and the TCG boot that followed it, in that order.
    const boots = invocations().filter((i) => i.kind === 'kvm-boot' || i.kind === 'boot');
    expect(boots.map((b) => b.kind)).toEqual(['kvm-boot', 'boot']);
    expect(boots[1].args).toContain('-accel tcg');
    // Everything before the TCG launch (agent, probe, the dead KVM attempt) took < 15 s,
    // so the start reached running within the TCG boot time plus 15 s.
    const overhead = boots[1].at - t0;
    console.log(`fallback: TCG boot launched ${(overhead / 1000).toFixed(1)} s after \`berth start\` began; start took ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
    expect(overhead).toBeLessThan(15_000);
    // The dead KVM QEMU is gone.
    expect(alive(boots[0].pid)).toBe(false);

    const status = JSON.parse(berth(['status', '--json']).stdout) as AgentStatus;
    expect(status.state).toBe('running');
    expect(status.accel).toBe('tcg');
    expect(status.accelReason).toMatch(/^KVM failed during boot on this host \(emulation failure\)/);
    const docker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
      env: hermeticEnv({ ...env, DOCKER_HOST: `unix://${join(home, 'docker.sock')}` }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(docker.status, docker.stderr).toBe(0);

    expect(berth(['stop'], { timeoutMs: 60_000 }).status).toBe(0);
    const before = invocations().length;
    const again = berth(['start'], { timeoutMs: 240_000 });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('KVM failed');
    // Straight to TCG: no KVM boot and not even a probe.
    const second = invocations().slice(before);
    expect(second.map((i) => i.kind)).toEqual(expect.arrayContaining(['boot']));
    expect(second.filter((i) => i.kind.startsWith('kvm'))).toEqual([]);
    const s2 = JSON.parse(berth(['status', '--json']).stdout) as AgentStatus;
    expect(s2.accel).toBe('tcg');
    expect(s2.accelReason).toMatch(/emulation failure.*remembered since/);
    expect(berth(['status']).stdout).toMatch(/Accelerator: +tcg \(KVM failed during boot on this host/);
  });

  test('a forced KVM that dies during boot is a clear error, not a silent fallback', (ctx) => {
    const { home, berth, invocations } = faultyBerth('kvm-emulation-failure');
    dumpLogsOnFailure(home)(ctx);
    writeFileSync(join(home, 'settings.json'), JSON.stringify({ accelerator: 'kvm' }));
    const r = berth(['start'], { timeoutMs: 120_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('the VM did not start: KVM failed during boot (emulation failure)');
    expect(r.stderr).toContain('the accelerator is set by the accelerator setting (KVM probe passed), so Berth does not fall back to software emulation');
    expect(r.stderr).toContain('[qemu] KVM internal error. Suberror: 1');
    expect(invocations().filter((i) => i.kind === 'boot')).toEqual([]);
    const status = JSON.parse(berth(['status', '--json']).stdout) as AgentStatus;
    expect(status.state).toBe('error');
    expect(status.lastError).toContain('KVM failed during boot');
  });

  test("a guest that hangs after a boot stage ends within that stage's bound, naming the stage", async (ctx) => {
    const { home, berth, invocations } = faultyBerth('stall-after:modules');
    dumpLogsOnFailure(home)(ctx);
    // TCG on purpose: the bound under test is the software-emulation one (20 s after "modules").
    writeFileSync(join(home, 'settings.json'), JSON.stringify({ accelerator: 'tcg' }));
    const t0 = Date.now();
    const r = berth(['start'], { timeoutMs: 180_000 });
    const took = Date.now() - t0;
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('the VM did not start: the boot stalled after boot stage "modules": no progress for 20 s');
    expect(r.stderr).toContain('last console lines:');
    expect(r.stderr).toContain('details: berth logs vm');
    expect(r.stderr).not.toMatch(/cancelled/);
    const boot = invocations().find((i) => i.kind === 'stall-boot')!;
    // The guest reached "modules" within its own bounds, then 20 s passed: well inside 20 s + a launch.
    console.log(`stall: start failed ${(took / 1000).toFixed(1)} s after it began (bound 20 s after "modules")`);
    expect(took).toBeLessThan(20_000 + 45_000);
    expect(took).toBeGreaterThan(20_000);
    // The frozen QEMU was killed, by the pid the injector started.
    expect(await until(() => !alive(boot.pid), 5000)).toBe(true);
  });
});
