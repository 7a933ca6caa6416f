/**
 * Renderer build: three pages from renderer/ into dist/renderer/ with relative asset URLs, so the same
 * output loads from file:// in Electron and from the headless host's loopback web server.
 * No inline scripts are emitted (the pages' CSP has script-src 'self').
 */
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Development only: the dev server injects an inline React Refresh preamble, which the pages' strict
 * `script-src 'self'` would block. Relax it while serving; `vite build` output keeps the strict policy.
 */
function devOnlyInlineScripts(): Plugin {
  return {
    name: 'confsync:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
  };
}

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), devOnlyInlineScripts()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Electron loads from file://; keep assets as files rather than data: URIs for a simple CSP.
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: {
        index: here('./renderer/index.html'),
        popover: here('./renderer/popover.html'),
        preferences: here('./renderer/preferences.html'),
      },
    },
  },
  server: {
    host: '127.0.0.1',
    // renderer/ imports types and channel names from ../shared.
    fs: { allow: [here('.')] },
  },
});
