import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestArchFor } from '../../main/vm/assets';
import { buildGuestTools } from '../../vm-assets/lib/guest-tools';

let built: string[] | undefined;

/**
 * TEST-ONLY: one of the guest's own programs (vm-assets/guest/src) built from the same source
 * for this host with its `cc`, once a process, so guest scripts run on the host call the real thing.
 */
export function hostBuiltTool(name: string): string {
  built ??= buildGuestTools(guestArchFor(), mkdtempSync(join(tmpdir(), 'berth-tools-')), 'cc');
  const tool = built.find((t) => t.endsWith(`/${name}`));
  if (!tool) throw new Error(`no guest program named ${name} in vm-assets/guest/src`);
  return tool;
}
