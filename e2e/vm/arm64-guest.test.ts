/**
 * The arm64 guest, the one Apple Silicon Macs run with hvf, booted here under
 * TCG (`-M virt -cpu cortex-a72`) through the real agent and socket. The test
 * sets BERTH_GUEST_ARCH=arm64 on purpose; the agent then boots the arm64 guest
 * image (`npm run vm-assets -- --arch arm64`) and forces software emulation. Its shares
 * are 9p, the Mac's path, on purpose.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { freeLoopbackPort } from '../../main/common/free-port';
import { berthCli, dumpLogsOnFailure, hermeticEnv, stopAndClean } from '../helpers/berth-cli';
import { foreignBusybox, importBusybox, importInotifyImage } from '../helpers/busybox-image';
import { checkLiveChanges, checkSameFilesBothSides } from '../helpers/share-checks';
import { dockerCli } from '../helpers/docker-cli';
import { untilServes } from '../helpers/http-get';

const ARM = 'berth-test/busybox:arm64';
const AMD = 'berth-test/busybox:amd64';
const ARM_WATCH = 'berth-test/inotify:arm64';

describe('the arm64 guest under TCG', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-arm64-'));
  // Under $HOME, which the VM shares at the same path.
  const shared = mkdtempSync(join(homedir(), '.berth-arm64-test-'));
  beforeEach(dumpLogsOnFailure(home));
  // 9p on purpose, as on the Macs that run this guest: their QEMU has no vhost-user for virtio-fs.
  const berth = berthCli({ BERTH_HOME: home, BERTH_GUEST_ARCH: 'arm64', BERTH_SHARE_OPTIONS: 'transport=9p' });
  const dockerEnv = { DOCKER_HOST: `unix://${join(home, 'docker.sock')}` };
  const docker = dockerCli(dockerEnv);
  const status = () => JSON.parse(berth(['status', '--json']).stdout) as { state: string; accel?: string; engineVersion?: string };

  beforeAll(() => {
    const r = berth(['start'], { timeoutMs: 400_000 });
    if (r.status !== 0) throw new Error(`berth start (arm64) failed: ${r.stderr}`);
    expect(importBusybox((tar) => docker(['import', '--platform', 'linux/arm64', tar, ARM]), foreignBusybox('arm64')).status).toBe(0);
    expect(importBusybox((tar) => docker(['import', '--platform', 'linux/amd64', tar, AMD])).status).toBe(0);
    expect(importInotifyImage((tar) => docker(['import', '--platform', 'linux/arm64', tar, ARM_WATCH]), 'arm64', foreignBusybox('arm64')).status).toBe(0);
  }, 600_000);

  afterAll(() => stopAndClean(home, berth, shared));

  test("the engine runs on arm64, under software emulation, with QEMU's virt board", () => {
    expect(status()).toMatchObject({ state: 'running', accel: 'tcg' });
    expect(docker(['version', '--format', '{{.Server.Arch}} {{.Server.Version}}']).stdout.trim()).toMatch(/^arm64 26\./);
    expect(readFileSync(join(home, 'logs', 'vm.log'), 'utf8')).toMatch(/BERTH-BOOT stage=ready/);
  });

  test('docker run passes stdin and the exit code', () => {
    const r = docker(['run', '-i', '--rm', ARM, 'sh', '-c', 'uname -m; cat; exit 3'], { input: 'from stdin\n' });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('aarch64\nfrom stdin\n');
  });

  test('a port published on 127.0.0.1 answers on the host', async () => {
    const port = await freeLoopbackPort();
    expect(docker(['run', '-d', '--name', 'arm-web', '-p', `127.0.0.1:${port}:80`, ARM, 'sh', '-c', 'mkdir -p /w && echo arm-web > /w/index.html && httpd -f -p 80 -h /w']).status).toBe(0);
    expect(await untilServes(port, 'arm-web')).toBe(true);
    docker(['rm', '-f', 'arm-web']);
  });

  test('a bind mount under $HOME goes both ways', () => {
    const r = docker(['run', '--rm', '-v', `${shared}:/data`, ARM, 'sh', '-c', 'echo written-in-arm64 > /data/out.txt']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(shared, 'out.txt'), 'utf8')).toBe('written-in-arm64\n');
  });

  test('files made in an arm64 container are the same on the host (symlinks, modes, hard links)', () => {
    const dir = join(shared, 'same');
    mkdirSync(dir);
    checkSameFilesBothSides(docker, ARM, dir);
  });

  test("host changes reach an arm64 container's inotify watcher within 1 s, without echoing its own writes", async () => {
    const dir = join(shared, 'live');
    mkdirSync(dir);
    await checkLiveChanges(docker, hermeticEnv(dockerEnv), ARM_WATCH, dir, (what, ms) => console.log(`arm64: ${what}: ${ms} ms`));
  });

  test('an amd64 image runs on the arm64 guest and says x86_64', () => {
    const r = docker(['run', '--rm', '--platform', 'linux/amd64', AMD, 'uname', '-m']);
    expect(r.stdout.trim(), r.stderr).toBe('x86_64');
  });

  test('stop, then start again: the images are kept', () => {
    expect(berth(['stop'], { timeoutMs: 120_000 }).status).toBe(0);
    const r = berth(['start'], { timeoutMs: 400_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']).stdout).toContain(ARM);
  });
});
