/**
 * Boots the real guest image under QEMU and drives its engine with the host's
 * docker CLI over mutual TLS, through the 127.0.0.1 hostfwd. One VM for the
 * whole file; it is powered off and booted once more to check persistence.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freeLoopbackPort } from '../../main/common/free-port';
import { hostBase } from '../../main/vm/accel';
import { currentHost } from '../../main/vm/host-facts';
import { readQemuVersion } from '../../main/vm/qemu/qemu-version';
import { qemuBinary } from '../../main/vm/qemu/qemu-args';
import { AccelPolicy } from '../../main/vm/qemu/accel-policy';
import { loadAssets } from '../../main/vm/assets';
import { bootVm } from '../../main/vm/qemu/vm-boot';
import type { VmInstance } from '../../main/vm/qemu/vm-instance';
import { importBusybox } from '../helpers/busybox-image';
import { dockerCli, tlsDockerEnv } from '../helpers/docker-cli';

const IMG = 'berth-test/busybox:latest';
const RESOURCES = { cpus: 2, memoryMiB: 2048, diskGiB: 64 };

describe('guest image under QEMU', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-guest-'));
  const assets = loadAssets();
  // auto, with its own verdict file: it falls back from a broken KVM the way the agent does.
  const accel = AccelPolicy.auto(join(dir, 'accel-verdict.json'));
  let vm: VmInstance;
  let docker: ReturnType<typeof dockerCli>;
  const consoleLines: string[] = [];
  const log = { info: () => undefined, warn: (...a: unknown[]) => consoleLines.push(a.join(' ')), error: (...a: unknown[]) => consoleLines.push(a.join(' ')) };

  async function boot(): Promise<VmInstance> {
    const v = await bootVm({
      dir: join(dir, 'vm'),
      res: RESOURCES,
      assets,
      host: { ...hostBase(currentHost()), qemu: readQemuVersion(qemuBinary(process.arch)), sme: false, childDiesWithParent: true },
      enginePort: await freeLoopbackPort(),
      accel,
      log,
      onAttempt: (attempt) => attempt.on('console', (l: string) => consoleLines.push(l)),
      ready: (attempt) => attempt.waitEngine(180_000),
    });
    docker = dockerCli(tlsDockerEnv(v.enginePort, v.tls.dir));
    return v;
  }

  beforeAll(async () => {
    vm = await boot();
  });

  afterAll(async () => {
    await vm?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the engine is Debian dockerd, reached over mutual TLS', () => {
    const r = docker(['version', '--format', '{{.Server.Version}} {{.Server.Os}}']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^26\.\d+\.\d+\S* linux$/);
  });

  test('a local busybox image imports and runs with the expected output', () => {
    const imp = importBusybox((tar) => docker(['import', tar, IMG]));
    expect(imp.status, imp.stderr).toBe(0);
    const r = docker(['run', '--rm', IMG, 'echo', 'hello from berth']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello from berth\n');
  });

  test('stdin reaches the container: echo hi | docker run -i --rm IMG cat', () => {
    const r = docker(['run', '-i', '--rm', IMG, 'cat'], { input: 'hi\n' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('hi\n');
  });

  test('exit codes come back from the container', () => {
    expect(docker(['run', '--rm', IMG, 'sh', '-c', 'exit 7']).status).toBe(7);
  });

  test('a classic docker build of a one-line Dockerfile', () => {
    const ctx = join(dir, 'ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${IMG}\nRUN echo built-by-berth > /stamp\n`);
    const b = docker(['build', '-q', '-t', 'berth-test/built', ctx]);
    expect(b.status, b.stderr).toBe(0);
    const r = docker(['run', '--rm', 'berth-test/built', 'cat', '/stamp']);
    expect(r.stdout).toBe('built-by-berth\n');
  });

  test('under TCG only dockerd runs without address randomization; containers always keep it', () => {
    // ADDR_NO_RANDOMIZE in a process's personality (see rc.boot and TCG_CMDLINE).
    const NO_RANDOMIZE = 0x0040000;
    const personality = (script: string, ...flags: string[]) => {
      const r = docker(['run', '--rm', ...flags, IMG, 'sh', '-c', script]);
      expect(r.status, r.stderr).toBe(0);
      return parseInt(r.stdout.trim(), 16);
    };
    const dockerd = personality('cat /proc/$(pidof dockerd)/personality', '--pid=host', '--privileged');
    expect(Boolean(dockerd & NO_RANDOMIZE)).toBe(vm.host.accel === 'tcg');
    expect(personality('cat /proc/self/personality') & NO_RANDOMIZE).toBe(0);
  });

  test('a client without the client certificate is refused', async () => {
    // Only the CA: the TLS handshake succeeds for the client's side of TLS 1.3,
    // then the server's certificate-required alert kills the connection.
    const failure = await new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: vm.enginePort, ca: readFileSync(vm.tls.ca), servername: 'localhost' });
      let answered = '';
      s.on('secureConnect', () => s.write('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n'));
      s.on('data', (d) => (answered += d.toString()));
      s.on('error', (e) => resolve(`error: ${e.message}`));
      s.on('close', () => resolve(answered ? `answered: ${answered}` : 'closed without answer'));
    });
    expect(failure).toMatch(/^(error|closed without answer)/);
    expect(failure).not.toMatch(/OK/);

    const noCertDir = join(dir, 'ca-only');
    mkdirSync(noCertDir, { recursive: true });
    copyFileSync(vm.tls.ca, join(noCertDir, 'ca.pem'));
    const cli = dockerCli(tlsDockerEnv(vm.enginePort, noCertDir));
    const r = cli(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 20_000 });
    expect(r.status).not.toBe(0);
  });

  test('ACPI power-off: QEMU exits by itself within 15 s, and images survive a reboot', async () => {
    const t0 = Date.now();
    const exited = await vm.powerdown(15_000);
    const seconds = (Date.now() - t0) / 1000;
    expect(exited, `QEMU still running 15 s after system_powerdown; console tail:\n${consoleLines.slice(-15).join('\n')}`).toBe(true);
    expect(vm.qemu?.running).toBe(false);
    console.log(`powerdown took ${seconds.toFixed(1)} s`);
    expect(consoleLines.some((l) => l.includes('BERTH-BOOT stage=poweroff'))).toBe(true);

    consoleLines.length = 0;
    vm = await boot();
    expect(
      consoleLines.some((l) => l.includes('stage=format')),
      'the data disk must not be formatted twice',
    ).toBe(false);
    const r = docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(r.stdout.split('\n')).toContain(IMG);
    expect(docker(['run', '--rm', 'berth-test/built', 'cat', '/stamp']).stdout).toBe('built-by-berth\n');
  });
});
