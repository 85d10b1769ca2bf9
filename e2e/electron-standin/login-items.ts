/**
 * ELECTRON STAND-IN (test-only): `app`'s login item on macOS 13+, as
 * SMAppService behaves: `args` and `openAsHidden` are ignored, a registered
 * item may wait for the person's approval (`requires-approval`), and a
 * launch at login reads `wasOpenedAtLogin`. Opted into with
 * ELECTRON_STANDIN_PLATFORM=darwin; every call is recorded.
 *   ELECTRON_STANDIN_LOGIN_APPROVAL=pending   registering leaves the item waiting for approval
 *   ELECTRON_STANDIN_OPENED_AT_LOGIN=1         this launch is macOS starting the app at login
 */
import { recordCall } from './record';
import { unsupported } from './strict';

type Status = 'not-registered' | 'enabled' | 'requires-approval' | 'not-found';

/** The login item members of the stand-in's `app`, for the platform it plays. */
export function loginItemMembers(platform: string) {
  if (platform !== 'darwin') return { getLoginItemSettings: unsupported('app.getLoginItemSettings'), setLoginItemSettings: unsupported('app.setLoginItemSettings') };
  let status: Status = 'not-registered';
  return {
    getLoginItemSettings: () => {
      recordCall('app.getLoginItemSettings');
      return { openAtLogin: status === 'enabled', status, wasOpenedAtLogin: process.env.ELECTRON_STANDIN_OPENED_AT_LOGIN === '1', openAsHidden: false };
    },
    setLoginItemSettings: (settings: Record<string, unknown>) => {
      recordCall('app.setLoginItemSettings', settings);
      const pending = process.env.ELECTRON_STANDIN_LOGIN_APPROVAL === 'pending';
      status = settings.openAtLogin ? (pending ? 'requires-approval' : 'enabled') : 'not-registered';
    },
  };
}
