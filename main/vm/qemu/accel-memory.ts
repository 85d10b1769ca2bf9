import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Accelerator } from '../accel';
import { berthVersion } from '../../common/berth-version';
import { readQemuVersion } from './qemu-version';

/**
 * What can change whether hardware acceleration works on a host. A verdict
 * recorded under one key says nothing about another, so a kernel, QEMU, CPU
 * or Berth change makes Berth try the hardware accelerator again.
 */
export interface AccelHostKey {
  platform: string;
  arch: string;
  kernel: string;
  qemu: string;
  cpu: string;
  berth: string;
}

/** A hardware accelerator that failed during a boot on this host. */
export interface AccelVerdict {
  key: AccelHostKey;
  failed: Accelerator;
  /** Shown by `berth status` as the reason TCG is used. */
  reason: string;
  /** The boot stage it failed at, and what failed, for the fallback line. */
  stage?: string;
  cause?: string;
  at: string;
}

/** The key of the host Berth runs on. */
export async function currentHostKey(qemu: string, host: { platform: string; arch: string } = process): Promise<AccelHostKey> {
  return { platform: host.platform, arch: host.arch, kernel: release(), qemu: readQemuVersion(qemu).text, cpu: cpus()[0]?.model?.trim() ?? 'unknown', berth: berthVersion() };
}

const KEY_FIELDS = ['platform', 'arch', 'kernel', 'qemu', 'cpu', 'berth'] as const;

/** A verdict file as written; one with fields of other types (edited, or from an older Berth) counts as none. */
const VERDICT = z.object({
  key: z.object(Object.fromEntries(KEY_FIELDS.map((k) => [k, z.string()])) as Record<(typeof KEY_FIELDS)[number], z.ZodString>),
  failed: z.enum(['hvf', 'kvm', 'tcg']),
  reason: z.string(),
  stage: z.string().optional(),
  cause: z.string().optional(),
  at: z.string(),
});
const sameKey = (a: AccelHostKey, b: AccelHostKey) => KEY_FIELDS.every((k) => a[k] === b[k]);

/** Remembers, in one small JSON file, that hardware acceleration failed during boot on a host. */
export class AccelMemory {
  constructor(readonly file: string) {}

  /** The verdict for this key; a verdict for another key, or an unreadable file, counts as none. */
  recall(key: AccelHostKey): AccelVerdict | undefined {
    try {
      const v = VERDICT.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      return v.success && sameKey(v.data.key, key) ? v.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Forgets every verdict: the next `auto` boot tries the hardware accelerator again. */
  forget(): boolean {
    try {
      rmSync(this.file);
      return true;
    } catch {
      return false;
    }
  }

  remember(v: AccelVerdict): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(v, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
