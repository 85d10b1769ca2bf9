import log from 'electron-log/main';
import { join } from 'node:path';

/** The app's own log, beside the agent's in the shared logs folder, rotated at 5 MB. */
export function setupAppLog(logsDir: string): typeof log {
  log.transports.file.resolvePathFn = () => join(logsDir, 'app.log');
  log.transports.file.maxSize = 5 * 1024 * 1024;
  log.errorHandler.startCatching({ showDialog: false });
  return log;
}
