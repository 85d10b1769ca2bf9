import { existsSync, lstatSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, watch } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { BerthPaths } from '../agent/paths';
import { shellQuote } from '../common/shell-quote';

/** Asks on the terminal; anything but "yes" is no. Without a terminal, the answer is no. */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    process.stderr.write(`${question}\n(no terminal to ask on: pass --yes)\n`);
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string>((r) => rl.question(question, r));
  rl.close();
  return answer.trim().toLowerCase() === 'yes';
}

/** Reset with no agent running: delete the VM directory directly. */
export function resetOffline(paths: BerthPaths): void {
  rmSync(paths.vm, { recursive: true, force: true });
}

/** Prints the last lines of a log, and with --follow, new lines as they come. */
export async function showLogs(paths: BerthPaths, which: string, opts: { follow?: boolean; lines: string }): Promise<void> {
  if (which !== 'agent' && which !== 'vm') throw new Error(`unknown log "${which}": use agent or vm`);
  const file = join(paths.logs, `${which}.log`);
  if (!existsSync(file) && !opts.follow) throw new Error(`no ${which} log yet (${file})`);
  const n = Math.max(1, Number(opts.lines) || 200);
  let offset = 0;
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    process.stdout.write(
      text
        .split('\n')
        .slice(-n - 1)
        .join('\n'),
    );
    offset = Buffer.byteLength(text);
  }
  if (!opts.follow) return;
  const pump = () => {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    if (size < offset) offset = 0; // rotated
    if (size === offset) return;
    const buf = readFileSync(file).subarray(offset, size);
    offset = size;
    process.stdout.write(buf);
  };
  watch(paths.logs, () => pump());
  setInterval(pump, 1000);
  await new Promise(() => undefined);
}

/**
 * Points /var/run/docker.sock at Berth's socket. Only on request, and it says
 * what it needs: creating a link in /var/run takes admin rights.
 */
export function linkSocket(socket: string, target: string): void {
  if (existsSync(target) || isDanglingLink(target)) {
    const st = lstatSync(target);
    if (st.isSymbolicLink() && readlinkSync(target) === socket) {
      console.log(`${target} already points at ${socket}.`);
      return;
    }
    throw new Error(`${target} already exists (${st.isSymbolicLink() ? `a link to ${readlinkSync(target)}` : 'not a link'}); move it away first if you want Berth's socket there`);
  }
  try {
    symlinkSync(socket, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new Error(`creating ${target} needs admin rights. Run: sudo ln -s ${shellQuote(socket)} ${shellQuote(target)}`);
    }
    throw e;
  }
  console.log(`${target} → ${socket}. Tools that hard-code ${target} now reach Berth. Remove it with: sudo rm ${shellQuote(target)}`);
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
