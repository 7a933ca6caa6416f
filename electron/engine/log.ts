/**
 * The Electron host's log: one line per event appended to `<configDir>/logs/confsync.log` — the file
 * "Show logs" reveals. Lines: `2025-01-31T12:00:00.000Z INFO  message`. When the file passes
 * `maxBytes` it is moved to `confsync.log.1` (one generation kept). Writing never throws: a log
 * that cannot be written must not take the app down.
 *
 * `logStoreChanges` writes what the engine reports in AppState (new activity and errors), so the log
 * tells the story of the sync without the engine knowing about files.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AppState } from '../../shared/state.js';

export type LogLevel = 'info' | 'warn' | 'error';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function formatLine(level: LogLevel, message: string, at: number): string {
  const text = message.replace(/\r?\n/g, '\n    ');
  return `${new Date(at).toISOString()} ${level.toUpperCase().padEnd(5)} ${text}\n`;
}

export function fileLogger(
  file: string,
  opts: { maxBytes?: number; now?: () => number; echo?: (line: string) => void } = {},
): Logger {
  const maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
  const now = opts.now ?? Date.now;
  let size: number | null = null;
  const write = (level: LogLevel, message: string) => {
    const line = formatLine(level, message, now());
    opts.echo?.(line);
    try {
      if (size === null) {
        mkdirSync(dirname(file), { recursive: true });
        try {
          size = statSync(file).size;
        } catch {
          size = 0;
        }
      }
      if (size + line.length > maxBytes && size > 0) {
        renameSync(file, `${file}.1`);
        size = 0;
      }
      appendFileSync(file, line);
      size += Buffer.byteLength(line);
    } catch {
      size = null; // try again (and re-stat) next time
    }
  };
  return {
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}

/** Logs activity items and errors that appear in the state after `initial`. Returns the listener. */
export function logStoreChanges(log: Logger, initial: AppState): (state: AppState) => void {
  let lastActivityId = initial.activity.reduce((m, a) => Math.max(m, a.id), 0);
  let lastErrorAt = initial.errors.reduce((m, e) => Math.max(m, e.at), 0);
  let lastPhase = initial.phase;
  let lastResultAt = initial.repo.lastResult?.at ?? 0;
  let seenErrors = new Set(initial.errors.filter((e) => e.at === lastErrorAt).map((e) => `${e.source}\u0000${e.message}`));
  return (state) => {
    const fresh = state.activity.filter((a) => a.id > lastActivityId).sort((a, b) => a.id - b.id);
    for (const a of fresh) (a.kind === 'error' ? log.error : log.info)(`${a.kind}: ${a.text}`);
    if (fresh.length) lastActivityId = fresh[fresh.length - 1].id;

    const newErrors = state.errors.filter((e) => e.at > lastErrorAt || (e.at === lastErrorAt && !seenErrors.has(`${e.source}\u0000${e.message}`)));
    for (const e of [...newErrors].reverse()) log.error(`${e.source}: ${e.message}${e.detail ? `\n${e.detail}` : ''}`);
    if (newErrors.length) {
      lastErrorAt = Math.max(...newErrors.map((e) => e.at));
      seenErrors = new Set(state.errors.filter((e) => e.at === lastErrorAt).map((e) => `${e.source}\u0000${e.message}`));
    }

    if (state.phase !== lastPhase && (state.phase === 'offline' || state.phase === 'error' || lastPhase === 'offline' || lastPhase === 'error')) {
      log.info(`phase ${lastPhase} → ${state.phase}`);
    }
    lastPhase = state.phase;

    // Every finished sync, one line: a sync that never ends shows as a missing line.
    const r = state.repo.lastResult;
    if (r && r.at !== lastResultAt) {
      lastResultAt = r.at;
      log.info(`sync ${r.kind}: ${r.message}`);
    }
  };
}
