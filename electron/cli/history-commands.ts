/**
 * History as a timeline (GitHub Desktop's History): `confsync log` lists recent changes across every
 * synced file, newest first, one block per change (when, which machine, what it says, its files with
 * + added, ~ changed, - deleted); `--profile` and `--path` filter it. `confsync log --show N` prints
 * one change's diffs, and `confsync restore --change N` (in confsync.ts, beside `restore PATH`) puts
 * every file of one change back.
 *
 * Changes are numbered, newest first, over the whole timeline (1 is the newest change to any synced
 * file), so a number means the same change with or without a filter and nobody copies a commit id;
 * the last 500 changes are numbered (the timeline's page limit). `--json` keeps the revisions.
 */
import type { Command } from 'commander';
import type { Invoke } from './confsync.js';
import { UsageError } from './confsync.js';
import type { TimelineEntry } from '../../shared/contract.js';
import { plural, relativeTime } from '../../shared/meanings.js';
import { tilde, unifiedDiff } from './preview-commands.js';

interface Deps {
  print(json: boolean, data: unknown, human: () => string): void;
  withHost<T>(fn: (invoke: Invoke, mode: 'daemon' | 'local') => Promise<T>): Promise<T>;
}

/** How many changes are numbered: the timeline's largest page. */
export const NUMBERED = 500;

const MARK = { added: '+', modified: '~', deleted: '-' } as const;

/** A change's number (1 to 3 digits, optionally after #) or a git revision, as typed. */
export function changeRef(input: string): { number: number } | { rev: string } {
  const t = input.trim();
  return /^#?\d{1,3}$/.test(t) ? { number: Number(t.replace('#', '')) } : { rev: t };
}

/** The commit message without the leading "host: " the engine's messages start with (the host is shown beside it). */
function what(e: TimelineEntry): string {
  const m = e.message.trim();
  return m.startsWith(`${e.host}: `) ? m.slice(e.host.length + 2) : m;
}

/** One change's heading: "3. 2 h ago on desk-b: 2 files changed (.zshrc, .gitconfig)"; as a title, "Change 3, 2 h ago on desk-b: …". */
export function changeHeading(e: TimelineEntry, n: number | null, now: number, title = false): string {
  const words = what(e);
  const when = `${relativeTime(Math.min(e.at, now), now)} on ${e.host}${words ? `: ${words}` : ''}`;
  if (title) return n === null ? `The change from ${when}` : `Change ${n}, ${when}`;
  return `${n === null ? '' : `${n}. `}${when}`;
}

/** The timeline in words: one block per change, files marked + ~ -, and how to see or restore one. */
export function timelineText(entries: { entry: TimelineEntry; n: number | null }[], o: { now?: number; home?: string; hint?: boolean } = {}): string {
  const now = o.now ?? Date.now();
  if (!entries.length) return 'No changes yet.';
  const out: string[] = [];
  for (const { entry, n } of entries) {
    out.push(changeHeading(entry, n, now));
    for (const f of entry.files.slice(0, 20)) out.push(`   ${MARK[f.change]} ${f.live ? tilde(f.live, o.home) : `${f.path} (not synced on this machine)`}`);
    if (entry.files.length > 20) out.push(`   … and ${plural(entry.files.length - 20, 'more file')}`);
  }
  out.push('(+ added, ~ changed, - deleted)');
  if (o.hint !== false && entries.some((e) => e.n !== null)) out.push('one change with its diffs: confsync log --show N · put its files back: confsync restore --change N');
  if (entries.some((e) => e.n === null)) out.push(`changes without a number are older than the last ${NUMBERED.toLocaleString('en-US')}: \`confsync log --json\` gives their revisions`);
  return out.join('\n');
}

/** One change with its diffs (history:change). */
export function changeText(d: { entry: TimelineEntry; files: { path: string; live: string | null; change: 'added' | 'modified' | 'deleted'; before: string | null; after: string | null; binary: boolean }[] }, n: number | null, o: { now?: number; home?: string } = {}): string {
  const now = o.now ?? Date.now();
  const counts = (['added', 'modified', 'deleted'] as const)
    .map((k) => [d.files.filter((f) => f.change === k).length, k === 'modified' ? 'changed' : k] as const)
    .filter(([c]) => c > 0)
    .map(([c, w]) => `${c.toLocaleString('en-US')} ${w}`);
  const out = [changeHeading(d.entry, n, now, true), `${plural(d.files.length, 'file')}: ${counts.join(', ')}`];
  for (const f of d.files) {
    const name = f.live ? tilde(f.live, o.home) : f.path;
    out.push('', `${MARK[f.change]} ${name}${f.live ? '' : ' (not synced on this machine)'}`);
    if (f.binary) out.push('(binary file: not shown)');
    else if (f.before === f.after) out.push('(the same text; only its mode or kind changed)');
    else out.push(unifiedDiff(name, f.before, f.after, { before: 'before', after: 'after' }));
  }
  return out.join('\n');
}

