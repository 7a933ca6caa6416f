/**
 * What a sync would do, before it does it (chezmoi's `diff` and `apply --dry-run`):
 * - `confsync diff [PATH]`: pending changes as unified diffs, in two groups: not yet sent (edits here)
 *   and not yet applied (changes from other machines);
 * - the words of a preview (`sync --dry-run`, and `init --remote` on a machine that joins a repo):
 *   what arrives, what is sent, the profiles in the repo;
 * - `init --remote` on a joining machine: the preview, then a confirmation (`--yes` for scripts);
 *   without a terminal to ask on and without `--yes`, nothing is applied and the remote setting is
 *   put back as it was.
 * Words only here: the engine computes the preview (sync/preview.ts) and the diffs.
 */
import type { Command } from 'commander';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import type { Invoke } from './confsync.js';
import type { PendingDiff, PreviewItem, SyncPreview } from '../../shared/contract.js';
import type { Settings } from '../../shared/settings.js';
import type { SyncResult } from '../../shared/state.js';
import { plural } from '../../shared/meanings.js';
import { resolveHome } from '../engine/config/paths.js';

interface Deps {
  print(json: boolean, data: unknown, human: () => string): void;
  withHost<T>(fn: (invoke: Invoke, mode: 'daemon' | 'local') => Promise<T>): Promise<T>;
}

/** `/home/me/.zshrc` → `~/.zshrc` (this process's home, the one the host was opened with). */
export function tilde(abs: string, home = resolveHome()): string {
  if (abs === home) return '~';
  return abs.startsWith(home + '/') ? `~/${abs.slice(home.length + 1)}` : abs;
}

/** Lines of one group: each file's live path (padded) and its words. */
function itemLines(items: PreviewItem[], home: string): string[] {
  const shown = items.map((i) => tilde(i.live, home));
  const w = Math.min(40, Math.max(0, ...shown.map((s) => s.length)));
  return items.map((i, k) => `  ${shown[k].padEnd(w)}  ${i.words}`);
}

/** The profiles section of a preview: what joining turns on, what is on already, the others. */
export function profileLines(p: SyncPreview['profiles']): string[] {
  if (!p.length) return [];
  const out: string[] = [];
  const w = Math.max(...p.map((x) => x.name.length));
  const line = (x: SyncPreview['profiles'][number], why = '') => `  ${x.name.padEnd(w)}  ${plural(x.files, 'file')} in the repo${x.title && x.title.toLowerCase() !== x.name.toLowerCase() ? ` (${x.title})` : ''}${why}`;
  const groups: [string, SyncPreview['profiles']][] = [
    ['Profiles turned on here (their files are on this machine)', p.filter((x) => x.willEnable)],
    ['Profiles on here', p.filter((x) => x.enabled)],
    ['Other profiles in the repo, off here (turn one on with: confsync profile enable NAME)', p.filter((x) => !x.willEnable && !x.enabled)],
  ];
  for (const [title, list] of groups) {
    if (list.length) out.push(`${title}:`, ...list.map((x) => line(x, x.enabled || x.willEnable || x.detected ? '' : ', not found on this machine')));
  }
  return out;
}

/**
 * A preview in words: incoming (not yet applied) and outgoing (not yet sent), each with a count and
 * one line per file; files already the same are counted, not listed; the profiles (first when
 * joining: they decide which files arrive).
 */
export function previewText(p: SyncPreview, o: { home?: string; profiles?: boolean } = {}): string {
  const home = o.home ?? resolveHome();
  const files: string[] = [];
  if (p.offline) files.push(`The remote could not be asked (${p.offline}): this shows this machine's side only.`);
  const incoming = p.incoming.filter((i) => i.what !== 'same');
  const same = p.incoming.length - incoming.length;
  if (incoming.length) files.push(`${p.joining ? 'From the repo, as this machine joins' : 'From other machines, not yet applied'}: ${plural(incoming.length, 'file')}`, ...itemLines(incoming, home));
  if (p.outgoing.length) files.push(`From this machine, not yet sent: ${plural(p.outgoing.length, 'file')}`, ...itemLines(p.outgoing, home));
  if (same) files.push(`${plural(same, 'file')} already the same here`);
  if (!incoming.length && !p.outgoing.length) files.push(p.offline ? 'Nothing to send from this machine.' : 'Nothing to do: nothing to send, nothing arriving.');
  const profiles = o.profiles === false ? [] : profileLines(p.profiles);
  return (p.joining ? [...profiles, ...files] : [...files, ...profiles]).join('\n');
}

/** jsdiff, loaded on first use (as util/plist-build.ts loads plist): only diffs need it, not every command's start. */
let jsdiff: typeof import('diff') | null = null;

/** One file's change as a unified diff (`--- ~/.zshrc (in the repo)` / `+++ ~/.zshrc (here)`), without jsdiff's Index/=== lines. */
export function unifiedDiff(name: string, before: string | null, after: string | null, labels: { before: string; after: string }): string {
  const from = before === null ? `${name} (${labels.before}: not there)` : `${name} (${labels.before})`;
  const to = after === null ? `${name} (${labels.after}: not there)` : `${name} (${labels.after})`;
  // A file too different to diff line by line in reasonable time (over 10,000 edits, or 2 s) is described instead.
  jsdiff ??= createRequire(import.meta.url)('diff') as typeof import('diff');
  const patch = jsdiff.createTwoFilesPatch(from, to, before ?? '', after ?? '', undefined, undefined, { context: 3, maxEditLength: 10_000, timeout: 2_000 }) as string | undefined;
  if (patch === undefined) {
    const n = (t: string | null) => (t === null ? 0 : t.split('\n').length);
    return `--- ${from}\n+++ ${to}\n(too many changes to show line by line: ${plural(n(before), 'line')} before, ${plural(n(after), 'line')} after)`;
  }
  const lines = patch.split('\n');
  const start = lines.findIndex((l) => l.startsWith('--- '));
  return lines.slice(start).join('\n').replace(/\n$/, '');
}

