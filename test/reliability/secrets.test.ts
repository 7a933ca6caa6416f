/**
 * The secrets guard end to end (the scanner's own rules are unit-tested in test/unit/secrets): a file
 * holding a private key is kept out of the repo while the rest of the same pass is committed; the
 * finding is in the state with path, line and rule; a notification is raised once; allowing the
 * fingerprint or the path lets the file through; and no other route (a clean merge with another
 * machine's edit, a conflict, a watched edit) carries the secret into the repo.
 * Keys are generated at test time (test/unit/secrets/corpus.ts): no literal key sits in the source.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdirSync } from 'node:fs';
import { Machine, bareRemote, waitFor } from '../helpers/machine.js';
import { positiveCorpus } from '../unit/secrets/corpus.js';
import { git, reachableBlobText } from './helpers.js';
import { generateLibrary, writeLibrary, macroOf } from '../helpers/km-library.js';
import { kmFeature, KM_EXPORT_DIR } from '../../electron/engine/features/km.js';
import { secretsFeature } from '../../electron/engine/features/index.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

const key = positiveCorpus().find((c) => c.rule === 'private-key-openssh')!;
/** The key's body, as it would appear in any blob that leaked it. */
const keyBody = key.secret.slice(0, 40);

async function machine(name = 'alpha', opts: { remote?: string; watch?: boolean; settings?: Record<string, unknown> } = {}) {
  const m = new Machine(name, { remote: opts.remote ?? bareRemote(), profiles: ['dots'], watch: opts.watch, settings: opts.settings });
  open.push(m);
  mkdirSync(m.path('dots'), { recursive: true });
  await m.open();
  await m.invoke('profiles:save', { profile: { name: 'dots', paths: ['~/dots'] } });
  await m.sync();
  return m;
}

const leaked = (m: Machine) => {
  const remote = m.opts.remote!;
  return reachableBlobText(m.repo, 'HEAD').includes(keyBody) || reachableBlobText(remote, 'main').includes(keyBody);
};

