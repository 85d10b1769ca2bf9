/**
 * bench/socket: the Berth socket against direct mutual TLS to the same engine,
 * in one run: `docker version` latency, 256 MB `save`/`load` throughput, and
 * the agent's idle CPU and memory with the VM running and no clients.
 *
 *   npm run build && npm run bench:socket                    # all (about 10 min under TCG)
 *   npm run build && npm run bench:socket -- --latency-only  # latency and idle only
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { engineOverSocket, engineOverTls } from '../main/engine/docker-client';
import { loadClientCreds } from '../main/link/tls-ping';
import { tlsPaths } from '../main/link/tls-material';
import { benchVm, cpuSeconds } from './bench-vm';

const vm = benchVm('sock');
const { home, berth } = vm;
const env = vm.env;
const socket = join(home, 'docker.sock');
const viaSocket = { ...env, DOCKER_HOST: `unix://${socket}` };
let viaTls: NodeJS.ProcessEnv = {};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeCmd(cmd: string, e: NodeJS.ProcessEnv): number {
  const t = performance.now();
  const r = spawnSync('sh', ['-c', cmd], { env: e, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return performance.now() - t;
}

async function clientLatency(call: () => Promise<unknown>, n: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

async function main(): Promise<void> {
  berth('start');
  const status = JSON.parse(berth('status', '--json'));
  const tls = tlsPaths(join(home, 'vm', 'tls'));
  viaTls = { ...env, DOCKER_HOST: `tcp://127.0.0.1:${status.enginePort}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls.dir };
  console.log(`engine ${status.engineVersion}, accelerator ${status.accel}`);

  // Latency: the docker CLI (process start included), then an in-process client.
  for (const e of [viaSocket, viaTls]) timeCmd('docker version >/dev/null', e); // warm-up
  // Alternating the two paths keeps drift in the guest's load from favouring either.
  const cliRuns = 21;
  const sockTimes: number[] = [];
  const tlsTimes: number[] = [];
  for (let i = 0; i < cliRuns; i++) {
    sockTimes.push(timeCmd('docker version >/dev/null', viaSocket));
    tlsTimes.push(timeCmd('docker version >/dev/null', viaTls));
  }
  const cliSock = median(sockTimes);
  const cliTls = median(tlsTimes);
  const sockClient = engineOverSocket(socket);
  const tlsClient = engineOverTls(status.enginePort, loadClientCreds(tls));
  // dockerode keeps no connection open between calls here, so each call pays its own connect.
  const apiSock = await clientLatency(() => sockClient.version(), 30);
  const apiTls = await clientLatency(() => tlsClient.version(), 30);
  console.log(`docker version (CLI, median of ${cliRuns}): socket ${cliSock.toFixed(0)} ms, direct TLS ${cliTls.toFixed(0)} ms, ratio ${(cliSock / cliTls).toFixed(3)}x (goal <= 1.05)`);
  console.log(`GET /version (dockerode, median of 30): socket ${apiSock.toFixed(1)} ms, direct TLS ${apiTls.toFixed(1)} ms, ratio ${(apiSock / apiTls).toFixed(3)}x`);

  if (process.argv.includes('--latency-only')) return idle(status.agentPid as number);

  // Throughput: a 256 MiB image saved and loaded through each path.
  const img = 'berth-bench/big:1';
  const tar = join(home, 'big.tar');
  const bb = join(home, 'bb');
  execFileSync(
    'sh',
    ['-c', `mkdir -p ${bb}/bin && cp /bin/busybox ${bb}/bin/ && for a in sh head; do ln -sf busybox ${bb}/bin/$a; done && tar -C ${bb} -c . | docker import - berth-bench/bb >/dev/null`],
    { env: viaSocket },
  );
  execFileSync(
    'sh',
    [
      '-c',
      `docker rm -f berth-big >/dev/null 2>&1; docker run --name berth-big berth-bench/bb sh -c 'head -c 268435456 /dev/urandom > /big' && docker commit berth-big ${img} >/dev/null && docker rm berth-big >/dev/null`,
    ],
    { env: viaSocket },
  );
  timeCmd(`docker save ${img} > ${tar}`, viaSocket); // warm the guest's page cache
  const mb = statSync(tar).size / 1e6;
  const rate = (ms: number) => mb / (ms / 1000);
  const saveSock = median([1, 2, 3].map(() => timeCmd(`docker save ${img} > /dev/null`, viaSocket)));
  const saveTls = median([1, 2, 3].map(() => timeCmd(`docker save ${img} > /dev/null`, viaTls)));
  const loadSock = median([1, 2, 3].map(() => timeCmd(`docker load -q < ${tar}`, viaSocket)));
  const loadTls = median([1, 2, 3].map(() => timeCmd(`docker load -q < ${tar}`, viaTls)));
  console.log(`save ${mb.toFixed(0)} MB: socket ${rate(saveSock).toFixed(1)} MB/s, direct TLS ${rate(saveTls).toFixed(1)} MB/s, ratio ${(saveTls / saveSock).toFixed(3)} (goal >= 0.95)`);
  console.log(`load ${mb.toFixed(0)} MB: socket ${rate(loadSock).toFixed(1)} MB/s, direct TLS ${rate(loadTls).toFixed(1)} MB/s, ratio ${(loadTls / loadSock).toFixed(3)} (goal >= 0.95)`);
  rmSync(tar, { force: true });

  await idle(status.agentPid as number);
}

/** Idle: the VM running, no clients, over 30 s (the health check runs every 5 s). */
async function idle(pid: number): Promise<void> {
  const before = cpuSeconds(pid);
  const idleS = 30;
  await new Promise((r) => setTimeout(r, idleS * 1000));
  const cpuPct = ((cpuSeconds(pid) - before) / idleS) * 100;
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  console.log(`agent idle over ${idleS} s: ${cpuPct.toFixed(2)} % of a core (goal < 0.5 %), RSS ${rssMb.toFixed(0)} MB (goal < 80 MB)`);
}

vm.run('socket', main);
