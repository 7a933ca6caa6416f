/**
 * readLive says what a live path is, without following links: a file's bytes and mode, a link's own
 * target, a folder, nothing, a pipe (never waited on), a file over the size limit.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLive } from '../../../electron/engine/mirror/live.js';
import { blobOid } from '../../../electron/engine/snapshot/hash.js';

const dir = mkdtempSync(join(tmpdir(), 'cs-readlive-'));

describe('readLive', () => {
  it('a small file: its bytes, id, mode and times', async () => {
    const f = join(dir, 'small');
    writeFileSync(f, 'alias ll="ls -l"\n');
    chmodSync(f, 0o600);
    const r = await readLive(f, 1 << 20);
    expect(r.kind).toBe('file');
    if (r.kind !== 'file') return;
    expect(r.content.toString()).toBe('alias ll="ls -l"\n');
    expect(r.oid).toBe(blobOid(Buffer.from('alias ll="ls -l"\n')));
    expect(r.perm).toBe(0o600);
    expect(r.size).toBe(17);
    expect(r.mtimeMs).toBeGreaterThan(0);
  });

  it('an empty file and a large one', async () => {
    writeFileSync(join(dir, 'empty'), '');
    const e = await readLive(join(dir, 'empty'), 1 << 20);
    expect(e.kind === 'file' && e.content.length).toBe(0);
    const big = Buffer.alloc(600 * 1024, 0x62);
    writeFileSync(join(dir, 'big'), big);
    const b = await readLive(join(dir, 'big'), 1 << 20);
    expect(b.kind === 'file' && b.content.equals(big)).toBe(true);
    expect((await readLive(join(dir, 'big'), 1000)).kind).toBe('too-large');
    expect((await readLive(join(dir, 'small'), 3)).kind).toBe('too-large');
  });

  it('a link is its target, never the file it points to', async () => {
    writeFileSync(join(dir, 'target'), 'the target');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    const r = await readLive(join(dir, 'link'), 1 << 20);
    expect(r).toMatchObject({ kind: 'link', target: join(dir, 'target') });
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    expect(await readLive(join(dir, 'dangling'), 1 << 20)).toMatchObject({ kind: 'link', target: join(dir, 'nowhere') });
  });

  it('a folder, nothing, and a pipe (not waited on)', async () => {
    mkdirSync(join(dir, 'folder'));
    expect(await readLive(join(dir, 'folder'), 1 << 20)).toEqual({ kind: 'dir', empty: true });
    expect(await readLive(join(dir, 'absent'), 1 << 20)).toEqual({ kind: 'absent' });
    expect(await readLive(join(dir, 'small', 'below-a-file'), 1 << 20)).toEqual({ kind: 'absent' });
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    expect((await readLive(join(dir, 'pipe'), 1 << 20)).kind).toBe('special');
  });
});
