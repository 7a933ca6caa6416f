/**
 * What a command loads before it answers. The CLI's start-up time is the modules it loads: when the
 * engine, conf (with ajv), zod, ws and age-encryption sat at the top of the bundle, every command paid
 * for all of them (`confsync --version` took 0.29 s, bare Node 0.05 s; issue 13). Not a timing test:
 * the built CLI runs under a module hook that records every file the ES module loader resolves, and
 * the source maps of the CLI's own files (dist/cli/*.mjs) name the modules bundled into them. A
 * command fails here when it loads a package or an engine module it does not need.
 *
 * Temp HOME and config dir throughout; nothing here reads the real home.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CLI, daemonEnv, startDaemon, type DaemonHandle } from '../../helpers/daemon.js';
import { tmp } from '../../helpers/machine.js';
import pkg from '../../../package.json' with { type: 'json' };

const ROOT = resolve(dirname(CLI), '..', '..');
const running: DaemonHandle[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop().catch(() => undefined);
});

let hook = '';
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli/confsync.mjs is missing: run `node scripts/build.mjs cli` first (npm test builds)');
  // A resolve hook (module.register) that appends each resolved URL to the file named by CS_LOAD_LOG.
  const dir = tmp('cs-loads-hook-');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.CS_LOAD_LOG) appendFileSync(process.env.CS_LOAD_LOG, r.url + '\\n');
  return r;
}
`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
  hook = pathToFileURL(join(dir, 'register.mjs')).href;
});

interface Loaded {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Packages from node_modules, loaded from there or bundled into a loaded dist/cli file. */
  packages: string[];
  /** The project's own source modules in the loaded dist/cli files, relative to the checkout ("electron/cli/confsync.ts"). */
  sources: string[];
}

const packageOf = (path: string) => {
  const after = path.split(`node_modules${sep}`).pop()!.split(sep);
  return after[0].startsWith('@') ? `${after[0]}/${after[1]}` : after[0];
};

/** Runs the built CLI under the hook and says what it loaded. */
function loads(m: { home: string; configDir: string }, ...args: string[]): Loaded {
  const log = join(tmp('cs-loads-log-'), 'loaded.txt');
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', hook, CLI, ...args], { env: daemonEnv(m.home, m.configDir, { CS_LOAD_LOG: log }), cwd: m.home, encoding: 'utf8', timeout: 60_000 });
  const files = [...new Set(readFileSync(log, 'utf8').split('\n').filter((u) => u.startsWith('file:')))].map((u) => fileURLToPath(u));
  const modules = new Set<string>();
  for (const f of files) {
    if (f.startsWith(join(ROOT, 'dist', 'cli') + sep)) {
      if (!existsSync(`${f}.map`)) throw new Error(`${f} has no source map: this test reads the modules in each file from it (scripts/build.mjs builds with sourcemap: true)`);
      const map = JSON.parse(readFileSync(`${f}.map`, 'utf8')) as { sources: string[] };
      for (const s of map.sources) modules.add(resolve(dirname(f), s));
    } else if (f !== CLI) {
      modules.add(f);
    }
  }
  const all = [...modules];
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    packages: [...new Set(all.filter((f) => f.includes(`node_modules${sep}`)).map(packageOf))].sort(),
    sources: all.filter((f) => !f.includes(`node_modules${sep}`)).map((f) => relative(ROOT, f).split(sep).join('/')).sort(),
  };
}

/** The engine modules a command may load without a repo: where the config dir is, and the settings file's keys and validation. */
const LIGHT_ENGINE = ['electron/engine/config/paths.ts', 'electron/engine/config/repo-path.ts', 'electron/engine/config/keys.ts', 'electron/engine/config/settings-store.ts', 'electron/engine/util/plist-build.ts'];
const engineBeyondLight = (l: Loaded) => l.sources.filter((s) => (s.startsWith('electron/engine/') && !LIGHT_ENGINE.includes(s)) || s === 'electron/host.ts');

function machine(settings?: Record<string, unknown>) {
  const root = tmp('cs-loads-');
  const m = { home: join(root, 'home'), configDir: join(root, 'config') };
  mkdirSync(m.home, { recursive: true });
  mkdirSync(m.configDir, { recursive: true });
  if (settings) writeFileSync(join(m.configDir, 'config.json'), JSON.stringify(settings));
  return m;
}

describe('what a command loads before it answers', () => {
  it('--version: commander and the CLI, no engine, no other package', () => {
    const l = loads(machine(), '--version');
    expect(l.status, l.stderr).toBe(0);
    expect(l.stdout.trim()).toBe(pkg.version);
    expect(l.sources).toContain('electron/cli/confsync.ts');
    expect(l.packages.filter((p) => p !== 'commander')).toEqual([]);
    expect(engineBeyondLight(l)).toEqual([]);
    expect(l.sources).not.toContain('shared/contract.ts');
  });

  it('config get without a running host: zod for the settings schema, not conf, ws or the engine; the file is not rewritten', () => {
    const m = machine({ hostName: 'loads-a', enabledProfiles: [], km: { enabled: false }, sync: { intervalSec: 900 } });
    const file = join(m.configDir, 'config.json');
    const before = readFileSync(file, 'utf8');
    const l = loads(m, 'config', 'get', 'sync.intervalSec');
    expect(l.status, l.stderr).toBe(0);
    expect(JSON.parse(l.stdout)).toBe(900);
    expect(l.packages.filter((p) => p !== 'commander' && p !== 'zod')).toEqual([]);
    expect(engineBeyondLight(l)).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(before);
    // The whole settings: the file's, with the defaults a host fills in.
    const all = loads(m, 'config', 'get');
    expect(all.status, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ hostName: 'loads-a', sync: { intervalSec: 900 }, remote: { branch: 'main' } });
  });

  it('config get with no settings file still writes the defaults there, as a host does', () => {
    const m = machine();
    const file = join(m.configDir, 'config.json');
    const l = loads(m, 'config', 'get', 'sync.intervalSec');
    expect(l.status, l.stderr).toBe(0);
    expect(JSON.parse(l.stdout)).toBe(300);
    expect(JSON.parse(readFileSync(file, 'utf8')).sync.intervalSec).toBe(300);
  });

  it('config get names the bad key of a broken file, loading no more than for a good one', () => {
    const m = machine({ hostName: 'loads-b', sync: { intervalSec: 'often' } });
    const l = loads(m, 'config', 'get', 'hostName');
    expect(l.status).toBe(1);
    expect(l.stderr).toMatch(/key "sync\.intervalSec"/);
    expect(l.packages.filter((p) => p !== 'commander' && p !== 'zod')).toEqual([]);
    expect(engineBeyondLight(l)).toEqual([]);
  });

  it('status against a running daemon: commander and ws, not the engine or zod', async () => {
    const d = await startDaemon({ settings: { hostName: 'loads-c', enabledProfiles: [], km: { enabled: false } } });
    running.push(d);
    const l = loads(d, 'status');
    expect(l.status, l.stderr).toBe(0);
    expect(l.stdout).toMatch(/^ConfSync \S+ on loads-c: /);
    expect(l.packages.filter((p) => p !== 'commander' && p !== 'ws')).toEqual([]);
    expect(engineBeyondLight(l)).toEqual([]);
    expect(l.sources).not.toContain('shared/contract.ts');
  });
});
