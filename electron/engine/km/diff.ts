/**
 * What changed between two reads of a library, as events for the activity feed.
 *
 * - First load (`prev` null): exactly one `library_reloaded`.
 * - Macros are matched by UID. A macro whose content (everything but `IsActive`/`ModificationDate`)
 *   changed, or that moved to another group, is `macro_modified`. A flip of its own `IsActive` is
 *   `macro_enabled`/`macro_disabled`; when that flip is the only change, no `macro_modified` comes with
 *   it (KM bumps ModificationDate on a toggle, which is ignored). An edit *and* a flip give both events.
 * - Groups are matched by UID: `group_added`, `group_removed`, `group_renamed`, and, beyond the basic
 *   list, `group_enabled`/`group_disabled` (IsActive) and `group_modified` (any other group attribute,
 *   e.g. Targeting or SearchStrings). A group's toggle does not produce per-macro events (their
 *   `active` changes with it). Macros of an added/removed group get their own added/removed events.
 *
 * Order: group events (library order of `next`, then removed groups in `prev` order), then macro events
 * (library order of `next`, then removed macros in `prev` order).
 */
import { hashWithout } from './canonical.js';
import type { KmGroup, KmLibrary, KmMacroRecord } from './types.js';

export interface KmMacroState {
  name: string;
  group: string;
  groupUid: string;
  enabled: boolean;
  active: boolean;
  hash: string;
}

export interface KmGroupState {
  name: string;
  enabled: boolean;
  smart: boolean;
  macros: number;
}

export interface KmLibrarySummary {
  groups: number;
  macros: number;
  enabledMacros: number;
}

export type KmMacroEventType = 'macro_added' | 'macro_removed' | 'macro_modified' | 'macro_enabled' | 'macro_disabled';
export type KmGroupEventType = 'group_added' | 'group_removed' | 'group_renamed' | 'group_enabled' | 'group_disabled' | 'group_modified';
export type KmEventType = KmMacroEventType | KmGroupEventType | 'library_reloaded';

interface KmEventBase {
  /** Macro UID, group UID, or '' for library_reloaded. */
  uid: string;
  name: string;
  /** Group name (for group events: the group's own name). */
  group: string;
  groupUid: string;
  at: number;
}
export interface KmMacroEvent extends KmEventBase {
  type: KmMacroEventType;
  old?: KmMacroState;
  new?: KmMacroState;
}
export interface KmGroupEvent extends KmEventBase {
  type: KmGroupEventType;
  old?: KmGroupState;
  new?: KmGroupState;
}
export interface KmReloadEvent extends KmEventBase {
  type: 'library_reloaded';
  old?: KmLibrarySummary;
  new: KmLibrarySummary;
}
export type KmEvent = KmMacroEvent | KmGroupEvent | KmReloadEvent;

const GROUP_IGNORED_KEYS: ReadonlySet<string> = new Set(['Macros', 'Name', 'IsActive']);

export function macroState(m: KmMacroRecord): KmMacroState {
  return { name: m.name, group: m.groupName, groupUid: m.groupUid, enabled: m.enabled, active: m.active, hash: m.hash };
}

export function groupState(g: KmGroup): KmGroupState {
  return { name: g.name, enabled: g.enabled, smart: g.smart, macros: g.macroUids.length };
}

export function librarySummary(lib: KmLibrary): KmLibrarySummary {
  let enabledMacros = 0;
  for (const m of lib.macros.values()) if (m.active) enabledMacros++;
  return { groups: lib.groups.length, macros: lib.macros.size, enabledMacros };
}

export function reloadEvent(lib: KmLibrary, at: number, prev?: KmLibrary | null): KmReloadEvent {
  const ev: KmReloadEvent = { type: 'library_reloaded', uid: '', name: '', group: '', groupUid: '', new: librarySummary(lib), at };
  if (prev) ev.old = librarySummary(prev);
  return ev;
}

export function diffLibraries(prev: KmLibrary | null, next: KmLibrary, now: number): KmEvent[] {
  if (!prev) return [reloadEvent(next, now)];
  const events: KmEvent[] = [];

  const prevGroups = new Map(prev.groups.map((g) => [g.uid, g]));
  const nextGroups = new Map(next.groups.map((g) => [g.uid, g]));
  const gEvent = (type: KmGroupEventType, g: KmGroup, old?: KmGroup, nw?: KmGroup): KmGroupEvent => {
    const ev: KmGroupEvent = { type, uid: g.uid, name: g.name, group: g.name, groupUid: g.uid, at: now };
    if (old) ev.old = groupState(old);
    if (nw) ev.new = groupState(nw);
    return ev;
  };
  for (const g of next.groups) {
    const p = prevGroups.get(g.uid);
    if (!p) {
      events.push(gEvent('group_added', g, undefined, g));
      continue;
    }
    if (p.name !== g.name) events.push(gEvent('group_renamed', g, p, g));
    if (p.enabled !== g.enabled) events.push(gEvent(g.enabled ? 'group_enabled' : 'group_disabled', g, p, g));
    if (p.smart !== g.smart || hashWithout(p.raw, GROUP_IGNORED_KEYS) !== hashWithout(g.raw, GROUP_IGNORED_KEYS)) {
      events.push(gEvent('group_modified', g, p, g));
    }
  }
  for (const p of prev.groups) if (!nextGroups.has(p.uid)) events.push(gEvent('group_removed', p, p, undefined));

  const mEvent = (type: KmMacroEventType, m: KmMacroRecord, old?: KmMacroRecord, nw?: KmMacroRecord): KmMacroEvent => {
    const ev: KmMacroEvent = { type, uid: m.uid, name: m.name, group: m.groupName, groupUid: m.groupUid, at: now };
    if (old) ev.old = macroState(old);
    if (nw) ev.new = macroState(nw);
    return ev;
  };
  for (const m of next.macros.values()) {
    const p = prev.macros.get(m.uid);
    if (!p) {
      events.push(mEvent('macro_added', m, undefined, m));
      continue;
    }
    if (p.hash === m.hash && p.groupUid === m.groupUid) continue;
    if (p.contentHash !== m.contentHash || p.groupUid !== m.groupUid) events.push(mEvent('macro_modified', m, p, m));
    if (p.enabled !== m.enabled) events.push(mEvent(m.enabled ? 'macro_enabled' : 'macro_disabled', m, p, m));
  }
  for (const p of prev.macros.values()) if (!next.macros.has(p.uid)) events.push(mEvent('macro_removed', p, p, undefined));

  return events;
}
