import { describe, expect, test } from 'vitest';
import { appLayout } from './app-layout';

describe('appLayout', () => {
  test('unpacked: everything under the project', () => {
    expect(appLayout({ packaged: false, resourcesPath: '/usr/lib/electron/resources', appRoot: '/src/berth' })).toEqual({
      renderer: '/src/berth/dist/renderer',
      preload: '/src/berth/dist/preload.js',
      trayIcons: '/src/berth/assets',
      cliEntry: '/src/berth/dist/main/cli/index.js',
      vmAssets: undefined,
    });
  });

  test('packaged: code, renderer and preload inside app.asar; the guest image and icons beside it', () => {
    expect(appLayout({ packaged: true, resourcesPath: '/Applications/Berth.app/Contents/Resources', appRoot: '/ignored' })).toEqual({
      renderer: '/Applications/Berth.app/Contents/Resources/app.asar/dist/renderer',
      preload: '/Applications/Berth.app/Contents/Resources/app.asar/dist/preload.js',
      trayIcons: '/Applications/Berth.app/Contents/Resources/assets',
      cliEntry: '/Applications/Berth.app/Contents/Resources/app.asar/dist/main/cli/index.js',
      vmAssets: '/Applications/Berth.app/Contents/Resources/vm-assets',
    });
  });
});
