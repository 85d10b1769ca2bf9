/**
 * Facts about the guest that both the image build and the host side rely on.
 * One place, so the init scripts and the QEMU arguments cannot drift apart.
 */

/** The guest's fixed address on QEMU's user network (slirp's default DHCP lease). */
export const GUEST_IP = '10.0.2.15';
/** QEMU's user-network address for the host, as seen from the guest. */
export const GUEST_HOST_GATEWAY = '10.0.2.2';
/** dockerd's mutual-TLS port inside the guest. */
export const GUEST_ENGINE_PORT = 2376;
/** Virtio-blk serials the guest uses to tell its disks apart. */
export const DISK_SERIAL = { root: 'berth-root', data: 'berth-data' } as const;
/** fw_cfg entries that carry the per-install TLS material into the guest. */
export const FW_CFG_PREFIX = 'opt/berth';
export const FW_CFG_TLS_FILES = ['ca.pem', 'server-cert.pem', 'server-key.pem'] as const;
/** fw_cfg entry with the host port QEMU forwards to the engine, so the guest can keep containers away from it. */
export const FW_CFG_ENGINE_PORT = 'engine-port';
/** fw_cfg entry holding the engine's whole daemon.json, as the host merged it (absent: the image's own). */
export const FW_CFG_DAEMON_JSON = 'daemon.json';

/**
 * The virtio-serial port the agent drives the guest through (rc.control): one
 * command per line (`suspend`, `mount`, `time <s>`), one answer line each
 * (`ok <command>` or `err <command> <why>`).
 */
export const GUEST_CONTROL_PORT = 'berth.control';

/**
 * The virtio-serial port on which the guest streams its containers' own changes in watched
 * folders, a `<seconds> <path>` line each (live-changes.sh), so the agent does not send them back.
 */
export const GUEST_OWN_CHANGES_PORT = 'berth.own-changes';

/** Boot stages the guest prints as `BERTH-BOOT stage=<name>`, in order. */
export const BOOT_STAGES = ['init', 'modules', 'root', 'network', 'format', 'data', 'dockerd', 'ready'] as const;
export type BootStage = (typeof BOOT_STAGES)[number] | 'shutdown' | 'poweroff';

/** One parsed console marker. */
export type BootMarker = { kind: 'stage'; stage: BootStage } | { kind: 'error'; error: string };

/** What starts every progress line the guest prints on its console. */
export const BOOT_MARKER = 'BERTH-BOOT';
const MARKER = new RegExp(`${BOOT_MARKER} (stage|error)=([A-Za-z0-9_-]+)`);

const KNOWN_STAGES: ReadonlySet<string> = new Set<BootStage>([...BOOT_STAGES, 'shutdown', 'poweroff']);

/**
 * Parses a console line; returns undefined for ordinary output. A stage this
 * host does not know (a newer guest's, or one added while measuring) is
 * ordinary output too, so nothing downstream meets a stage it has no bound for.
 */
export function parseBootMarker(line: string): BootMarker | undefined {
  const m = MARKER.exec(line);
  if (!m) return undefined;
  if (m[1] === 'error') return { kind: 'error', error: m[2] };
  return KNOWN_STAGES.has(m[2]) ? { kind: 'stage', stage: m[2] as BootStage } : undefined;
}

/** Boot progress as a fraction in [0, 1], for progress bars. */
export function bootProgress(stage: BootStage): number {
  const i = (BOOT_STAGES as readonly string[]).indexOf(stage);
  return i < 0 ? 1 : (i + 1) / BOOT_STAGES.length;
}

/** The virtio-balloon device's id; its QOM path carries the guest's memory statistics. */
export const BALLOON_ID = 'balloon0';
