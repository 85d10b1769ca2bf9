/**
 * Published ports on 127.0.0.1, host folders at the same path, and the way
 * out to the host, against a real VM. One BERTH_HOME and one VM for the file.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { AgentStatus } from '../../main/agent/control-api';
import { berthCli, until, dumpLogsOnFailure, hermeticEnv, stopAndClean } from '../helpers/berth-cli';
import { importBusybox } from '../helpers/busybox-image';
import { dockerCli } from '../helpers/docker-cli';

const IMG = 'berth-test/busybox:latest';
/** A one-line HTTP server on the host loopback that prints its port. */
const HOST_SERVER = `require('http').createServer((q, r) => r.end('hello from the host')).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;

/** GET http://127.0.0.1:port/ with a short timeout; undefined if nothing answers. */
function httpGet(port: number, timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

describe('ports, host folders and host access', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-net-'));
  beforeEach(dumpLogsOnFailure(home));
  const env = { BERTH_HOME: home, DOCKER_CONFIG: join(home, 'docker-config') };
  const berth = berthCli(env);
  const socket = join(home, 'docker.sock');
  const docker = dockerCli({ DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: env.DOCKER_CONFIG });
  const shellEnv = hermeticEnv({ ...env, DOCKER_HOST: `unix://${socket}` });
  const status = () => JSON.parse(berth(['status', '--json']).stdout) as AgentStatus;
  // Under $HOME, which Berth shares into the VM at the same path.
  const shared = mkdtempSync(join(homedir(), '.berth-test-share-'));

  beforeAll(() => {
    mkdirSync(env.DOCKER_CONFIG, { recursive: true });
    const r = berth(['start']);
    if (r.status !== 0) throw new Error(`berth start failed: ${r.stderr}`);
    importBusybox((tar) => docker(['import', tar, IMG]));
  });

  afterAll(() => stopAndClean(home, berth, shared));

  test('a published TCP port answers on 127.0.0.1 within 1 s of docker run, and closes after docker stop', async () => {
    const run = docker(['run', '-d', '--name', 'web-18080', '-p', '18080:80', IMG, 'sh', '-c', 'mkdir -p /www && echo hello-18080 > /www/index.html && httpd -f -p 80 -h /www']);
    const t0 = Date.now();
    expect(run.status, run.stderr).toBe(0);
    let body: string | undefined;
    await until(async () => (body = await httpGet(18080, 500)) === 'hello-18080\n', 10_000, 50);
    const ms = Date.now() - t0;
    console.log(`published port answered ${ms} ms after docker run returned`);
    expect(body).toBe('hello-18080\n');
    expect(ms).toBeLessThan(1000);
    expect(status().ports).toContainEqual({ proto: 'tcp', port: 18080, container: 'web-18080' });

    expect(docker(['stop', '-t', '1', 'web-18080']).status).toBe(0);
    expect(await until(async () => (await httpGet(18080, 300)) === undefined, 5000)).toBe(true);
    expect(status().ports.some((p) => p.port === 18080)).toBe(false);
    docker(['rm', 'web-18080']);
  });

  test("whatever host address a port is published on (127.0.0.1, 0.0.0.0, or -P), it answers on the host's 127.0.0.1", async () => {
    const web = (name: string, publish: string[]) => docker(['run', '-d', '--name', name, ...publish, IMG, 'sh', '-c', `mkdir -p /www && echo ${name} > /www/index.html && httpd -f -p 80 -h /www`]);
    expect(web('loopback-18082', ['-p', '127.0.0.1:18082:80']).status).toBe(0);
    expect(web('any-18083', ['-p', '0.0.0.0:18083:80']).status).toBe(0);
    expect(web('random-port', ['-P', '--expose', '80']).status).toBe(0);
    const random = Number(/:(\d+)\s*$/m.exec(docker(['port', 'random-port', '80/tcp']).stdout)?.[1]);
    expect(random).toBeGreaterThan(0);
    for (const [port, name] of [
      [18082, 'loopback-18082'],
      [18083, 'any-18083'],
      [random, 'random-port'],
    ] as const) {
      expect(await until(async () => (await httpGet(port, 500)) === `${name}\n`, 10_000, 100), `${name} on 127.0.0.1:${port}`).toBe(true);
    }
    docker(['rm', '-f', 'loopback-18082', 'any-18083', 'random-port']);
  });

  test('a published UDP port echoes through 127.0.0.1', async () => {
    const ctx = join(home, 'udp');
    mkdirSync(ctx, { recursive: true });
    execFileSync('cc', ['-static', '-O2', '-o', join(ctx, 'udp-echo'), join(__dirname, '..', 'fixtures', 'udp-echo.c')]);
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${IMG}\nCOPY udp-echo /udp-echo\nCMD ["/udp-echo", "53"]\n`);
    expect(docker(['build', '-q', '-t', 'berth-test/udp-echo', ctx]).status).toBe(0);
    expect(docker(['run', '-d', '--name', 'udp-echo', '-p', '15353:53/udp', 'berth-test/udp-echo']).status).toBe(0);
    const sock = createSocket('udp4');
    let reply = '';
    sock.on('message', (m) => (reply = m.toString()));
    const got = await until(
      () => {
        sock.send('ping-udp', 15353, '127.0.0.1');
        return reply === 'ping-udp';
      },
      10_000,
      300,
    );
    sock.close();
    expect(got).toBe(true);
    docker(['rm', '-f', 'udp-echo']);
  });

  test('two containers on one host port: the second is refused clearly, the first keeps serving', async () => {
    const serve = (name: string) => docker(['run', '-d', '--name', name, '-p', '18081:80', IMG, 'sh', '-c', `mkdir -p /www && echo ${name} > /www/index.html && httpd -f -p 80 -h /www`]);
    expect(serve('first-18081').status).toBe(0);
    const second = serve('second-18081');
    expect(second.status).not.toBe(0);
    expect(second.stderr).toMatch(/port is already allocated|address already in use/);
    expect(await until(async () => (await httpGet(18081)) === 'first-18081\n', 5000)).toBe(true);
    docker(['rm', '-f', 'first-18081', 'second-18081']);
  });

  test('a host port taken by another program is a reported conflict; the container keeps running', async () => {
    const blocker = createTcpServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      expect(docker(['run', '-d', '--name', 'conflicted', '-p', `${port}:80`, IMG, 'sleep', '300']).status).toBe(0);
      const seen = await until(() => status().portConflicts.some((c) => c.port === port && c.container === 'conflicted'), 5000);
      expect(seen).toBe(true);
      expect(berth(['status']).stdout).toMatch(new RegExp(`Port conflict: 127.0.0.1:${port}/tcp for conflicted`));
      expect(docker(['inspect', '-f', '{{.State.Running}}', 'conflicted']).stdout.trim()).toBe('true');
    } finally {
      blocker.close();
      docker(['rm', '-f', 'conflicted']);
    }
  });

  test('status lists the home directory as shared', () => {
    expect(status().sharedPaths).toContain(homedir());
  });

  test('bind mounts under $HOME: host → container, container → host with owner, 50 MB round trip', () => {
    writeFileSync(join(shared, 'from-host.txt'), 'written on the host\n');
    const read = docker(['run', '--rm', '-v', `${shared}:/src`, IMG, 'cat', '/src/from-host.txt']);
    expect(read.stdout).toBe('written on the host\n');

    expect(docker(['run', '--rm', '-v', `${shared}:/src`, IMG, 'sh', '-c', 'echo written in the container > /src/from-container.txt']).status).toBe(0);
    expect(readFileSync(join(shared, 'from-container.txt'), 'utf8')).toBe('written in the container\n');
    const st = statSync(join(shared, 'from-container.txt'));
    expect(st.uid).toBe(process.getuid!());
    expect(st.gid).toBe(process.getgid!());

    const blob = randomBytes(50 * 1024 * 1024);
    const want = createHash('sha256').update(blob).digest('hex');
    writeFileSync(join(shared, 'big.bin'), blob);
    const inGuest = docker(['run', '--rm', '-v', `${shared}:/src`, IMG, 'sh', '-c', 'sha256sum /src/big.bin && cp /src/big.bin /src/big-copy.bin'], { timeoutMs: 300_000 });
    expect(inGuest.stdout.split(/\s/)[0]).toBe(want);
    expect(
      createHash('sha256')
        .update(readFileSync(join(shared, 'big-copy.bin')))
        .digest('hex'),
    ).toBe(want);
  });

  /** Writes a one-service compose project in `proj` with a relative bind mount, brings it up, and checks the file is served. */
  async function composeServes(proj: string, name: string, port: number, text: string): Promise<void> {
    mkdirSync(join(proj, 'site'), { recursive: true });
    writeFileSync(join(proj, 'site', 'index.html'), text);
    writeFileSync(
      join(proj, 'docker-compose.yml'),
      ['version: "3"', 'services:', '  web:', `    image: ${IMG}`, '    command: httpd -f -p 80 -h /www', '    volumes:', '      - ./site:/www', '    ports:', `      - "${port}:80"`, ''].join('\n'),
    );
    const compose = (args: string[]) => spawnSync('docker-compose', ['-p', name, ...args], { cwd: proj, env: shellEnv, encoding: 'utf8', timeout: 180_000 });
    const up = compose(['up', '-d']);
    expect(up.status, up.stderr).toBe(0);
    try {
      expect(await until(async () => (await httpGet(port)) === text, 10_000)).toBe(true);
    } finally {
      expect(compose(['down']).status).toBe(0);
    }
  }

  test('docker-compose with a relative bind mount and a published port works from its project directory', async () => {
    await composeServes(join(shared, 'compose-proj'), 'berthrel', 18090, 'served from a relative bind mount\n');
  });

  test('a compose project under the shared temp folder serves its bind-mounted file', async () => {
    // /tmp is shared by default: tools that bind-mount a mktemp -d folder must see its files.
    const proj = mkdtempSync(join('/tmp', 'berth-compose-'));
    try {
      await composeServes(proj, 'berthtmp', 18095, 'served from /tmp\n');
    } finally {
      rmSync(proj, { recursive: true, force: true });
    }
  });

  test('a bind of a host folder the VM cannot see fails with "Mounts denied", through the docker CLI and docker-py, leaving no container', () => {
    // /var/tmp exists on the host and is not shared.
    const unshared = mkdtempSync(join('/var/tmp', 'berth-unshared-'));
    try {
      const count = () => docker(['ps', '-aq']).stdout.trim().split('\n').filter(Boolean).length;
      const before = count();
      const cli = docker(['run', '--rm', '-v', `${unshared}:/site`, IMG, 'ls', '/site']);
      expect(cli.status).not.toBe(0);
      expect(cli.stderr).toContain(`Mounts denied: the path ${unshared} is not shared from the host, so the container would see an empty folder.`);
      expect(cli.stderr).toContain(`berth config set sharedPaths ${unshared} && berth restart`);
      const py = spawnSync(
        'python3',
        [
          '-c',
          `import docker\ntry:\n  docker.from_env().containers.run('${IMG}', 'true', volumes={'${unshared}': {'bind': '/site'}}, remove=True)\nexcept docker.errors.APIError as e:\n  print('APIError', e.explanation)`,
        ],
        { env: shellEnv, encoding: 'utf8', timeout: 60_000 },
      );
      expect(py.stdout, py.stderr).toContain(`APIError Mounts denied: the path ${unshared} is not shared from the host`);
      // The --mount form is checked too.
      expect(docker(['create', '--mount', `type=bind,source=${unshared},target=/x`, IMG]).stderr).toContain('Mounts denied');
      expect(count()).toBe(before);
      // Guest-only paths and named volumes still work, and so does the connection after a refusal.
      expect(docker(['run', '--rm', '-v', '/var/lib/docker:/d:ro', '-v', 'berth-named:/data', IMG, 'true']).status).toBe(0);
      expect(docker(['volume', 'rm', 'berth-named']).status).toBe(0);
    } finally {
      rmSync(unshared, { recursive: true, force: true });
    }
  });

  test('containers resolve host.docker.internal and reach a server on the host loopback', async () => {
    // The server runs in its own process: the docker calls below block this one.
    const server = spawn(process.execPath, ['-e', HOST_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve) => server.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
    try {
      const dns = docker(['run', '--rm', IMG, 'nslookup', 'host.docker.internal']);
      expect(dns.stdout).toMatch(/Address:\s*10\.0\.2\.2/);
      const r = docker(['run', '--rm', IMG, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n' | nc host.docker.internal ${port}`]);
      expect(r.stdout).toContain('hello from the host');
    } finally {
      server.kill();
    }
  });

  test("containers reach neither the engine's TLS port in the guest nor its forward on the host, on a bridge or on the host network", async () => {
    const enginePort = status().enginePort!;
    expect(enginePort).toBeGreaterThan(0);
    // A control: the same kind of connection to a host server succeeds, so a CLOSED below is the firewall.
    const server = spawn(process.execPath, ['-e', HOST_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const open = await new Promise<number>((resolve) => server.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
    const probe = (host: string, port: number) => `if nc -w 3 ${host} ${port} </dev/null; then echo ${host}:${port}=OPEN; else echo ${host}:${port}=CLOSED; fi`;
    const script = [probe('10.0.2.2', open), probe('10.0.2.15', 2376), probe('10.0.2.2', enginePort)].join('; ');
    try {
      for (const net of [[], ['--network', 'host']]) {
        const r = docker(['run', '--rm', ...net, IMG, 'sh', '-c', script]);
        expect(r.stdout.trim().split('\n'), `${net.join(' ') || 'bridge'}: ${r.stderr}`).toEqual([`10.0.2.2:${open}=OPEN`, '10.0.2.15:2376=CLOSED', `10.0.2.2:${enginePort}=CLOSED`]);
      }
    } finally {
      server.kill();
    }
    // The host still reaches the engine: this very docker CLI went through it.
    expect(docker(['version', '--format', '{{.Server.Version}}']).status).toBe(0);
    // And the key that could mint client certificates is nowhere on the shared disk.
    expect(existsSync(join(home, 'vm', 'tls', 'ca-key.pem'))).toBe(false);
  });
});