/** `confsync diff` in words: outgoing ("not yet sent") and incoming ("not yet applied"), labelled, each file with its live path and words. */
export function diffsText(list: PendingDiff[], home = resolveHome()): string {
  const groups: [PendingDiff['direction'], string, { before: string; after: string }][] = [
    ['outgoing', 'Not yet sent (changed on this machine)', { before: 'in the repo', after: 'here' }],
    ['incoming', 'Not yet applied (from other machines)', { before: 'here', after: 'arriving' }],
  ];
  const out: string[] = [];
  for (const [dir, title, labels] of groups) {
    const items = list.filter((d) => d.direction === dir);
    if (!items.length) continue;
    if (out.length) out.push('');
    out.push(`${title}: ${plural(items.length, 'file')}`);
    for (const d of items) {
      const name = tilde(d.live, home);
      out.push('', `${name}: ${d.words}`);
      if (d.binary) out.push('(binary file: not shown)');
      else if (d.before === d.after) out.push('(the same text; only its mode or kind differs)');
      else out.push(unifiedDiff(name, d.before, d.after, labels));
    }
  }
  return out.join('\n');
}

/** Asks a yes/no question on the terminal; Ctrl-C, Ctrl-D and anything but y/yes is no. */
export function askYesNo(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let answered = false;
    const finish = (yes: boolean) => {
      if (answered) return;
      answered = true;
      rl.close();
      resolve(yes);
    };
    rl.on('SIGINT', () => {
      process.stderr.write('\n');
      finish(false);
    });
    rl.on('close', () => finish(false));
    rl.question(question, (a) => finish(/^\s*y(es)?\s*$/i.test(a)));
  });
}

/** Something would arrive or be turned on: joining needs the person's yes. */
export function previewHasIncoming(p: SyncPreview): boolean {
  return p.incoming.some((i) => i.what !== 'same') || p.profiles.some((x) => x.willEnable);
}

export class NotAppliedError extends Error {}

/**
 * `init --remote URL` (and `--branch`): previews the address before saving it (nothing is saved by
 * looking); when the remote's content would arrive here, prints the preview and asks (a terminal),
 * or applies with `yes`, or (neither) refuses, saying to run again with --yes. Only then is the remote
 * saved and joined. A remote with nothing to join (empty) needs no confirmation.
 */
export async function initRemote(
  invoke: Invoke,
  _mode: 'daemon' | 'local',
  o: { remote?: string; branch?: string; yes?: boolean; json?: boolean; out: (text: string) => void },
): Promise<SyncResult> {
  const before: Settings = await invoke('settings:get');
  const next = { url: o.remote !== undefined ? o.remote : before.remote.url, branch: o.branch ?? before.remote.branch };
  const changing = next.url !== before.remote.url || next.branch !== before.remote.branch;
  if (!changing) return invoke('sync:now');
  const save = () => invoke('settings:update', { patch: { remote: next } });
  const preview: SyncPreview = next.url ? await invoke('sync:preview', { url: next.url, branch: next.branch }) : { offline: null, joining: false, incoming: [], outgoing: [], profiles: [] };
  if (preview.offline && !o.yes) {
    throw new NotAppliedError(
      `could not reach ${next.url} to see what joining it would do (${preview.offline}). Nothing was changed and the remote setting is as it was; check the address, or run again with --yes to set it anyway.`,
    );
  }
  if (!previewHasIncoming(preview)) {
    // Nothing arrives (an empty remote, or one this machine already has): no question to ask.
    if (!o.json && preview.profiles.length) o.out(profileLines(preview.profiles).join('\n'));
    await save();
    return invoke('sync:now');
  }
  const words = `Joining ${next.url} (branch ${next.branch}) on this machine:\n${previewText(preview)}`;
  let yes = !!o.yes;
  if (!yes && !process.stdin.isTTY) {
    // --json keeps standard output one JSON document: the preview here, the result when applied.
    o.out(o.json ? JSON.stringify(preview, null, 2) : words);
    throw new NotAppliedError('nothing was applied: joining needs a yes, and there is no terminal to ask on; run again with --yes to apply (the remote setting is as it was)');
  }
  if (!o.json) o.out(words);
  else if (!yes) process.stderr.write(words + '\n');
  if (!yes) yes = await askYesNo('Apply this? [y/N] ');
  if (!yes) throw new NotAppliedError('nothing was applied (the remote setting is as it was)');
  await save();
  // What the person saw is what is turned on.
  return invoke('sync:join', { profiles: preview.profiles.filter((x) => x.willEnable).map((x) => x.name) });
}

export function previewCommands(program: Command, d: Deps): void {
  program
    .command('diff [path]')
    .description('Pending changes as diffs: edits here not yet sent, and changes from other machines not yet applied (PATH: live path or repo path)')
    .option('--json', 'print as JSON (the text before and after, per file)')
    .action(async (path: string | undefined, o: { json?: boolean }) => {
      const list: PendingDiff[] = await d.withHost((invoke) => invoke('sync:diff', path === undefined ? undefined : { path }));
      d.print(!!o.json, list, () => {
        if (list.length) return diffsText(list);
        return path === undefined ? 'No pending changes: nothing to send, nothing arriving.' : `No pending change for ${path}: nothing to send, nothing arriving.`;
      });
    });
}
