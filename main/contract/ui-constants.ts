/**
 * The few values (not types) the UI needs from main, as plain data: the
 * renderer may import these and the contract's types, nothing else of main/.
 */
export { BOOT_STAGES } from '../link/guest';
