/**
 * The preference-domain feature (electron/engine/features/prefs.ts) with recording fake `defaults`
 * and `pgrep` on PATH whose "cfprefsd" store is the machine's own ~/Library/Preferences:
 * - the LiveIO port: read through `defaults export`, apply through `defaults import`, the running-app
 *   rules (apply + "quit and reopen", or refuse under app-quit), failures in the tool's words with
 *   nothing changed, and a domain that does not end up as sent put back as it was;
 * - the live-write guard inside a real engine: two machines (distinct hosts) over one bare remote;
 *   the arriving settings wait while the app runs, and when the fake pgrep no longer finds it the
 *   feature asks the engine for a sync that applies them.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import plist from 'plist';
import { Machine, bareRemote, tmp, waitFor } from '../../helpers/machine.js';
import { macosFakes, type MacFakes } from '../../helpers/macos-fakes.js';
import { prefsFeature, holdReason, reopenNotice, PREFS_SYNC_REASON, type PrefsFeature, type PrefsOwner } from '../../../electron/engine/features/prefs.js';
import { secretsFeature } from '../../../electron/engine/features/index.js';
import type { LiveIO } from '../../../electron/engine/features/feature.js';
import { decodePlist } from '../../../electron/engine/km/plist-codec.js';

const FIXTURE = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'macos', 'com.knollsoft.Rectangle.plist'));
const DOMAIN = 'com.knollsoft.Rectangle';
const REL = `Library/Preferences/${DOMAIN}.plist`;

const valueOf = (b: Buffer) => decodePlist(b).value;

function setup(owner: PrefsOwner | null = { app: 'Rectangle', applyWhen: 'now' }) {
  const home = join(tmp('cs-prefs-home-'), 'home');
  const prefsDir = join(home, 'Library', 'Preferences');
  mkdirSync(prefsDir, { recursive: true });
  const fakes = macosFakes({ prefsDir });
  const live = join(prefsDir, `${DOMAIN}.plist`);
  const feature = prefsFeature({ platform: 'darwin', home, run: fakes.run, profileFor: (p) => (p === live ? owner : null), guardCacheMs: 0 });
  const io = feature.liveIO![0] as LiveIO;
  return { home, fakes, live, feature, io };
}

describe('the preference-domain feature', () => {
  it('is inactive elsewhere than macOS', () => {
    const f = prefsFeature({ platform: 'linux' });
    expect(f.liveIO).toBeUndefined();
    expect(f.guards).toBeUndefined();
    expect(f.start).toBeUndefined();
  });

  it('owns only ~/Library/Preferences/<domain>.plist of its home', () => {
    const { home, io, live } = setup();
    expect(io.owns(live)).toBe(true);
    expect(io.owns(join(home, 'Library', 'Preferences', 'ByHost', `${DOMAIN}.0123.plist`))).toBe(false);
    expect(io.owns(join(home, 'Library', 'Containers', DOMAIN, 'Data', 'Library', 'Preferences', `${DOMAIN}.plist`))).toBe(false);
    expect(io.owns(join(home, 'Library', 'Preferences', '.GlobalPreferences.plist'))).toBe(false);
    expect(io.owns(join(home, '.zshrc'))).toBe(false);
  });
});

describe('reading a domain', () => {
  it('an existing domain is read through `defaults export DOMAIN -` (cfprefsd’s view), not the file', async () => {
    const { fakes, io, live } = setup();
    fakes.store(DOMAIN, FIXTURE);
    const got = await io.read(live);
    expect(fakes.argv()).toEqual([['defaults', 'export', DOMAIN, '-']]);
    expect(got!.subarray(0, 5).toString()).toBe('<?xml');
    expect(valueOf(got!)).toEqual(valueOf(FIXTURE));
  });

  it('a missing domain is null, whichever way defaults says so', async () => {
    const { fakes, io, live } = setup();
    expect(await io.read(live)).toBeNull();
    fakes.missingStyle('empty'); // `<dict/>` with exit 0 and no file behind it
    expect(await io.read(live)).toBeNull();
    // An empty domain that exists (its file is there) is content, not absence.
    fakes.store(DOMAIN, Buffer.from(plist.build({})));
    const empty = await io.read(live);
    expect(empty).not.toBeNull();
    expect(valueOf(empty!)).toEqual({});
  });

  it('a failing export is an error in defaults’ words', async () => {
    const { fakes, io, live } = setup();
    fakes.store(DOMAIN, FIXTURE);
    fakes.fail('export', 'Could not export domain com.knollsoft.Rectangle\n');
    await expect(io.read(live)).rejects.toThrow('defaults export com.knollsoft.Rectangle failed: Could not export domain com.knollsoft.Rectangle');
  });
});

describe('applying a domain', () => {
  const next = Buffer.from(plist.build({ gapSize: 12, launchOnLogin: false, almostMaximizeHeight: 0.9, subsequentExecutionMode: 2 }));

  it('app running, applyWhen now: applied with exactly the bytes, and "quit and reopen" said', async () => {
    const { fakes, io, live } = setup();
    fakes.store(DOMAIN, FIXTURE);
    fakes.setRunning('Rectangle', true);
    const r = await io.write(live, next, { app: 'Rectangle', applyWhen: 'now' });
    expect(r).toEqual({ notice: reopenNotice('Rectangle') });
    expect(r.notice).toBe('Quit and reopen Rectangle to use the new settings');
    expect(fakes.stored(DOMAIN)!.equals(next)).toBe(true);
    const argv = fakes.argv();
    expect(argv.map((a) => a.slice(0, 3))).toEqual([
      ['pgrep', '-x', 'Rectangle'],
      ['defaults', 'export', DOMAIN],
      ['defaults', 'import', DOMAIN],
      ['defaults', 'export', DOMAIN],
    ]);
    expect(argv[1][3]).toBe('-');
    expect(argv[3][3]).toBe('-');
    const imported = fakes.calls()[2].file!;
    expect(Buffer.from(imported.bytes, 'base64').equals(next)).toBe(true);
    expect(imported.mode).toBe(0o600);
  });

  it('applyWhen unset behaves as now; an app that is not running gets no notice', async () => {
    const { fakes, io, live } = setup();
    fakes.setRunning('Rectangle', true);
    expect(await io.write(live, next, { app: 'Rectangle' })).toEqual({ notice: reopenNotice('Rectangle') });
    fakes.setRunning('Rectangle', false);
    expect(await io.write(live, FIXTURE, { app: 'Rectangle', applyWhen: 'now' })).toEqual({});
    expect(fakes.stored(DOMAIN)!.equals(FIXTURE)).toBe(true);
    // Without an app nothing is looked for.
    fakes.clearCalls();
    expect(await io.write(live, next, {})).toEqual({});
    expect(fakes.argv().filter((a) => a[0] === 'pgrep')).toEqual([]);
  });

  it('content cfprefsd already holds is not imported again', async () => {
    const { fakes, io, live } = setup();
    fakes.store(DOMAIN, FIXTURE);
    fakes.setRunning('Rectangle', true);
    expect(await io.write(live, FIXTURE, { app: 'Rectangle', applyWhen: 'now' })).toEqual({});
    expect(fakes.argv().map((a) => a.slice(0, 2))).toEqual([
      ['pgrep', '-x'],
      ['defaults', 'export'],
    ]);
  });

  it('app running, applyWhen app-quit: refused, nothing changed', async () => {
    const { fakes, io, live } = setup();
    fakes.store(DOMAIN, FIXTURE);
    fakes.setRunning('Rectangle', true);
    await expect(io.write(live, next, { app: 'Rectangle', applyWhen: 'app-quit' })).rejects.toThrow(
      'not applied to com.knollsoft.Rectangle: Rectangle is running, and its preferences are applied when it is not running; nothing was changed',
    );
    expect(fakes.stored(DOMAIN)!.equals(FIXTURE)).toBe(true);
    expect(fakes.argv()).toEqual([['pgrep', '-x', 'Rectangle']]);
    fakes.setRunning('Rectangle', false);
    expect(await io.write(live, next, { app: 'Rectangle', applyWhen: 'app-quit' })).toEqual({});
    expect(fakes.stored(DOMAIN)!.equals(next)).toBe(true);
  });

  it('a refused import is an error with defaults’ words, and the domain is unchanged', async () => {
    const { fakes, io, live } = setup();
    fakes.store(DOMAIN, FIXTURE);
    fakes.fail('import', 'Could not write domain com.knollsoft.Rectangle; exiting\n');
    await expect(io.write(live, next, { app: 'Rectangle' })).rejects.toThrow('defaults import com.knollsoft.Rectangle failed: Could not write domain com.knollsoft.Rectangle; exiting');
    expect(fakes.stored(DOMAIN)!.equals(FIXTURE)).toBe(true);
  });

  it('content that is not a plist dictionary is refused before anything runs', async () => {
    const { fakes, io, live } = setup();
    await expect(io.write(live, Buffer.from('{"gapSize": 3}'), { app: 'Rectangle' })).rejects.toThrow(/^not applied to com\.knollsoft\.Rectangle: not a property list .*; nothing was changed$/);
    expect(fakes.calls()).toEqual([]);
  });

  it('a domain that does not end up exactly as sent is put back as it was (never half-applied)', async () => {
    const { fakes, io, live } = setup();
    fakes.store(DOMAIN, FIXTURE);
    fakes.importMerges(true); // an import that merges keys instead of replacing the domain
    const smaller = Buffer.from(plist.build({ gapSize: 20 }));
    await expect(io.write(live, smaller, { app: 'Rectangle' })).rejects.toThrow(
      /^defaults import com\.knollsoft\.Rectangle did not apply the settings as sent \("NSWindow Frame Main", "SULastCheckTime", "almostMaximizeHeight", "launchOnLogin", "subsequentExecutionMode" differ afterwards\); the previous settings were put back$/,
    );
    expect(valueOf(fakes.stored(DOMAIN)!)).toEqual(valueOf(FIXTURE));
    const imports = fakes.calls().filter((c) => c.argv[0] === 'import');
    expect(imports).toHaveLength(2);
    expect(Buffer.from(imports[1].file!.bytes, 'base64').toString('utf8')).toMatch(/^<\?xml/); // what export had said
  });

  it('a new domain that does not end up as sent is deleted again', async () => {
    const { home, fakes, live } = setup();
    const run = fakes.run;
    // An import that "succeeds" but leaves a different domain behind.
    const lying = prefsFeature({
      platform: 'darwin',
      home,
      run: async (file, args, opts) => {
        const r = await run(file, args, opts);
        if (file === 'defaults' && args[0] === 'import' && r.code === 0) fakes.store(DOMAIN, Buffer.from(plist.build({ other: 1 })));
        return r;
      },
    }).liveIO![0];
    await expect(lying.write(live, next, {})).rejects.toThrow(/did not apply the settings as sent .*; the previous settings were put back$/);
    expect(fakes.stored(DOMAIN)).toBeNull();
    expect(fakes.argv().map((a) => a.slice(0, 2))).toEqual([
      ['defaults', 'export'],
      ['defaults', 'import'],
      ['defaults', 'export'],
      ['defaults', 'delete'],
    ]);
  });
});

describe('the live-write guard', () => {
  it('holds only a domain whose profile says app-quit while its app runs', async () => {
    const quit = setup({ app: 'Rectangle', applyWhen: 'app-quit' });
    const guard = quit.feature.guards!.liveWrite![0];
    expect(await guard(quit.live)).toBeNull();
    quit.fakes.setRunning('Rectangle', true);
    expect(await guard(quit.live)).toBe('waiting for Rectangle to quit: its preferences are applied when it is not running');
    expect(await guard(quit.live)).toBe(holdReason('Rectangle'));
    expect(quit.feature.held()).toEqual(new Map([['Rectangle', [quit.live]]]));
    expect(await guard(join(quit.home, '.zshrc'))).toBeNull();
    quit.fakes.setRunning('Rectangle', false);
    expect(await guard(quit.live)).toBeNull();
    expect(quit.feature.held()).toEqual(new Map());

    const now = setup({ app: 'Rectangle', applyWhen: 'now' });
    now.fakes.setRunning('Rectangle', true);
    expect(await now.feature.guards!.liveWrite![0](now.live)).toBeNull();
    const none = setup(null);
    none.fakes.setRunning('Rectangle', true);
    expect(await none.feature.guards!.liveWrite![0](none.live)).toBeNull();
    expect(none.fakes.argv()).toEqual([]);
  });

  it('when pgrep cannot tell, the path is held with its words', async () => {
    const { feature, fakes, live } = setup({ app: 'Rectangle', applyWhen: 'app-quit' });
    fakes.fail('pgrep', 'pgrep: Cannot get process list\n');
    expect(await feature.guards!.liveWrite![0](live)).toBe(
      'waiting for Rectangle: could not tell whether it is running (pgrep could not tell whether Rectangle is running: pgrep: Cannot get process list); its preferences are applied when it is not running',
    );
  });
});

describe('in the engine: settings wait for the app to quit, then a sync applies them', () => {
  const open: Machine[] = [];
  afterEach(async () => {
    for (const m of open.splice(0)) await m.stop().catch(() => undefined);
  });

  it('holds the arriving domain while Rectangle runs and syncs when pgrep no longer finds it', async () => {
    const remote = bareRemote();
    const a = new Machine('mac-alpha', { remote, profiles: [], features: () => [secretsFeature()] });
    open.push(a);
    const b = new Machine('mac-bravo', { remote, profiles: [] });
    open.push(b);
    const fakes: MacFakes = macosFakes({ prefsDir: b.path('Library/Preferences') });
    const prefs: PrefsFeature = prefsFeature({
      platform: 'darwin',
      home: b.home,
      run: fakes.run,
      profileFor: (p) => (p === b.path(REL) ? { app: 'Rectangle', applyWhen: 'app-quit' } : null),
      pollIntervalMs: 50,
      guardCacheMs: 0,
    });
    b.opts.features = () => [secretsFeature(), prefs];

    a.write(REL, FIXTURE);
    await a.open();
    await a.invoke('profiles:save', { profile: { name: 'rect-prefs', paths: [`~/${REL}`] } });
    await a.invoke('profiles:set-enabled', { name: 'rect-prefs', enabled: true });
    // Saving a profile already started a sync; ours runs after it, so it may find nothing left to do.
    expect(['ok', 'nothing-to-do']).toContain((await a.sync()).kind);
    expect(a.repoFile(`rect-prefs/${REL}`)).not.toBeNull();

    fakes.setRunning('Rectangle', true);
    await b.open();
    await b.sync();
    await b.invoke('profiles:set-enabled', { name: 'rect-prefs', enabled: true });
    const held = await b.sync();
    expect(held.skipped).toContainEqual(expect.objectContaining({ path: b.path(REL), reason: holdReason('Rectangle'), direction: 'incoming' }));
    expect(b.read(REL)).toBeNull(); // nothing written under the running app
    expect(prefs.held()).toEqual(new Map([['Rectangle', [b.path(REL)]]]));

    const synced: string[] = [];
    b.engine.events.on('synced', (e) => synced.push(e.reason));
    await prefs.start!(b.engine);
    // Still running: polls find it, nothing is asked of the engine.
    await waitFor(() => fakes.argv().filter((c) => c[0] === 'pgrep').length >= 3, 'a few polls');
    expect(synced).toEqual([]);

    fakes.setRunning('Rectangle', false);
    await waitFor(() => synced.includes(PREFS_SYNC_REASON), 'the sync asked for when Rectangle quit');
    await waitFor(() => b.read(REL) !== null, 'the settings applied');
    expect(valueOf(readFileSync(b.path(REL)))).toEqual(valueOf(FIXTURE));
    expect(prefs.held()).toEqual(new Map());
    expect(b.engine.store.getState().skipped.find((s) => s.reason === holdReason('Rectangle'))).toBeUndefined();
    expect(fakes.argv().filter((c) => c[0] === 'pgrep').every((c) => c.length === 3 && c[1] === '-x' && c[2] === 'Rectangle')).toBe(true);

    // Nothing held: the feature stops polling.
    const polls = fakes.argv().filter((c) => c[0] === 'pgrep').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(fakes.argv().filter((c) => c[0] === 'pgrep').length).toBe(polls);
  });
});
