/**
 * `npm start` on a machine without the Electron binary: one line says why Electron is not used, the
 * headless daemon starts, and the printed URL serves the UI; SIGTERM stops it cleanly.
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { tmp, waitFor } from '../helpers/machine.js';

const root = join(import.meta.dirname, '..', '..');
const electronBinaryPresent = existsSync(join(root, 'node_modules', 'electron', 'path.txt'));

describe.skipIf(electronBinaryPresent)('npm start without Electron', () => {
  it('prints why, starts the headless UI, and serves it at the printed URL', async () => {
    const home = tmp('cs-start-');
    const proc = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], {
      cwd: root,
      env: { ...process.env, HOME: home, CONFSYNC_CONFIG_DIR: join(home, 'cfg'), CONFSYNC_START_NO_BUILD: '1', DISPLAY: '', WAYLAND_DISPLAY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    try {
      const url = await waitFor(() => /ConfSync UI: (\S+)/.exec(out)?.[1], 'the UI URL');
      expect(out).toMatch(/^Electron is not used: .+; serving the UI headless instead\.$/m);
      expect(out).not.toMatch(/Downloading Electron/);
      const status = await new Promise<number>((resolve, reject) => {
        const u = new URL(url);
        request({ host: u.hostname, port: u.port, path: u.pathname + u.search }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(200);
    } finally {
      const code = await new Promise<number | null>((resolve) => {
        proc.once('exit', (c) => resolve(c));
        proc.kill('SIGTERM');
      });
      expect(code).toBe(0);
      expect(out).toContain('confsync: stopped');
    }
  });
});
