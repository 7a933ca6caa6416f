/** Host ports for the headless daemon: open folders where a desktop exists; notifications go to stdout. */
import { execFile } from 'node:child_process';
import type { HostPorts } from '../engine/ports.js';

function opener(): string | null {
  if (process.platform === 'darwin') return 'open';
  if (process.platform === 'win32') return 'explorer';
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return 'xdg-open';
  return null;
}

function open(path: string, what: string): Promise<void> {
  const cmd = opener();
  if (!cmd) return Promise.reject(new Error(`no desktop here to open the ${what}; it is at ${path}`));
  return new Promise((resolve, reject) => {
    execFile(cmd, [path], (err) => (err ? reject(new Error(`could not open ${path}: ${err.message}`)) : resolve()));
  });
}

export function headlessPorts(log: (line: string) => void = (l) => process.stdout.write(l + '\n')): HostPorts {
  return {
    openPath: (p) => open(p, 'sync folder'),
    showLogs: (p) => open(p, 'log'),
    notify: (n) => log(`[${n.kind}] ${n.title}: ${n.body.split('\n')[0]}`),
    setLoginItem: () => undefined,
  };
}
