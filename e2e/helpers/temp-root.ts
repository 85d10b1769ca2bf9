import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Vitest global setup: every temp dir a test makes (through os.tmpdir())
 * lands in one folder for the run, removed at the end, so a run leaves no
 * litter in /tmp. Short on purpose: unix socket paths must stay < 108 bytes.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(process.env.TMPDIR || '/tmp', 'bt-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
