/**
 * This machine's facts, as per-machine blocks in synced files see them (formats/blocks.ts): its host
 * name, its OS and its classes (labels set in settings, `machine.classes`, e.g. "work").
 *
 * - host: `settings.hostName`, else the system host name up to its first dot with anything outside
 *   letters, digits, dot, underscore and dash turned into '-' (the same fallback engine.ts uses for
 *   commit messages and conflict copies, so a block's `host=` names what the person sees elsewhere).
 * - os: darwin → macos, linux → linux, win32 → windows. Any other platform is refused with an error
 *   naming it: a block for `os=linux` must not silently apply on FreeBSD, nor be silently skipped.
 * - classes: lower-cased (blocks compare names case-insensitively), each once, in the order written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Settings } from '../../shared/settings.js';
import type { Machine, MachineOs } from './formats/blocks.js';

export type { Machine, MachineOs };

const OS_OF_PLATFORM: Partial<Record<NodeJS.Platform, MachineOs>> = { darwin: 'macos', linux: 'linux', win32: 'windows' };

/** macos, linux or windows; throws for a platform per-machine blocks cannot name. */
export function osOfPlatform(platform: NodeJS.Platform): MachineOs {
  const os = OS_OF_PLATFORM[platform];
  if (!os) throw new Error(`per-machine blocks know macos (darwin), linux and windows (win32); this machine's platform is ${platform}`);
  return os;
}

/** The host name ConfSync uses for this machine: the setting, else the system's (see the header). */
export function machineHostName(settings: Pick<Settings, 'hostName'>, systemHostName: string = hostname()): string {
  return settings.hostName ?? (systemHostName.split('.')[0] || 'host').replace(/[^A-Za-z0-9._-]/g, '-');
}

/** This machine's facts from its settings and platform. `systemHostName` is for tests (default os.hostname()). */
export function machineFacts(
  settings: Pick<Settings, 'hostName'> & { machine?: { classes?: readonly string[] } },
  platform: NodeJS.Platform,
  systemHostName?: string,
): Machine {
  const classes: string[] = [];
  for (const c of settings.machine?.classes ?? []) {
    const lc = c.toLowerCase();
    if (!classes.includes(lc)) classes.push(lc);
  }
  return { host: machineHostName(settings, systemHostName), os: osOfPlatform(platform), classes };
}

/**
 * The names this config dir has run under, `current` first, the others newest first. Kept in
 * `file` (hosts.json in the config dir), `current` added when new. Conflicts are recorded by host
 * name: after a rename, a conflict recorded under the old name still has this machine's version in
 * it, and "mine" must keep meaning that one. An unreadable file starts the list again.
 */
export function rememberHostName(file: string, current: string): string[] {
  let known: string[] = [];
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (Array.isArray(v)) known = v.filter((x): x is string => typeof x === 'string');
  } catch {
    // none yet, or unreadable
  }
  const names = [current, ...known.filter((h) => h !== current)].slice(0, 20);
  if (known[0] !== current) {
    try {
      writeFileSync(file, JSON.stringify(names) + '\n');
    } catch {
      // a read-only config dir: the names of this run still count
    }
  }
  return names;
}
