/**
 * The events that change what the tray shows: the VM's state and boot stage,
 * the container list, the other engines' states, and synchronized folders (whose event carries
 * their status, so the menu is rebuilt from it without asking the agent). Stats frames and log
 * chunks stream while a page is open and must never rebuild the menu (a rebuild asks the agent
 * for status).
 */
export function trayCares(event: string): boolean {
  return event === 'vm.state' || event === 'vm.bootStage' || event === 'engine.changed' || event === 'engines.changed' || event === 'sync.changed';
}