describe('secrets guard, end to end', () => {
  it('a private key is kept out; the rest of the pass is committed; the finding and one notification say where', async () => {
    const m = await machine();
    m.write('dots/ssh/id_ed25519', key.content);
    m.write('dots/app.conf', 'harmless = true\n');
    m.write('dots/other.conf', 'also harmless\n');
    const r = await m.sync();
    expect(r.kind).toBe('ok');
    expect(m.repoFile('dots/dots/app.conf')).toBe('harmless = true\n');
    expect(m.repoFile('dots/dots/other.conf')).toBe('also harmless\n');
    expect(m.repoFile('dots/dots/ssh/id_ed25519')).toBeNull();
    expect(leaked(m)).toBe(false);
    const st = await m.invoke('state:get');
    expect(st.secrets).toHaveLength(1);
    expect(st.secrets[0]).toMatchObject({ path: 'dots/dots/ssh/id_ed25519', line: key.line, rule: key.rule });
    expect(st.secrets[0].fingerprint).toMatch(/\S{8,}/);
    expect(st.activity.some((a) => a.kind === 'secret' && a.text.includes('dots/dots/ssh/id_ed25519') && a.text.includes(st.secrets[0].fingerprint))).toBe(true);
    const notices = m.notices.filter((n) => n.kind === 'secret');
    expect(notices).toHaveLength(1);
    expect(notices[0].body).toContain('dots/dots/ssh/id_ed25519');
    expect(notices[0].body).toContain('allowFindings');
    // The live file is untouched, and later passes neither commit it nor notify again.
    expect(m.read('dots/ssh/id_ed25519')).toBe(key.content);
    await m.sync();
    await m.sync();
    expect(m.repoFile('dots/dots/ssh/id_ed25519')).toBeNull();
    expect(m.notices.filter((n) => n.kind === 'secret')).toHaveLength(1);
    // The key never appears in any message either.
    expect(JSON.stringify(await m.invoke('state:get'))).not.toContain(keyBody);
  });

  it('allowing the finding\'s fingerprint lets the file through, and the finding clears', async () => {
    const m = await machine();
    m.write('dots/ssh/id_ed25519', key.content);
    await m.sync();
    const fp = (await m.invoke('state:get')).secrets[0].fingerprint;
    await m.invoke('settings:update', { patch: { secrets: { allowFindings: [fp] } } });
    const r = await m.sync();
    expect(r.committed).toBe(1);
    expect(m.repoFile('dots/dots/ssh/id_ed25519')).toBe(key.content);
    expect((await m.invoke('state:get')).secrets).toEqual([]);
  });

  it('allowing the path (a glob in secrets.allowPaths) lets the file through', async () => {
    const m = await machine();
    m.write('dots/ssh/id_ed25519', key.content);
    await m.sync();
    expect(m.repoFile('dots/dots/ssh/id_ed25519')).toBeNull();
    await m.invoke('settings:update', { patch: { secrets: { allowPaths: ['dots/dots/ssh/**'] } } });
    await m.sync();
    expect(m.repoFile('dots/dots/ssh/id_ed25519')).toBe(key.content);
  });

  it('a key added to an already-synced file: the old version stays everywhere; removing the key syncs the edit', async () => {
    const remote = bareRemote();
    const a = await machine('alpha', { remote });
    a.write('dots/app.conf', 'setting = 1\n');
    await a.sync();
    a.write('dots/app.conf', `setting = 1\n${key.content}`);
    await a.sync();
    expect(a.repoFile('dots/dots/app.conf')).toBe('setting = 1\n');
    expect(git(remote, 'show', 'main:dots/dots/app.conf')).toBe('setting = 1\n');
    expect((await a.invoke('state:get')).secrets[0]).toMatchObject({ path: 'dots/dots/app.conf', line: key.line + 1 });
    a.write('dots/app.conf', 'setting = 2\n');
    await a.sync();
    expect(git(remote, 'show', 'main:dots/dots/app.conf')).toBe('setting = 2\n');
    expect((await a.invoke('state:get')).secrets).toEqual([]);
    expect(leaked(a)).toBe(false);
  });

  it('a key in a file that another machine also changed is not carried in by a clean merge or a conflict', async () => {
    const remote = bareRemote();
    const a = await machine('alpha', { remote });
    const lines = ['# app', 'one = 1', 'two = 2', 'three = 3', 'four = 4', 'five = 5', ''];
    a.write('dots/app.conf', lines.join('\n'));
    await a.sync();
    const b = new Machine('bravo', { remote, profiles: ['dots'] });
    open.push(b);
    await b.open();
    await b.sync();
    await b.restart();
    await b.sync();
    expect(b.read('dots/app.conf')).toBe(lines.join('\n'));
    // Bravo changes the top; alpha pastes a key at the bottom: the text merge would be clean.
    b.write('dots/app.conf', ['# app (bravo)', ...lines.slice(1)].join('\n'));
    await b.sync();
    a.write('dots/app.conf', [...lines.slice(0, -1), key.content].join('\n'));
    await a.sync();
    expect(leaked(a)).toBe(false);
    expect(a.read('dots/app.conf')).toContain(keyBody);
    // And a conflicting edit of the same line with a key: kept out as well.
    a.write('dots/notes.conf', 'line\n');
    await a.sync();
    await b.sync();
    b.write('dots/notes.conf', 'bravo line\n');
    await b.sync();
    a.write('dots/notes.conf', `alpha line\n${key.content}`);
    await a.sync();
    await b.sync();
    expect(leaked(a)).toBe(false);
    expect(leaked(b)).toBe(false);
    expect(a.read('dots/notes.conf')).toContain(keyBody);
  });

  it('a watched edit (daemon mode) holding a key is kept out; the watched edit beside it is committed', async () => {
    const m = await machine('watcher', { watch: true, settings: { sync: { debounceMs: 50, maxWaitMs: 300, intervalSec: 3600 } } });
    await m.restart(); // the watcher follows the profile defined at set-up
    m.write('dots/ssh/id_ed25519', key.content);
    m.write('dots/watched.conf', 'watched\n');
    await waitFor(() => m.repoFile('dots/dots/watched.conf') === 'watched\n', 'watched edit committed');
    await waitFor(async () => (await m.invoke('state:get')).secrets.length === 1, 'finding in state');
    expect(m.repoFile('dots/dots/ssh/id_ed25519')).toBeNull();
    expect(leaked(m)).toBe(false);
  });

  it('a key inside a Keyboard Maestro macro is kept out of the library file and of the per-macro export', async () => {
    const lib = 'km/Keyboard Maestro Macros.plist';
    const km = kmFeature();
    const m = new Machine('kmsecret', { remote: bareRemote(), profiles: [], settings: { km: { baseIntervalMs: 200, fastIntervalMs: 100, slowIntervalMs: 400 } }, features: () => [secretsFeature(), km] });
    open.push(m);
    mkdirSync(m.path('km'), { recursive: true });
    const root = generateLibrary({ groups: 1, macrosPerGroup: 2, seed: 11 });
    const clean = macroOf(root, 'Macro 0.0').macro;
    const dirty = macroOf(root, 'Macro 0.1').macro;
    (dirty.Actions as Record<string, unknown>[]).push({ MacroActionType: 'InsertText', Action: 'ByTyping', Text: key.content });
    writeLibrary(m.path(lib), root, 'xml');
    await m.open();
    m.engine.settings.update({ km: { libraryPath: m.path(lib) } });
    await km.start!(m.engine);
    await m.invoke('profiles:save', { profile: { name: 'kmlib', paths: [`~/${lib}`] } });
    await m.invoke('profiles:set-enabled', { name: 'kmlib', enabled: true });
    await waitFor(() => m.engine.store.getState().km.status === 'active', 'library loaded');
    // The export of the clean macro lands; the one holding the key must not.
    await waitFor(() => git(m.repo, 'ls-tree', '-r', '--name-only', 'HEAD', KM_EXPORT_DIR).includes(String(clean.Name)), 'clean macro exported', 30_000);
    await m.sync();
    expect(leaked(m), 'the key reached the repo through the library file or the macro export').toBe(false);
    expect((await m.invoke('state:get')).secrets.length).toBeGreaterThan(0);
  });
});
