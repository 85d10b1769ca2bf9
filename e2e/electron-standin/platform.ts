/**
 * ELECTRON STAND-IN (test-only): a launch that plays macOS
 * (ELECTRON_STANDIN_PLATFORM=darwin). Loaded before anything else of the
 * stand-in, so the app's platform branches run and Electron's macOS-only
 * members appear (login-items.ts, app.dock); all else is this host's.
 */
if (process.env.ELECTRON_STANDIN_PLATFORM) Object.defineProperty(process, 'platform', { value: process.env.ELECTRON_STANDIN_PLATFORM });
