/**
 * The contract's call names as plain data, for the sandboxed preload (which
 * cannot load zod). berth-api.ts checks at compile time that this list and its
 * schemas name the same calls.
 */
export const CALL_NAME_LIST = [
  'vm.status',
  'vm.start',
  'vm.stop',
  'vm.restart',
  'vm.reset',
  'vm.retryAccel',
  'vm.clock',
  'sync.resume',
  'containers.list',
  'containers.action',
  'containers.inspect',
  'containers.logs',
  'containers.followLogs',
  'containers.unfollowLogs',
  'terminal.open',
  'terminal.input',
  'terminal.resize',
  'terminal.close',
  'containers.run',
  'engines.list',
  'engines.select',
  'engines.useForShell',
  'images.list',
  'images.pull',
  'images.remove',
  'images.prune',
  'volumes.list',
  'volumes.remove',
  'volumes.prune',
  'system.df',
  'system.reclaim',
  'stats.watch',
  'stats.unwatch',
  'settings.get',
  'settings.update',
  'loginItem.get',
  'loginItem.set',
  'loginItem.openSettings',
  'logs.tail',
  'app.openExternal',
] as const;

export const CALL_PREFIX = 'berth:call:';
export const EVENT_CHANNEL = 'berth:event';
