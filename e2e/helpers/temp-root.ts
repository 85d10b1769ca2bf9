import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** How long a Mac's `$TMPDIR` is (/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T): its sockets must fit macOS's 104 bytes. */
export const MACOS_TMPDIR_LENGTH = 48;

/**
 * Vitest global setup: every temp dir a test makes (through os.tmpdir())
 * lands in one folder for the run, removed at the end, so a run leaves no
 * litter in /tmp. Its path is as long as a Mac's $TMPDIR, so every socket a
 * test makes has the length it would have on a Mac (a host whose TMPDIR is
 * longer already keeps it).
 */
export default function setup(): () => void {
  const base = process.env.TMPDIR || '/tmp';
  const pad = Math.max(0, MACOS_TMPDIR_LENGTH - base.length - 'bt-'.length - 8);
  const root = mkdtempSync(join(base, `bt-${'m'.repeat(pad)}-`));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
