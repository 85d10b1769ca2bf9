import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../../main/common/sleep';
import type { CliResult } from './docker-cli';

type Docker = (args: string[], opts?: { input?: string; timeoutMs?: number }) => CliResult;

/** What each side believes it left: file name → sha256. */
export interface StressResult {
  host: Map<string, string>;
  container: Map<string, string>;
  /** The tree as the host sees it, and as a fresh container sees it. */
  onHost: Map<string, string>;
  inContainer: Map<string, string>;
  hostOps: number;
  containerOps: number;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * The host and a container write, rename and delete different files (h-*, c-*)
 * in one tree at once for `seconds`. Each side keeps what it expects to be
 * left; afterwards both sides' views of the whole tree are read back.
 */
export async function shareStress(docker: Docker, image: string, dir: string, seconds: number): Promise<StressResult> {
  mkdirSync(dir, { recursive: true });
  // The container's side: write c-N, rename every third to c-N.r, delete every fifth; then print what it expects.
  const loop = [
    `cd ${dir}; end=$(( $(cut -d. -f1 /proc/uptime) + ${seconds} )); i=0`,
    'while [ $(cut -d. -f1 /proc/uptime) -lt $end ]; do',
    '  i=$((i+1)); head -c $(( (i * 7919) % 65536 + 1 )) /dev/urandom > c-$i.tmp && mv c-$i.tmp c-$i',
    '  [ $((i % 3)) -eq 0 ] && mv c-$i c-$i.r',
    '  [ $((i % 5)) -eq 0 ] && rm -f c-$((i - 1)) c-$((i - 1)).r',
    'done',
    'echo ops $i; sha256sum c-*',
  ].join('\n');
  const container = docker(['run', '-d', '--name', 'stress', '-v', `${dir}:${dir}`, image, 'sh', '-c', loop]);
  if (container.status !== 0) throw new Error(container.stderr);

  const host = new Map<string, string>();
  let hostOps = 0;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    hostOps++;
    const name = `h-${hostOps}`;
    const data = randomBytes(((hostOps * 104_729) % 65_536) + 1);
    writeFileSync(join(dir, name), data);
    host.set(name, sha(data));
    if (hostOps % 3 === 0) {
      renameSync(join(dir, name), join(dir, `${name}.r`));
      host.delete(name);
      host.set(`${name}.r`, sha(data));
    }
    if (hostOps % 5 === 0) {
      for (const old of [`h-${hostOps - 1}`, `h-${hostOps - 1}.r`]) if (existsSync(join(dir, old))) rmSync(join(dir, old));
      host.delete(`h-${hostOps - 1}`);
      host.delete(`h-${hostOps - 1}.r`);
    }
    await sleep(20);
  }
  docker(['wait', 'stress'], { timeoutMs: (seconds + 120) * 1000 });
  const out = docker(['logs', 'stress']).stdout;
  docker(['rm', '-f', 'stress']);
  const containerOps = Number(/^ops (\d+)/m.exec(out)?.[1] ?? 0);
  const containerMap = sums(out);
  const onHost = new Map(readdirSync(dir).map((f) => [f, sha(readFileSync(join(dir, f)))] as const));
  // One sha256sum for the lot: a process per file takes minutes under emulation.
  const view = docker(['run', '--rm', '-v', `${dir}:${dir}`, image, 'sh', '-c', `cd ${dir} && sha256sum *`], { timeoutMs: 300_000 });
  return { host, container: containerMap, onHost, inContainer: sums(view.stdout), hostOps, containerOps };
}

/** `sha256sum` lines as name → sum. */
function sums(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const hit = /^([0-9a-f]{64})\s+(.+)$/.exec(line.trim());
    if (hit) m.set(hit[2]!, hit[1]!);
  }
  return m;
}