/** The change a number or revision names: its revision and its number (null for a revision not among the numbered ones). */
export async function resolveChange(invoke: Invoke, input: string): Promise<{ rev: string; n: number | null }> {
  const ref = changeRef(input);
  if ('rev' in ref) {
    const all = await invoke('history:timeline', { limit: NUMBERED });
    return { rev: ref.rev, n: numberOfRev(all, ref.rev) };
  }
  if (ref.number < 1) throw new UsageError(`change numbers start at 1 (1 is the newest; see \`confsync log\`)`);
  if (ref.number > NUMBERED) throw new UsageError(`only the last ${NUMBERED.toLocaleString('en-US')} changes are numbered; use a revision from \`confsync log --json\``);
  const list = await invoke('history:timeline', { limit: ref.number });
  if (ref.number > list.length) {
    throw new UsageError(list.length ? `there ${list.length === 1 ? 'is 1 change' : `are ${plural(list.length, 'change')}`}: N is 1 to ${list.length.toLocaleString('en-US')} (see \`confsync log\`)` : 'there are no changes yet (see `confsync log`)');
  }
  return { rev: list[ref.number - 1].rev, n: ref.number };
}

/** A revision as typed → its number in the timeline, when it names one of the numbered changes (a prefix of its full id). */
function numberOfRev(all: TimelineEntry[], rev: string): number | null {
  if (!/^[0-9a-f]{4,40}$/i.test(rev)) return null;
  const hits = all.flatMap((e, i) => (e.rev.startsWith(rev.toLowerCase()) ? [i + 1] : []));
  return hits.length === 1 ? hits[0] : null;
}

export function historyCommands(program: Command, d: Deps): void {
  program
    .command('log')
    .description('Recent changes across every synced file, newest first: when, which machine, the files (+ added, ~ changed, - deleted)')
    .option('--profile <name>', 'only changes to this profile\'s files')
    .option('--path <path>', 'only changes to this file (live path or repo path)')
    .option('-n, --max-count <n>', 'how many changes (1 to 500; default 20)')
    .option('--show <change>', 'one change with its diffs: a number from the list (1 is the newest), or a revision')
    .option('--json', 'print as JSON (with the revisions and epoch-millisecond times)')
    .action(async (o: { profile?: string; path?: string; maxCount?: string; show?: string; json?: boolean }) => {
      if (o.show !== undefined) {
        if (o.profile || o.path || o.maxCount) throw new UsageError('--show takes one change: leave out --profile, --path and -n (the numbers are the same with or without them)');
        const { detail, n } = await d.withHost(async (invoke) => {
          const c = await resolveChange(invoke, o.show!);
          return { detail: await invoke('history:change', { rev: c.rev }), n: c.n };
        });
        d.print(!!o.json, detail, () => changeText(detail, n));
        return;
      }
      let limit = 20;
      if (o.maxCount !== undefined) {
        limit = Number(o.maxCount);
        if (!/^\d+$/.test(o.maxCount.trim()) || limit < 1 || limit > NUMBERED) throw new UsageError(`-n takes a number from 1 to ${NUMBERED}, not "${o.maxCount}"`);
      }
      const numbered = await d.withHost(async (invoke) => {
        if (o.profile) {
          // A profile name is checked here, so a typing mistake is named with the one probably meant.
          const names = (await invoke('state:get')).profiles.map((p) => p.name);
          const known = names.find((n) => n.toLowerCase() === o.profile!.toLowerCase());
          if (!known) {
            const { closest } = await import('../engine/sync/paths.js');
            const best = closest(o.profile, names.map((n) => ({ key: n, show: n })));
            throw new UsageError(`no profile named "${o.profile}"${best ? `; did you mean ${best}?` : ''} (see \`confsync profile list\`)`);
          }
        }
        const filtered = !!(o.profile || o.path);
        const list = await invoke('history:timeline', { limit, ...(o.profile ? { profile: o.profile } : {}), ...(o.path ? { path: o.path } : {}) });
        // Numbers are positions in the whole timeline, so a filtered list numbers its changes the same.
        const all = filtered && list.length ? await invoke('history:timeline', { limit: NUMBERED }) : list;
        const at = new Map(all.map((e, i) => [e.rev, i + 1]));
        return list.map((entry) => ({ entry, n: at.get(entry.rev) ?? null }));
      });
      d.print(!!o.json, numbered.map((x) => ({ ...x.entry, number: x.n })), () => timelineText(numbered));
    });
}
