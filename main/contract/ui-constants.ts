/**
 * The few values (not types) the UI needs from main, as plain data and pure
 * functions of it: the renderer may import these and the contract's types,
 * nothing else of main/. The tray uses the same labels.
 */
export { BOOT_STAGES } from '../link/guest';

/** How a Docker context's state reads, in the tray and the dashboard's engine switcher alike. */
export function engineStateLabel(e: { reachable?: boolean; running?: number }): string {
  if (e.reachable === undefined) return 'checking…';
  if (!e.reachable) return 'unreachable';
  return `${e.running ?? 0} running`;
}
