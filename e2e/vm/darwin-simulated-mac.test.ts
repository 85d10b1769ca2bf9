/**
 * Berth on a SIMULATED MAC HOST: the agent's host facts are darwin's
 * (BERTH_SIMULATE_HOST, read only by its entry point), and stand-ins for
 * macOS's QEMU, sysctl and codesign come first on PATH (e2e/fixtures/simulated-mac).
 * The stand-in QEMU refuses what macOS's refuses and runs the real QEMU with
 * hvf mapped to TCG, so the arm64 guest boots for real. On this x86_64 host
 * `darwin-arm64` is an x64 process on Apple Silicon: Rosetta's case.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { AgentClient } from '../../main/agent/agent-client';
import type { AgentStatus } from '../../main/agent/control-api';
import { freeLoopbackPort } from '../../main/common/free-port';
import { alive, berthCli, dumpLogsOnFailure, livePid, stopAndClean, until } from '../helpers/berth-cli';
import { foreignBusybox, importBusybox } from '../helpers/busybox-image';
import { dockerCli } from '../helpers/docker-cli';
import { simulatedMac } from '../helpers/simulated-mac';
import { untilServes } from '../helpers/http-get';

const ARM = 'berth-test/busybox:arm64';
const START_MS = 400_000;

describe('Berth on a simulated Apple Silicon Mac (an x64 process under Rosetta)', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-darwin-'));
  const shared = mkdtempSync(join(homedir(), '.berth-darwin-test-'));
  const mac = simulatedMac(home, 'darwin-arm64');
  beforeEach(dumpLogsOnFailure(home));
  const berth = berthCli({ BERTH_HOME: home, ...mac.env });
  const docker = dockerCli({ DOCKER_HOST: `unix://${join(home, 'docker.sock')}` });
  const status = () => JSON.parse(berth(['status', '--json']).stdout) as AgentStatus;
  const lastBoot = () => mac.boots().at(-1)!;
  const agentLog = () => readFileSync(join(home, 'logs', 'agent.log'), 'utf8');

  afterAll(() => {
    stopAndClean(home, berth, shared);
    mac.killLeftovers();
  });

  test("starts with hvf: no Linux-only option, GICv3 on Homebrew's QEMU, the host CPU", () => {
    mac.scenario('qemu-version=9.2.0');
    const r = berth(['start'], { timeoutMs: START_MS });
    expect(r.status, r.stderr).toBe(0);
    expect(status()).toMatchObject({ state: 'running', accel: 'hvf' });
    expect(status().accelFallback).toBeUndefined();
    const boot = lastBoot();
    expect(boot.kind).toBe('hvf-boot');
    expect(boot.args).toContain('-name berth ');
    expect(boot.args).not.toMatch(/process=|debug-threads|vhost|memfd|io_uring|kvm/);
    expect(boot.args).toContain('-M virt,gic-version=3 -accel hvf -cpu host');
    expect(agentLog()).toContain('agent: SIMULATED host: darwin arm64');
    expect(docker(['version', '--format', '{{.Server.Arch}}']).stdout.trim()).toBe('arm64');
  });

  test('docker run with a published port and a bind mount under $HOME', async () => {
    expect(importBusybox((tar) => docker(['import', '--platform', 'linux/arm64', tar, ARM]), foreignBusybox('arm64')).status).toBe(0);
    mkdirSync(join(shared, 'www'));
    writeFileSync(join(shared, 'www', 'index.html'), 'served from the Mac\n');
    const port = await freeLoopbackPort();
    const run = docker(['run', '-d', '--name', 'web', '-p', `127.0.0.1:${port}:80`, '-v', `${shared}/www:/www`, ARM, 'httpd', '-f', '-p', '80', '-h', '/www']);
    expect(run.status, run.stderr).toBe(0);
    expect(await untilServes(port, 'served from the Mac')).toBe(true);
    expect(docker(['rm', '-f', 'web']).status).toBe(0);
  });

  test('sleep and wake: the saved state resumes on the machine type QEMU resolved, with hvf', () => {
    const pid = status().pid!;
    expect(berth(['sleep'], { timeoutMs: 120_000 }).status).toBe(0);
    expect(status().state).toBe('sleeping');
    expect(alive(pid)).toBe(false);
    const v = docker(['version', '--format', '{{.Server.Version}}']);
    expect(v.status, v.stderr).toBe(0);
    expect(status()).toMatchObject({ state: 'running', accel: 'hvf' });
    // Read back through the zstd the agent found on PATH (Homebrew's, beside QEMU, on a Mac), or as it is without one.
    expect(lastBoot().args).toMatch(/-M virt-\d+\.\d+,gic-version=3 -accel hvf .*-S -incoming exec:(?:\S+\/zstd -d -c -q|cat) /);
    expect(docker(['image', 'inspect', ARM]).status).toBe(0);
  });

  test('the guest clock, as the Troubleshoot page shows it, is in step with the host after the wake', async () => {
    const clock = await new AgentClient(join(home, 'agent.sock')).request('clock');
    console.log(`guest clock ${clock.guest}, host ${clock.host}, skew ${clock.skewMs} ms`);
    expect(Math.abs(clock.skewMs)).toBeLessThan(2000);
    expect(Math.abs(Date.parse(clock.host) - Date.now())).toBeLessThan(10_000);
  });

  test('kill -9 of the agent: QEMU outlives it as on a Mac; the next start finds it with ps, stops it, and boots', async () => {
    const qemu = status().pid!;
    const agent = livePid(join(home, 'agent.pid'))!;
    process.kill(agent, 'SIGKILL');
    expect(await until(() => !alive(agent), 10_000)).toBe(true);
    // Nothing tied QEMU to the agent (no PR_SET_PDEATHSIG on a Mac): an orphan holding the disk's lock.
    expect(alive(qemu)).toBe(true);
    const r = berth(['start'], { timeoutMs: START_MS });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/lock/i);
    expect(alive(qemu)).toBe(false);
    expect(agentLog()).toContain(`vm: stopping QEMU ${qemu} left behind by a previous agent`);
    expect(status()).toMatchObject({ state: 'running', accel: 'hvf' });
    expect(status().pid).not.toBe(qemu);
  });

  test('cpus 10 on an M4 (SME): GICv3 takes all ten, and the CPU model is a cortex-a76, never `host`', () => {
    mac.scenario('qemu-version=9.2.0', 'sme');
    expect(berth(['config', 'set', 'cpus', '10']).status).toBe(0);
    const r = berth(['restart'], { timeoutMs: START_MS });
    expect(r.status, r.stderr).toBe(0);
    const boot = lastBoot();
    expect(boot.args).toContain('-M virt,gic-version=3 -accel hvf -cpu cortex-a76 -smp 10');
    expect(mac.invocations().filter((i) => i.kind === 'sme-abort')).toEqual([]);
    expect(docker(['run', '--rm', ARM, 'nproc']).stdout.trim()).toBe('10');
  });

  test('hvf that fails during boot: TCG in the same start, said loudly; "try again" boots with hvf once the fault is gone', () => {
    mac.scenario('qemu-version=9.2.0', 'hvf-fails');
    expect(berth(['config', 'set', 'cpus', '2']).status).toBe(0);
    const r = berth(['restart'], { timeoutMs: START_MS });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/HVF failed during boot \(HV error\); using software emulation/);
    const s = status();
    expect(s.accel).toBe('tcg');
    expect(s.accelFallback).toMatch(/^Running with software emulation \(slow\): hvf failed at launch: HV error/);
    const text = berth(['status']).stdout;
    expect(text).toContain(`WARNING:      ${s.accelFallback}`);
    expect(text).toContain('Try hardware acceleration again: berth accel retry');

    mac.scenario('qemu-version=9.2.0');
    const retry = berth(['accel', 'retry'], { timeoutMs: START_MS });
    expect(retry.status, retry.stderr).toBe(0);
    expect(status()).toMatchObject({ state: 'running', accel: 'hvf' });
    expect(status().accelFallback).toBeUndefined();
    expect(lastBoot().kind).toBe('hvf-boot');
  });

  test("a BERTH_HOME whose sockets would pass macOS's 104 bytes is refused at start, naming the path", () => {
    const deep = join(home, 'x'.repeat(104 - home.length - 1 - '/y/vm/control.sock'.length), 'y');
    const r = berthCli({ BERTH_HOME: deep, ...mac.env })(['start'], { timeoutMs: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`the socket path ${deep}/vm/control.sock is 104 bytes, but macOS takes at most 103; set BERTH_HOME to a shorter folder`);
  });
});

describe('Berth on a simulated Intel Mac', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-darwin-x64-'));
  const mac = simulatedMac(home, 'darwin-x64');
  beforeEach(dumpLogsOnFailure(home));
  const berth = berthCli({ BERTH_HOME: home, ...mac.env });

  afterAll(() => {
    stopAndClean(home, berth);
    mac.killLeftovers();
  });

  test('the amd64 guest with hvf, and the host CPU without AVX-512VL and 1 GiB pages', () => {
    mac.scenario('intel');
    const r = berth(['start'], { timeoutMs: START_MS });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(berth(['status', '--json']).stdout)).toMatchObject({ state: 'running', accel: 'hvf' });
    expect(mac.boots().at(-1)!.args).toContain('-M pc -accel hvf -cpu host,-avx512vl,-pdpe1gb');
    const docker = dockerCli({ DOCKER_HOST: `unix://${join(home, 'docker.sock')}` });
    expect(docker(['version', '--format', '{{.Server.Arch}}']).stdout.trim()).toBe('amd64');
  });
});
