/**
 * Words and groupings for the setup flow (preferences, Repository: test a remote, preview joining it,
 * apply) and for the review of changes waiting to arrive ('ask before applying'). Pure: the components
 * only render what these return, and the unit tests check them.
 *
 * The engine decides what will happen to each file (engine/sync/preview.ts: `what` and `words`); these
 * functions only group those decisions, count them and say them in words.
 */
import { plural } from '../../shared/meanings.js';
import type { AppState } from '../../shared/state.js';
import type { PreviewItem, SyncPreview, TestConnectionResult } from '../../shared/contract.js';
import { explainProblem, gitFirstLine } from './host-errors.js';
import { testConnectionWords, type Described, type Tone } from './words.js';

// ------------------------------------------------------------------------------ testing a remote

/** A connection test in words: what it found, and what to do about it (null when nothing needs doing). */
export function setupTestWords(r: TestConnectionResult): { title: string; tone: Tone; fix: string | null; gitLine: string | null } {
  const { title, tone } = testConnectionWords(r.kind);
  const gitLine = r.kind === 'ok' || r.kind === 'empty' ? null : gitFirstLine(r.detail);
  switch (r.kind) {
    case 'ok':
      return { title, tone, fix: null, gitLine };
    case 'empty':
      return { title, tone, fix: null, gitLine };
    case 'not-found':
      // git's line only repeats the address ("… does not appear to be a git repository").
      return { title, tone, fix: 'No repository at that address: look for a typo, or for a disk, check that it is connected.', gitLine: null };
    case 'offline':
      return { title, tone, fix: "Check this machine's network connection (and that the server is up), then test again.", gitLine };
    case 'timeout':
      return { title, tone, fix: 'Check the connection to the server, then test again.', gitLine };
    case 'auth-failed':
    case 'host-key-changed':
      return { title, tone, fix: explainProblem(r.kind, [r.message, r.detail])?.fix ?? null, gitLine };
    case 'error': {
      const p = explainProblem('error', [r.message, r.detail]);
      // A test that could not run says why in the host's words ("No remote URL set", git's line).
      return { title: p ? p.cause : title, tone, fix: p?.fix ?? null, gitLine: p ? null : (gitLine ?? (r.message && r.message !== 'error' ? r.message : null)) };
    }
  }
}

/** The test found a repository the flow can go on with (one with ConfSync files, or an empty one). */
export function testAllowsPreview(r: TestConnectionResult | null): boolean {
  return !!r && (r.kind === 'ok' || r.kind === 'empty');
}

/**
 * The host's own words beside the kind when they add something: "Reachable; branch main exists". Its
 * message is only the kind's name (or the not-found sentence the title already says) otherwise.
 */
export function testDetailWords(r: TestConnectionResult): string | null {
  const m = r.message.trim();
  if (!m || m === r.kind || /^No repository at that address$/i.test(m) || r.kind === 'error') return null;
  return m;
}

// ------------------------------------------------------------------------------ the preview

export type PreviewGroupId = 'arrives' | 'kept' | 'removed' | 'sent' | 'held' | 'same';

const GROUP_OF: Record<PreviewItem['what'], PreviewGroupId> = {
  arrives: 'arrives',
  replaces: 'arrives',
  'yours-kept-beside': 'kept',
  'both-changed': 'kept',
  removed: 'removed',
  new: 'sent',
  changed: 'sent',
  deleted: 'sent',
  held: 'held',
  same: 'same',
};

/** In the order a person reads them: what changes here first, what stays the same last. */
const GROUP_TITLES: readonly { id: PreviewGroupId; title: string }[] = [
  { id: 'arrives', title: 'Arrives from the repo' },
  { id: 'kept', title: 'Kept as a conflict copy' },
  { id: 'removed', title: 'Removed here' },
  { id: 'sent', title: 'Sent from this machine' },
  { id: 'held', title: 'Held back' },
  { id: 'same', title: 'Already the same' },
];

export function groupOf(what: PreviewItem['what']): PreviewGroupId {
  return GROUP_OF[what];
}

export interface PreviewGroup {
  id: PreviewGroupId;
  title: string;
  /** "1 file", "1,204 files". */
  count: string;
  items: (PreviewItem & { direction: 'incoming' | 'outgoing' })[];
}

/** The top folder of a repo path is its profile: `zsh/.zshrc` → zsh. */
export function profileOfPath(path: string): string {
  return path.split('/')[0] ?? path;
}

/**
 * The preview's files grouped by what will happen, non-empty groups only. Files of profiles the person
 * chose to leave off (`leftOff`) are left out: applying does not touch them.
 */
export function previewGroups(p: Pick<SyncPreview, 'incoming' | 'outgoing'>, leftOff: ReadonlySet<string> = new Set()): PreviewGroup[] {
  const off = new Set([...leftOff].map((n) => n.toLowerCase()));
  const items = [
    ...p.incoming.map((i) => ({ ...i, direction: 'incoming' as const })),
    ...p.outgoing.map((i) => ({ ...i, direction: 'outgoing' as const })),
  ].filter((i) => !off.has(profileOfPath(i.path).toLowerCase()));
  const out: PreviewGroup[] = [];
  for (const g of GROUP_TITLES) {
    const list = items.filter((i) => GROUP_OF[i.what] === g.id).sort((a, b) => a.live.localeCompare(b.live));
    if (list.length) out.push({ id: g.id, title: g.title, count: plural(list.length, 'file'), items: list });
  }
  return out;
}

