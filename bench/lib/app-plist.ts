/**
 * A generated app preferences plist (~200 KB as a binary plist), shaped like a real app's domain:
 * window frames, counters, launch dates, a list of recent documents with bookmark data (random bytes,
 * as security-scoped bookmarks are), and a few hundred settings of every plist type. Deterministic for
 * a seed; `editAppPrefs` makes the kind of change an app makes when it is used: a counter, a date, a
 * recent document opened (new bookmark at the front, the oldest dropped), a setting toggled.
 */
import { rng } from './tree.js';

export type Prefs = Record<string, unknown>;

function bytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

function word(rand: () => number): string {
  const w = ['project', 'notes', 'report', 'draft', 'invoice', 'photo', 'budget', 'plan', 'todo', 'archive', 'summary', 'meeting'];
  return w[Math.floor(rand() * w.length)]!;
}

function recentDoc(rand: () => number, i: number): Prefs {
  return {
    Path: `/Users/someone/Documents/${word(rand)}-${i}/${word(rand)} ${i}.txt`,
    Bookmark: bytes(rand, 700 + Math.floor(rand() * 400)),
    OpenedAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000),
    Pinned: rand() < 0.1,
  };
}

/** Whole seconds: a binary plist's dates are written as such by bplist-creator. */
export function generateAppPrefs(seed = 17): Prefs {
  const rand = rng(seed);
  const settings: Prefs = {};
  for (let i = 0; i < 600; i++) {
    const k = `Setting${String(i).padStart(3, '0')}.${word(rand)}`;
    const t = i % 6;
    settings[k] = t === 0 ? rand() < 0.5 : t === 1 ? Math.floor(rand() * 10_000) : t === 2 ? Math.round(rand() * 10_000) / 100 + 0.01 : t === 3 ? `${word(rand)} ${word(rand)}` : t === 4 ? [Math.floor(rand() * 100), word(rand)] : { Enabled: rand() < 0.5, Level: Math.floor(rand() * 10) };
  }
  return {
    'NSWindow Frame Main': '120 340 1280 800 0 0 2560 1415 ',
    'NSWindow Frame Preferences': '400 500 640 480 0 0 2560 1415 ',
    LaunchCount: 1,
    LastLaunchDate: new Date(Date.UTC(2026, 0, 1)),
    SUEnableAutomaticChecks: true,
    SULastCheckTime: new Date(Date.UTC(2026, 0, 1)),
    RecentDocuments: Array.from({ length: 150 }, (_, i) => recentDoc(rand, i)),
    Settings: settings,
    ToolbarItems: Array.from({ length: 40 }, (_, i) => ({ Identifier: `com.example.app.toolbar.${word(rand)}.${i}`, Visible: rand() < 0.8, Width: 24 + Math.floor(rand() * 60) })),
  };
}

/**
 * Edit number `i` (1-based) of `prefs`, in place: what an app writes when used once. Returns the part
 * that changed (the keys and values written), to measure the size of the change.
 */
export function editAppPrefs(prefs: Prefs, i: number, seed = 17): Prefs {
  const rand = rng(seed * 7919 + i);
  const recents = prefs.RecentDocuments as Prefs[];
  const doc = recentDoc(rand, 1000 + i);
  recents.unshift(doc);
  recents.pop();
  prefs.LaunchCount = (prefs.LaunchCount as number) + 1;
  prefs.LastLaunchDate = new Date(Date.UTC(2026, 0, 1) + i * 60_000);
  const settings = prefs.Settings as Prefs;
  const keys = Object.keys(settings).filter((k) => typeof settings[k] === 'boolean');
  const key = keys[i % keys.length]!;
  settings[key] = !settings[key];
  return { RecentDocuments: [doc], LaunchCount: prefs.LaunchCount, LastLaunchDate: prefs.LastLaunchDate, Settings: { [key]: settings[key] } };
}
