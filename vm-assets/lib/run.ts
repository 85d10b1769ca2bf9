import { spawnSync, type SpawnSyncOptions } from 'node:child_process';

/** Runs a command to completion; throws with its stderr when it fails. */
export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${cmd} is not installed (run: bash scripts/bootstrap.sh)` : `${cmd}: ${r.error.message}`);
  }
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr ?? '')
        .trim()
        .slice(-2000)}`,
    );
  }
  return String(r.stdout ?? '');
}
