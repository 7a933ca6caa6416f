/**
 * Notifications: the engine reports notices through `HostPorts.notify`; NotificationGrouper decides
 * what reaches the desktop.
 *
 * - Level (read at push time and again when sending): `none` shows nothing; `errors` shows conflicts,
 *   errors and held-back secrets; `all` also shows files that arrived from another machine.
 * - Grouping: the first notice of a kind opens a window of `windowMs`; everything of that kind that
 *   arrives inside the window is sent as ONE notification when the window closes ("3 conflicts need
 *   you", "5 files arrived from mac-mini"). The window is fixed, not sliding, so a steady stream cannot
 *   postpone a notification forever.
 * - Rate limit: at most `maxPerMinute` notifications in any 60 s. A group that would exceed it waits
 *   for a free slot and keeps collecting, so nothing is lost, it only gets merged.
 *
 * Arrivals are grouped per source machine and their file counts added up; the engine words them
 * "5 files arrived from mac-mini" (see `arrivalInfo`).
 *
 * Clicking a notification opens Preferences at `notice.tab` (see `electronNotifier`).
 */
import type { NotificationConstructorOptions } from 'electron';
import type { Notice } from '../engine/ports.js';
import type { NotificationLevel } from '../../shared/settings.js';
import { plural } from '../../shared/meanings.js';
import { realTimers, type Timers } from './timers.js';

export interface OutgoingNotification {
  title: string;
  body: string;
  tab: string;
}

export interface NotificationGrouperOptions {
  send: (n: OutgoingNotification) => void;
  clock?: Timers;
  windowMs?: number;
  maxPerMinute?: number;
  level: () => NotificationLevel;
}

export function allowedAt(level: NotificationLevel, kind: Notice['kind']): boolean {
  if (level === 'none') return false;
  if (level === 'all') return true;
  return kind === 'conflict' || kind === 'error' || kind === 'secret';
}

/**
 * What an arrival notice is about: how many files and from which machine. The engine words them
 * "5 files arrived from mac-mini" / ".zshrc arrived from mac-mini" (in the body, or the title).
 */
export function arrivalInfo(notice: Notice): { files: number; source: string | null } {
  for (const text of [notice.body, notice.title]) {
    // The engine separates thousands ("1,234 files arrived from mac-mini").
    const m = /^(?:(\d[\d,]*) files|.+?) arrived from (\S+?)\.?$/im.exec(text.trim());
    if (m) return { files: m[1] ? Number(m[1].replace(/,/g, '')) : 1, source: m[2] };
  }
  const from = /\bfrom\s+([^\s:,;()]+)/i.exec(notice.title);
  return { files: 1, source: from ? from[1] : null };
}

function groupKey(notice: Notice): string {
  return notice.kind === 'arrived' ? `arrived\u0000${arrivalInfo(notice).source ?? ''}` : notice.kind;
}

function listBodies(notices: Notice[], max = 3): string {
  const bodies = [...new Set(notices.flatMap((n) => n.body.split('\n')).map((b) => b.trim()).filter(Boolean))];
  if (bodies.length <= max) return bodies.join('\n');
  return [...bodies.slice(0, max), `and ${(bodies.length - max).toLocaleString('en-US')} more`].join('\n');
}

/**
 * One notification for a group of notices of the same kind (and, for arrivals, the same source).
 * Conflict notices carry the current total in their title ("3 conflicts need you"); the newest one
 * wins. Arrivals add up their file counts.
 */
