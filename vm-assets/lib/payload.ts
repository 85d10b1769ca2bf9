import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AssetManifest } from '../../main/vm/assets';
import { run } from './run';
import { PAYLOAD_BUDGET_BYTES, PAYLOAD_ZSTD_ARGS, payloadBytes } from './spec';

/**
 * Compresses each artifact of a built guest as it would ship and records the
 * sizes in its manifest (written whole, then renamed, so a reader never sees
 * half of it). It takes minutes of CPU at zstd's strongest level, which is why
 * the build can leave it for later (`--no-measure`, then `--measure`).
 */
export function measurePayload(dir: string, m: AssetManifest): void {
  for (const [name, a] of Object.entries(m.artifacts)) {
    const file = join(dir, name);
    if (statSync(file).size !== a.size) throw new Error(`${file} is not the file its manifest describes: rebuild with --force`);
    run('zstd', [...PAYLOAD_ZSTD_ARGS, '-T0', '-q', '-f', file, '-o', `${file}.zst`]);
    a.zstdSize = statSync(`${file}.zst`).size;
  }
  writeManifest(dir, m);
}

/** Writes manifest.json atomically. */
export function writeManifest(dir: string, m: AssetManifest): void {
  const tmp = join(dir, `.manifest.json.${process.pid}`);
  try {
    writeFileSync(tmp, `${JSON.stringify(m, null, 2)}\n`);
    renameSync(tmp, join(dir, 'manifest.json'));
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Prints each artifact's raw and shipped size, and the verdict against the budget. */
export function printSizes(m: AssetManifest): void {
  const mb = (n: number) => `${(n / 1e6).toFixed(1).padStart(7)} MB`;
  const how = `zstd ${PAYLOAD_ZSTD_ARGS.join(' ')}`;
  console.log(`artifact            raw        ${how}`);
  for (const [name, a] of Object.entries(m.artifacts)) console.log(`${name.padEnd(16)} ${mb(a.size)} ${mb(a.zstdSize)}`);
  const shipped = payloadBytes(m);
  const budget = `the ${PAYLOAD_BUDGET_BYTES / 1e6} MB budget`;
  const verdict = shipped === 0 ? 'not measured yet (npm run vm-assets -- --measure)' : shipped <= PAYLOAD_BUDGET_BYTES ? `within ${budget}` : `OVER ${budget}`;
  console.log(`${m.arch ?? 'amd64'} kernel + initrd + root, ${how}: ${mb(shipped).trim()}, ${verdict}`);
}

/** Measures the payload, then gives the verdict. */
export function finishMeasure(dir: string, m: AssetManifest): void {
  const t0 = Date.now();
  measurePayload(dir, m);
  console.log(`vm-assets: measured the ${m.arch} payload in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  verdict(m);
}

/** Prints the sizes of a measured guest and fails the command past the budget. */
export function verdict(m: AssetManifest): void {
  printSizes(m);
  if (payloadBytes(m) > PAYLOAD_BUDGET_BYTES) process.exitCode = 1;
}
