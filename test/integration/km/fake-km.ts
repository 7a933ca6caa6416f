/**
 * Recording fakes of the macOS tools ConfSync uses for Keyboard Maestro, put first on PATH:
 *
 * - `osascript`: appends its argv (one JSON array a line) to `calls.log` and answers like Keyboard
 *   Maestro's editor would, on a real library file ($FAKE_KM_LIBRARY, binary or XML, written back in
 *   its own format, atomically, as Keyboard Maestro saves it): `get version`, `delete macro id`,
 *   `setMacroEnable … with/without enable` (macros and groups), `delete macro group id`,
 *   `set name of macro group id`, `importMacros` of a `.kmmacros` file (a macro whose UID is already in
 *   the library is imported under a NEW UID, as Keyboard Maestro does; every imported macro gets a fresh
 *   ModificationDate), `editMacro`. With a file `refuse` in its folder it refuses every script the way
 *   macOS does without the automation permission (the file holds the message); a file `fail-on` holds a
 *   pattern: a script matching it fails the way Keyboard Maestro reports an error.
 * - `pgrep`: exit 0 and a pid while the file `engine-running` exists, else exit 1.
 * - `keyboardmaestro`: `--version`, `--edit UID` (only when `cli` exists: Keyboard Maestro 11).
 *
 * The fakes read and write plists with plist / bplist-parser / bplist-creator directly, never with the
 * code under test.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tmp } from '../../helpers/machine.js';
import { commandRunner, type CommandRunner } from '../../../electron/engine/km/restore.js';

const require = createRequire(import.meta.url);

export const NOT_AUTHORIZED = 'execution error: Not authorized to send Apple events to Keyboard Maestro. (-1743)';

const OSASCRIPT = (deps: { plist: string; parser: string; creator: string }) => `#!/usr/bin/env node
'use strict';
const fs = require('fs');
const path = require('path');
const plist = require(${JSON.stringify(deps.plist)});
const bplistParser = require(${JSON.stringify(deps.parser)});
const bplistCreator = require(${JSON.stringify(deps.creator)});
const dir = process.env.FAKE_KM_DIR;
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'calls.log'), JSON.stringify(['osascript', ...argv]) + '\\n');
const lines = [];
let i = 0;
while (argv[i] === '-e') { lines.push(argv[i + 1]); i += 2; }
const args = argv.slice(i);
const script = lines.join('\\n');
const fail = (msg, code) => { process.stderr.write(msg + '\\n'); process.exit(code || 1); };
if (fs.existsSync(path.join(dir, 'refuse'))) fail(fs.readFileSync(path.join(dir, 'refuse'), 'utf8').trim());
if (fs.existsSync(path.join(dir, 'fail-on')) && new RegExp(fs.readFileSync(path.join(dir, 'fail-on'), 'utf8').trim()).test(script)) {
  fail('execution error: Keyboard Maestro got an error: The operation could not be completed. (-10000)');
}
const libPath = process.env.FAKE_KM_LIBRARY;
const read = (file) => {
  const buf = fs.readFileSync(file);
  if (buf.subarray(0, 8).toString('latin1') === 'bplist00') return { value: bplistParser.parseBuffer(buf)[0], binary: true };
  return { value: plist.parse(buf.toString('utf8')), binary: false };
};
const load = () => read(libPath);
const save = (lib) => {
  const out = lib.binary ? bplistCreator(lib.value) : Buffer.from(plist.build(lib.value), 'utf8');
  const tmpFile = libPath + '.fake-km-' + process.pid;
  fs.writeFileSync(tmpFile, out);
  fs.renameSync(tmpFile, libPath);
};
const groupsOf = (lib) => lib.value.MacroGroups;
const findMacro = (lib, uid) => {
  for (const g of groupsOf(lib)) for (const m of g.Macros || []) if (m.UID === uid) return { g, m };
  return null;
};
const newUid = () => 'FAKE-' + Math.random().toString(16).slice(2, 10).toUpperCase() + '-' + Date.now().toString(16).toUpperCase();
const cocoaNow = () => Date.now() / 1000 - 978307200 + 0.5;
if (/get version/.test(script)) { process.stdout.write('11.0.3\\n'); process.exit(0); }
if (/editMacro/.test(script)) process.exit(0);
const lib = load();
if (/delete macro id/.test(script)) {
  for (const uid of args) for (const g of groupsOf(lib)) if (g.Macros) g.Macros = g.Macros.filter((m) => m.UID !== uid);
} else if (/setMacroEnable/.test(script)) {
  const on = /with enable/.test(script) && !/without enable/.test(script);
  for (const uid of args) {
    const hit = findMacro(lib, uid);
    const g = groupsOf(lib).find((x) => x.UID === uid);
    if (!hit && !g) fail('execution error: Keyboard Maestro got an error: Can’t find macro or group ' + uid + '. (-1728)');
    (hit ? hit.m : g).IsActive = on;
    if (hit) hit.m.ModificationDate = cocoaNow();
  }
} else if (/delete macro group id/.test(script)) {
  lib.value.MacroGroups = groupsOf(lib).filter((g) => !args.includes(g.UID));
} else if (/set name of macro group id/.test(script)) {
  const g = groupsOf(lib).find((x) => x.UID === args[0]);
  if (!g) fail('execution error: Keyboard Maestro got an error: Can’t get macro group id "' + args[0] + '". (-1728)');
  g.Name = args[1];
} else if (/importMacros/.test(script)) {
  const file = read(args[0]).value;
  for (const fg of file) {
    let g = groupsOf(lib).find((x) => x.UID === fg.UID);
    if (!g) {
      g = Object.assign({}, fg, { Macros: [] });
      groupsOf(lib).push(g);
    }
    for (const m of fg.Macros || []) {
      const copy = Object.assign({}, m, { ModificationDate: cocoaNow() });
      if (findMacro(lib, copy.UID)) copy.UID = newUid();
      (g.Macros = g.Macros || []).push(copy);
    }
  }
} else {
  fail('execution error: the fake Keyboard Maestro does not know this script (-2741)');
}
save(lib);
`;

const PGREP = `#!/bin/sh
printf '%s\\n' "$(printf '["pgrep"'; for a in "$@"; do printf ',"%s"' "$a"; done; printf ']')" >> "$FAKE_KM_DIR/calls.log"
if [ -f "$FAKE_KM_DIR/engine-running" ]; then echo 4242; exit 0; fi
exit 1
`;

const KEYBOARDMAESTRO = `#!/bin/sh
printf '%s\\n' "$(printf '["keyboardmaestro"'; for a in "$@"; do printf ',"%s"' "$a"; done; printf ']')" >> "$FAKE_KM_DIR/calls.log"
case "$1" in
  --version|-V) echo "keyboardmaestro 11.0.3" ;;
  --edit|-e) [ -n "$2" ] || { echo "keyboardmaestro: missing macro" >&2; exit 2; } ;;
  *) echo "keyboardmaestro: unsupported in this fake: $*" >&2; exit 2 ;;
esac
exit 0
`;

export interface FakeKm {
  /** The fakes' folder (first on PATH) and their state folder. */
  bin: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  run: CommandRunner;
  /** Every call, oldest first: [tool, ...argv]. */
  calls(): string[][];
  clearCalls(): void;
  engine(running: boolean): void;
  refuse(message?: string | null): void;
  /** Scripts matching `pattern` fail (null: none). */
  failOn(pattern: string | null): void;
}