export function summarize(notices: Notice[]): OutgoingNotification {
  const last = notices[notices.length - 1];
  if (notices.length === 1) return { title: last.title, body: last.body, tab: last.tab };
  const n = notices.length;
  switch (last.kind) {
    case 'conflict': {
      const total = /^(\d[\d,]*) conflicts? needs? you/i.exec(last.title);
      const title = total ? last.title : `${plural(n, 'conflict')} need you`;
      return { title, body: listBodies(notices), tab: last.tab };
    }
    case 'error':
      return { title: plural(n, 'sync problem'), body: listBodies([...notices].reverse()), tab: last.tab };
    case 'secret':
      return { title: `${plural(n, 'secret')} kept out of sync`, body: listBodies(notices), tab: last.tab };
    case 'arrived': {
      const infos = notices.map(arrivalInfo);
      const files = infos.reduce((sum, i) => sum + i.files, 0);
      const from = infos[infos.length - 1].source;
      const title = `${plural(files, 'file')} arrived${from ? ` from ${from}` : ''}`;
      // Name the single files ("x arrived from host"); counted ones are already in the total.
      const names = [...new Set(notices.map((x) => /^(.+?) arrived from /.exec(x.body.trim())?.[1]).filter((x): x is string => !!x && !/^\d[\d,]* files$/.test(x)))];
      const body = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${(names.length - 3).toLocaleString('en-US')} more`;
      return { title, body, tab: last.tab };
    }
  }
}

interface Group {
  notices: Notice[];
  timer: unknown;
}

export class NotificationGrouper {
  private readonly groups = new Map<string, Group>();
  private readonly sentAt: number[] = [];
  private readonly clock: Timers;
  private readonly windowMs: number;
  private readonly maxPerMinute: number;

  constructor(private readonly opts: NotificationGrouperOptions) {
    this.clock = opts.clock ?? realTimers;
    this.windowMs = opts.windowMs ?? 5000;
    this.maxPerMinute = Math.max(1, opts.maxPerMinute ?? 6);
  }

  /** Implements HostPorts.notify. */
  push(notice: Notice): void {
    if (!allowedAt(this.opts.level(), notice.kind)) return;
    const key = groupKey(notice);
    const group = this.groups.get(key);
    if (group) {
      group.notices.push(notice);
      return;
    }
    this.groups.set(key, { notices: [notice], timer: this.clock.setTimeout(() => this.flush(key), this.windowMs) });
  }

  /** Drops everything pending (on quit). */
  dispose(): void {
    for (const g of this.groups.values()) this.clock.clearTimeout(g.timer);
    this.groups.clear();
  }

  private flush(key: string): void {
    const group = this.groups.get(key);
    if (!group) return;
    const now = this.clock.now();
    while (this.sentAt.length && this.sentAt[0] <= now - 60_000) this.sentAt.shift();
    if (this.sentAt.length >= this.maxPerMinute) {
      // Wait for the oldest send to leave the minute; keep collecting meanwhile.
      group.timer = this.clock.setTimeout(() => this.flush(key), this.sentAt[0] + 60_000 - now + 1);
      return;
    }
    this.groups.delete(key);
    const level = this.opts.level();
    const kept = group.notices.filter((n) => allowedAt(level, n.kind));
    if (kept.length === 0) return;
    this.sentAt.push(now);
    this.opts.send(summarize(kept));
  }
}

// ---- Electron adapter ----

export interface NotificationLike {
  on(event: 'click' | 'close', listener: () => void): unknown;
  show(): void;
}

export interface NotificationConstructorLike {
  new (options: NotificationConstructorOptions): NotificationLike;
  isSupported(): boolean;
}

/**
 * The `send` for NotificationGrouper on Electron: shows a Notification; a click opens Preferences at
 * the tab. Shown notifications are kept referenced until closed/clicked, otherwise the JS object can
 * be collected and its click handler lost.
 */
export function electronNotifier(Notification: NotificationConstructorLike, openPreferences: (tab: string) => void): (n: OutgoingNotification) => void {
  const live = new Set<NotificationLike>();
  return (n) => {
    if (!Notification.isSupported()) return;
    const note = new Notification({ title: n.title, body: n.body });
    live.add(note);
    note.on('click', () => {
      live.delete(note);
      openPreferences(n.tab);
    });
    note.on('close', () => live.delete(note));
    note.show();
  };
}
