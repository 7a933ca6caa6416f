/**
 * The settings Node runs ConfSync's own processes with (electron/cli/runtime.ts) are the ones
 * bin/confsync.mjs's first line gives them: the script is run as a shell runs it (through its `#!`
 * line, by the kernel and /usr/bin/env), with a recording fake `node` first on PATH that notes its
 * arguments and GLIBC_TUNABLES and then runs the real node. The service files carry the same settings
 * (test/unit/cli/service.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GLIBC_TUNABLES, NODE_FLAGS } from '../../../electron/cli/runtime.js';
import { tmp } from '../../helpers/machine.js';
import pkg from '../../../package.json' with { type: 'json' };

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'confsync.mjs');

describe('bin/confsync.mjs', () => {
  it('names the runtime settings on its first line', () => {
    const first = readFileSync(BIN, 'utf8').split('\n')[0];
    expect(first).toBe(`#!/usr/bin/env -S GLIBC_TUNABLES=${GLIBC_TUNABLES} node ${NODE_FLAGS.join(' ')}`);
    // Linux before 5.1 reads only the first 128 bytes of a #! line and cuts the rest off.
    expect(Buffer.byteLength(first + '\n')).toBeLessThanOrEqual(128);
  });

  it('run from a shell, starts node with those flags and that environment', () => {
    const root = tmp('cs-runtime-');
    const fake = join(root, 'fake bin');
    mkdirSync(fake);
    const log = join(root, 'node-calls.log');
    writeFileSync(
      join(fake, 'node'),
      `#!/bin/sh\n{ printf 'GLIBC_TUNABLES=%s' "$GLIBC_TUNABLES"; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> "${log}"\nexec "${process.execPath}" "$@"\n`,
    );
    chmodSync(join(fake, 'node'), 0o755);
    const r = spawnSync(BIN, ['--version'], {
      encoding: 'utf8',
      env: { PATH: `${fake}:${process.env.PATH}`, HOME: root, CONFSYNC_CONFIG_DIR: join(root, 'config') },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
    const [call] = readFileSync(log, 'utf8').trim().split('\n');
    expect(call.split('\t')).toEqual([`GLIBC_TUNABLES=${GLIBC_TUNABLES}`, ...NODE_FLAGS, BIN, '--version']);
  });
});