/**
 * Fakes for one machine whose Keyboard Maestro library is `library`. `cli`: Keyboard Maestro 11's
 * command-line tool is installed.
 */
export function fakeKm(library: string, o: { cli?: boolean; engineRunning?: boolean } = {}): FakeKm {
  const root = tmp('cs-fake-km-');
  const bin = join(root, 'bin');
  const dir = join(root, 'state');
  mkdirSync(bin, { recursive: true });
  mkdirSync(dir, { recursive: true });
  const deps = { plist: require.resolve('plist'), parser: require.resolve('bplist-parser'), creator: require.resolve('bplist-creator') };
  const put = (name: string, text: string) => {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  };
  put('osascript', OSASCRIPT(deps));
  put('pgrep', PGREP);
  if (o.cli) put('keyboardmaestro', KEYBOARDMAESTRO);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_KM_DIR: dir, FAKE_KM_LIBRARY: library };
  const log = join(dir, 'calls.log');
  const fk: FakeKm = {
    bin,
    dir,
    env,
    run: commandRunner({ env, timeoutMs: 30_000 }),
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as string[])
        : [],
    clearCalls: () => rmSync(log, { force: true }),
    engine: (running) => (running ? writeFileSync(join(dir, 'engine-running'), '') : rmSync(join(dir, 'engine-running'), { force: true })),
    refuse: (message = NOT_AUTHORIZED) => (message ? writeFileSync(join(dir, 'refuse'), message) : rmSync(join(dir, 'refuse'), { force: true })),
    failOn: (pattern) => (pattern ? writeFileSync(join(dir, 'fail-on'), pattern) : rmSync(join(dir, 'fail-on'), { force: true })),
  };
  fk.engine(o.engineRunning ?? true);
  return fk;
}

/** The osascript calls only, each as its script lines and its arguments. */
export function scripts(calls: string[][]): { lines: string[]; args: string[] }[] {
  return calls
    .filter((c) => c[0] === 'osascript')
    .map((c) => {
      const argv = c.slice(1);
      const lines: string[] = [];
      let i = 0;
      while (argv[i] === '-e') {
        lines.push(argv[i + 1]);
        i += 2;
      }
      return { lines, args: argv.slice(i) };
    });
}
