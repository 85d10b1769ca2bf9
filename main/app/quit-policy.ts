/** What happens to the VM when the app quits: stop it (the default) or leave the agent running it. */
export type QuitAction = 'stop-vm' | 'detach';

export function quitAction(settings: { stopVmOnQuit: boolean }): QuitAction {
  return settings.stopVmOnQuit ? 'stop-vm' : 'detach';
}

/** What the app does at launch: start the VM only when asked to; a login launch never opens a window. */
export function launchPlan(settings: { startVmOnLaunch: boolean }, argv: readonly string[]): { startVm: boolean; showWindow: boolean } {
  const hidden = argv.includes('--hidden');
  return { startVm: settings.startVmOnLaunch, showWindow: !hidden };
}
