/**
 * ELECTRON STAND-IN (test-only, never shipped). Loaded with `--require`
 * before the app's built main: resolves `electron` to the stand-in, reports
 * every unhandled error or rejection as a failure, and opens the control
 * channel. The app itself has no branch for it.
 */
import './platform';
import Module from 'node:module';
import { join } from 'node:path';
import { serveControlChannel } from './control';
import { recordFailure } from './record';

const standin = require.resolve('./electron');
const resolver = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = resolver._resolveFilename;
resolver._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === 'electron' ? standin : resolve.call(this, request, ...rest);
};

// Electron sets this for every launch: the package's resources, or (unpacked) the Electron install's own.
const unpackedResources = join(__dirname, '..', '..', 'node_modules', 'electron', 'dist', 'resources');
Object.assign(process, { resourcesPath: process.env.ELECTRON_STANDIN_RESOURCES ?? unpackedResources });

process.on('uncaughtException', (e) => recordFailure(`uncaught exception in main: ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => recordFailure(`unhandled rejection in main: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));

serveControlChannel();
