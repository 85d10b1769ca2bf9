import {
  BOOT_MARKER,
  DISK_SERIAL,
  FW_CFG_DAEMON_JSON,
  FW_CFG_ENGINE_PORT,
  FW_CFG_PREFIX,
  GUEST_CONTROL_PORT,
  GUEST_OWN_CHANGES_PORT,
  GUEST_ENGINE_PORT,
  GUEST_HOST_GATEWAY,
  GUEST_IP,
} from '../../main/link/guest';
import { GUEST_SYNC_CHANGES_PORT, GUEST_SYNC_PORT, SYNC_COPY_ROOT } from '../../main/link/sync-protocol';

/** The `@KEY@` tokens every guest script may use: the boot markers and the disks' serials. */
export const GUEST_VARS = { BOOT_MARKER, DISK_SERIAL_ROOT: DISK_SERIAL.root, DISK_SERIAL_DATA: DISK_SERIAL.data };

/** The tokens of the root's scripts: everything host and guest agree on (main/link/), and the modules to load now and later. */
export function rootfsTokens(now: readonly string[], later: readonly string[]): Record<string, string | number> {
  return {
    ...GUEST_VARS,
    GUEST_IP,
    GUEST_ENGINE_PORT,
    HOST_GATEWAY: GUEST_HOST_GATEWAY,
    FW_CFG_PREFIX,
    FW_CFG_ENGINE_PORT,
    FW_CFG_DAEMON_JSON,
    CONTROL_PORT: GUEST_CONTROL_PORT,
    OWN_CHANGES_PORT: GUEST_OWN_CHANGES_PORT,
    SYNC_PORT: GUEST_SYNC_PORT,
    SYNC_CHANGES_PORT: GUEST_SYNC_CHANGES_PORT,
    SYNC_COPY_ROOT,
    MODULES_NOW: now.join(' '),
    MODULES_LATER: later.join(' '),
  };
}
