import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { cspMeta } from './csp-meta';

// The dashboard is loaded from file:// in Electron and from 127.0.0.1 by
// `berth dashboard`, so every asset path is relative.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react(), cspMeta()],
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: false },
});
