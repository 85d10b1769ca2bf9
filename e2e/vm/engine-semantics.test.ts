/**
 * What the Debian 13 guest gives the engine's users, one VM for the file:
 * Docker's own network semantics (the engine manages iptables: an --internal
 * network has no way out, user-defined networks cannot reach each other,
 * containers find each other by name, `--network host` discards published
 * ports as Docker documents); images of the other architecture through
 * binfmt_misc; and today's clients, Debian's buildx and compose v2 plugins in a
 * DOCKER_CONFIG of the test's own.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { berthCli, dumpLogsOnFailure, stopAndClean } from '../helpers/berth-cli';
import { freeLoopbackPort } from '../../main/common/free-port';
import { foreignBusybox, importBusybox } from '../helpers/busybox-image';
import { dockerConfigWithPlugins } from '../helpers/cli-plugins';
import { dockerCli } from '../helpers/docker-cli';

const IMG = 'berth-test/busybox:latest';
const ARM_IMG = 'berth-test/busybox-arm64:latest';
const HOST_SERVER = `require('http').createServer((q, r) => r.end('hello from the host')).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
/** An HTTP GET with busybox nc (its static wget crashes in glibc's resolver); prints the body's last line or nothing. */
const get = (host: string, port: number) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${port} | tail -1`;
const serve = (body: string) => `mkdir -p /w && echo ${body} > /w/index.html && httpd -f -p 80 -h /w`;

describe("the engine in the Debian 13 guest: networks, either architecture, today's clients", () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-net-'));
  beforeEach(dumpLogsOnFailure(home));
  const berth = berthCli({ BERTH_HOME: home });
  const dockerConfig = dockerConfigWithPlugins();
  const docker = dockerCli({ DOCKER_HOST: `unix://${join(home, 'docker.sock')}`, DOCKER_CONFIG: dockerConfig });
  const inNet = (net: string, script: string) => docker(['run', '--rm', ...(net ? ['--network', net] : []), IMG, 'sh', '-c', script]).stdout.trim();
  let hostPort = 0;
  let server: ReturnType<typeof spawn>;

  beforeAll(async () => {
    const r = berth(['start'], { timeoutMs: 300_000 });
    if (r.status !== 0) throw new Error(`berth start failed: ${r.stderr}`);
    expect(importBusybox((tar) => docker(['import', tar, IMG])).status).toBe(0);
    expect(importBusybox((tar) => docker(['import', '--platform', 'linux/arm64', tar, ARM_IMG]), foreignBusybox('arm64')).status).toBe(0);
    // The server runs in its own process: the docker calls block this one.
    server = spawn(process.execPath, ['-e', HOST_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    hostPort = await new Promise<number>((resolve) => server.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
    for (const [name, opts] of [
      ['berth-internal', ['--internal']],
      ['berth-a', []],
      ['berth-b', []],
    ] as const) {
      expect(docker(['network', 'create', ...opts, name]).status).toBe(0);
    }
  });

  afterAll(() => {
    server?.kill();
    stopAndClean(home, berth, dockerConfig);
  });

  test('a container on the default bridge or a user network reaches the host; one on an --internal network cannot', () => {
    expect(inNet('', get('10.0.2.2', hostPort))).toBe('hello from the host');
    expect(inNet('berth-a', get('10.0.2.2', hostPort))).toBe('hello from the host');
    expect(inNet('berth-internal', `${get('10.0.2.2', hostPort)}; ip route | grep -c default`)).toBe('0');
    // Not even with a default route added by hand (the container has NET_ADMIN here): the engine's rules drop it.
    const r = docker([
      'run',
      '--rm',
      '--cap-add',
      'NET_ADMIN',
      '--network',
      'berth-internal',
      IMG,
      'sh',
      '-c',
      `gw=$(ip -4 addr show eth0 | sed -n 's/.*inet \\([0-9.]*\\)\\.[0-9]*\\/.*/\\1.1/p'); ip route add default via $gw; ${get('10.0.2.2', hostPort)}`,
    ]);
    expect(r.stdout.trim()).toBe('');
  });

  test('two user-defined networks cannot reach each other; containers on one network resolve each other by name', () => {
    expect(docker(['run', '-d', '--name', 'web-b', '--network', 'berth-b', IMG, 'sh', '-c', serve('hello-b')]).status).toBe(0);
    const ipB = docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'web-b']).stdout.trim();
    expect(ipB).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(inNet('berth-b', get('web-b', 80))).toBe('hello-b');
    expect(inNet('berth-b', get(ipB, 80))).toBe('hello-b');
    expect(inNet('berth-a', get(ipB, 80))).toBe('');
    expect(inNet('', get(ipB, 80))).toBe('');
    docker(['rm', '-f', 'web-b']);
  });

  test("--network host discards published ports, as Docker documents, and the container shares the VM's network", () => {
    const r = docker(['run', '--rm', '--network', 'host', '-p', '18097:80', IMG, 'sh', '-c', 'ip -4 addr show eth0 | grep -c 10.0.2.15']);
    expect(r.stdout.trim()).toBe('1');
    expect(r.stderr).toMatch(/Published ports are discarded when using host network mode/);
  });

  test("an arm64 image made from Debian's arm64 busybox-static runs here and says aarch64", () => {
    const r = docker(['run', '--rm', '--platform', 'linux/arm64', ARM_IMG, 'uname', '-m']);
    expect(r.stdout.trim(), r.stderr).toBe('aarch64');
    expect(docker(['image', 'inspect', '-f', '{{.Architecture}}', ARM_IMG]).stdout.trim()).toBe('arm64');
  });

  test('buildx: a BuildKit build with a cache mount, for the other architecture, runs its RUN steps emulated', () => {
    const ctx = mkdtempSync(join(tmpdir(), 'berth-buildx-'));
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${ARM_IMG}\nRUN --mount=type=cache,target=/cache uname -m > /built-on && echo kept >> /cache/runs\n`);
    const b = docker(['buildx', 'build', '--platform', 'linux/arm64', '-t', 'berth-test/buildx-arm64', '--load', ctx], { timeoutMs: 240_000 });
    expect(b.status, b.stderr.slice(-2000)).toBe(0);
    expect(docker(['run', '--rm', '--platform', 'linux/arm64', 'berth-test/buildx-arm64', 'cat', '/built-on']).stdout.trim()).toBe('aarch64');
    rmSync(ctx, { recursive: true, force: true });
  });

  test('compose v2: up --wait with a healthcheck dependency, a port on 127.0.0.1, then down', async () => {
    const port = await freeLoopbackPort();
    const proj = mkdtempSync(join(tmpdir(), 'berth-compose2-'));
    mkdirSync(proj, { recursive: true });
    writeFileSync(
      join(proj, 'compose.yaml'),
      [
        'services:',
        '  web:',
        `    image: ${IMG}`,
        '    command: sh -c "mkdir -p /w && echo compose-v2 > /w/index.html && httpd -f -p 80 -h /w"',
        '    healthcheck: { test: ["CMD", "test", "-s", "/w/index.html"], interval: 1s, retries: 30 }',
        `    ports: ["127.0.0.1:${port}:80"]`,
        '  client:',
        `    image: ${IMG}`,
        '    command: sleep 300',
        '    depends_on: { web: { condition: service_healthy } }',
        '',
      ].join('\n'),
    );
    const compose = (...args: string[]) => docker(['compose', '--project-directory', proj, '-p', 'berthv2', ...args], { timeoutMs: 240_000 });
    const up = compose('up', '-d', '--wait');
    expect(up.status, up.stderr.slice(-2000)).toBe(0);
    const got = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
    expect((await got.text()).trim()).toBe('compose-v2');
    expect(compose('down', '-t', '1').status).toBe(0);
    rmSync(proj, { recursive: true, force: true });
  });
});