/** One line over the groups: "3 files: 1 arrives, 1 kept as a conflict copy, 1 already the same." */
export function previewSummary(groups: readonly PreviewGroup[]): string {
  const total = groups.reduce((n, g) => n + g.items.length, 0);
  if (!total) return 'No files change on this machine.';
  const part = (g: PreviewGroup): string => {
    const n = g.items.length.toLocaleString('en-US');
    switch (g.id) {
      case 'arrives':
        return `${n} ${g.items.length === 1 ? 'arrives' : 'arrive'}`;
      case 'kept':
        return `${n} kept as ${g.items.length === 1 ? 'a conflict copy' : 'conflict copies'}`;
      case 'removed':
        return `${n} removed`;
      case 'sent':
        return `${n} sent`;
      case 'held':
        return `${n} held back`;
      case 'same':
        return `${n} already the same`;
    }
  };
  return `${plural(total, 'file')}: ${groups.map(part).join(', ')}.`;
}

/** The file's name, for a list row ("/home/me/.zshrc" → ".zshrc"). */
export function fileName(path: string): string {
  const p = path.replace(/[\\/]+$/, '');
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1) || p;
}

export type SetupProfile = SyncPreview['profiles'][number];

/** The profiles the flow turns on when applied, to start with: the ones the engine would. */
export function initialChoice(profiles: readonly SetupProfile[]): Set<string> {
  return new Set(profiles.filter((p) => p.willEnable).map((p) => p.name));
}

/**
 * One profile of the repo in words: its files in the repo, and what applying does with it here.
 * `chosen`: it is turned on when the person applies.
 */
export function setupProfileWords(p: SetupProfile, chosen: boolean): { files: string; state: string; action: 'turn-on' | 'leave-off' | null } {
  const files = `${plural(p.files, 'file')} in the repo`;
  if (p.enabled) return { files, state: 'Already on here', action: null };
  if (chosen) {
    return {
      files,
      state: p.detected
        ? 'Turned on when you apply'
        : `Turned on when you apply: ${p.files === 1 ? 'its file arrives' : `its ${p.files.toLocaleString('en-US')} files arrive`} from the repo`,
      action: 'leave-off',
    };
  }
  return { files, state: p.detected ? 'Found on this machine, left off' : 'Not found on this machine', action: 'turn-on' };
}

/** The names to pass to sync:join: every chosen profile that is not on yet. */
export function joinProfiles(profiles: readonly SetupProfile[], chosen: ReadonlySet<string>): string[] {
  return profiles.filter((p) => !p.enabled && chosen.has(p.name)).map((p) => p.name);
}

/** The profiles with files in the repo that stay off (their files are not touched by applying). */
export function leftOffProfiles(profiles: readonly SetupProfile[], chosen: ReadonlySet<string>): Set<string> {
  return new Set(profiles.filter((p) => !p.enabled && !chosen.has(p.name)).map((p) => p.name));
}

/**
 * The two versions a file's diff shows, named from this machine. Files that arrive are a change to
 * yours (red/green); a file kept both ways is two sides, neither "removed".
 */
export function diffLabels(item: Pick<PreviewItem, 'what'> & { direction: 'incoming' | 'outgoing' }, host: string): { oldLabel: string; newLabel: string; sides: { oldTag: string; newTag: string } | null } {
  if (item.direction === 'outgoing') return { oldLabel: 'In the repo', newLabel: 'Yours (sent)', sides: null };
  if (item.what === 'yours-kept-beside' || item.what === 'both-changed') {
    return { oldLabel: `Yours (this machine, ${host})`, newLabel: "The repo's version", sides: { oldTag: 'yours', newTag: 'repo' } };
  }
  return { oldLabel: 'Yours now', newLabel: 'Arriving', sides: null };
}

// ------------------------------------------------------------------------------ changes waiting to arrive

/** "1 change waiting to arrive", "12 changes waiting to arrive". */
export function incomingWaitingWords(n: number): string {
  return `${plural(n, 'change')} waiting to arrive`;
}

/**
 * The header while changes from other machines wait for a review ('ask before applying'): never an
 * error or a warning (nothing is wrong; the person asked for this), never "Up to date" (something
 * waits). Anything the header says first (an error, conflicts, offline, paused, a sync running, files
 * not synced) keeps its words: the banner below still shows the count.
 */
export function withIncomingWaiting(d: Described, s: Pick<AppState, 'repo'>): Described {
  const n = s.repo.incomingWaiting ?? 0;
  if (n <= 0 || d.kind !== 'idle' || (d.tone !== 'ok' && d.tone !== 'pending')) return d;
  const detail = 'Changes from other machines arrive here when you apply them.';
  return { kind: d.kind, tone: 'pending', label: 'Waiting for your review', detail: d.tone === 'pending' ? `${d.detail} ${detail}` : detail };
}

/** What the review lists: the changes that arrive (a file already the same here is no change). */
export function reviewItems(p: Pick<SyncPreview, 'incoming'>): PreviewItem[] {
  return p.incoming.filter((i) => i.what !== 'same').sort((a, b) => a.live.localeCompare(b.live));
}

/** "Apply all 3 changes" / "Apply the change". */
export function applyAllWords(n: number): string {
  return n === 1 ? 'Apply the change' : `Apply all ${plural(n, 'change')}`;
}

