/**
 * Start at login (HostPorts.setLoginItem).
 *
 * macOS and Windows: `app.setLoginItemSettings({ openAtLogin })`. Electron implements that only there;
 * on Linux it does nothing, so there we write (or remove) an XDG autostart entry,
 * `$XDG_CONFIG_HOME/autostart/confsync.desktop`, which is what desktop environments read.
 *
 * Applied at start and whenever settings.startAtLogin changes (`followStartAtLogin`). Repeated calls
 * with the same value touch nothing.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings as LoginItemSettings } from 'electron';
import type { Settings } from '../../shared/settings.js';

export interface LoginItemApp {
  setLoginItemSettings(settings: LoginItemSettings): void;
}

export interface LinuxAutostart {
  /** $XDG_CONFIG_HOME or ~/.config */
  configHome: string;
  /** Command line that starts the app (the AppImage path, or the installed binary). */
  exec: string[];
}

export function autostartFile(configHome: string): string {
  return join(configHome, 'autostart', 'confsync.desktop');
}

/** Desktop Entry spec quoting: arguments with special characters are double-quoted. */
function quoteExecArg(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `"${arg.replace(/([\\"`$])/g, '\\$1')}"`;
}

export function autostartEntry(exec: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=ConfSync',
    'Comment=Keeps your configuration in sync across machines',
    `Exec=${exec.map(quoteExecArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function createLoginItemPort(
  app: LoginItemApp,
  platform: NodeJS.Platform,
  linux?: LinuxAutostart,
  onError: (e: Error) => void = () => {},
): (enabled: boolean) => void {
  let applied: boolean | null = null;
  return (enabled) => {
    if (applied === enabled) return;
    try {
      if (platform === 'linux') {
        if (!linux) return;
        const file = autostartFile(linux.configHome);
        if (enabled) {
          mkdirSync(join(linux.configHome, 'autostart'), { recursive: true });
          writeFileSync(file, autostartEntry(linux.exec));
        } else {
          rmSync(file, { force: true });
        }
      } else {
        app.setLoginItemSettings({ openAtLogin: enabled });
      }
      applied = enabled;
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)));
    }
  };
}

/** Applies settings.startAtLogin now and on every change. Returns the unsubscribe function. */
export function followStartAtLogin(
  settings: { get(): Settings; onChange(l: (s: Settings) => void): () => void },
  setLoginItem: (enabled: boolean) => void,
): () => void {
  setLoginItem(settings.get().startAtLogin);
  return settings.onChange((s) => setLoginItem(s.startAtLogin));
}
