import { dispatch, type BerthHandlers } from '../contract/dispatcher';

/** What happens to the VM when the app quits: stop it (the default) or leave the agent running it. */
export type QuitAction = 'stop-vm' | 'detach';

export function quitAction(settings: { stopVmOnQuit: boolean }): QuitAction {
  return settings.stopVmOnQuit ? 'stop-vm' : 'detach';
}

/**
 * What the app does at launch: start the VM only when asked to; a login launch never opens a window
 * (`--hidden` where the system keeps a login item's arguments, `openedAtLogin` on macOS 13+, which drops them).
 */
export function launchPlan(settings: { startVmOnLaunch: boolean }, argv: readonly string[], openedAtLogin = false): { startVm: boolean; showWindow: boolean } {
  const hidden = argv.includes('--hidden') || openedAtLogin;
  return { startVm: settings.startVmOnLaunch, showWindow: !hidden };
}

/**
 * Carries out the quit action the settings hold now, not at launch: the user
 * may have switched "stop VM on quit" in Settings since. When the agent cannot
 * say, the VM is stopped (the default).
 */
export async function quitVm(handlers: BerthHandlers): Promise<QuitAction> {
  const s = await dispatch(handlers, 'settings.get', []);
  const action = quitAction(s.ok ? (s.value as { stopVmOnQuit: boolean }) : { stopVmOnQuit: true });
  if (action === 'stop-vm') await dispatch(handlers, 'vm.stop', []);
  return action;
}
