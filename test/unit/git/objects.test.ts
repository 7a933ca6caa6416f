/**
 * BlobWriter: every queued blob lands in the object store byte for byte, whichever way it is written
 * (one hash-object, a few through --stdin-paths, many streamed into one fast-import pack in chunks,
 * a large one on its own), and an aborted writer stores nothing; the reader runs ahead of a busy git
 * by a bounded amount.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRunner } from '../../../electron/engine/git/runner.js';
import { BlobWriter } from '../../../electron/engine/git/objects.js';
import { blobOid } from '../../../electron/engine/snapshot/hash.js';

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cs-objects-'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  return dir;
}

/** Every blob read back through one `cat-file --batch` (null where missing). */
function storedAll(dir: string, oids: string[]): (Buffer | null)[] {
  const out = execFileSync('git', ['cat-file', '--batch'], { cwd: dir, input: oids.join('\n') + '\n', maxBuffer: 256 << 20 });
  const res: (Buffer | null)[] = [];
  let at = 0;
  for (const _ of oids) {
    const nl = out.indexOf(10, at);
    const line = out.subarray(at, nl).toString('utf8');
    if (line.endsWith(' missing')) {
      res.push(null);
      at = nl + 1;
      continue;
    }
    const size = Number(line.split(' ')[2]);
    res.push(out.subarray(nl + 1, nl + 1 + size));
    at = nl + 1 + size + 1;
  }
  return res;
}

function blobs(n: number, seed: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) out.push(Buffer.from(`blob ${seed}.${i}\n`.repeat((i * 7) % 50) + (i % 3 === 0 ? '\0binary\xff' : ''), 'latin1'));
  return out;
}

describe('BlobWriter', () => {
  it.each([
    ['one', 1],
    ['a few', 10],
    ['many', 3000],
  ])('stores %s blob(s) exactly', async (_label, n) => {
    const dir = repo();
    const w = new BlobWriter(new GitRunner({ dir }));
    const all = blobs(n, n);
    all.push(Buffer.alloc(0));
    if (n > 100) all.splice(n >> 1, 0, Buffer.alloc(700 * 1024, 0x61)); // larger than one chunk, mid-stream
    for (const b of all) await w.add(b);
    await w.flush();
    const back = storedAll(dir, all.map(blobOid));
    expect(back.filter((b, i) => !b?.equals(all[i]))).toHaveLength(0);
    if (n > 100) {
      // Streamed: one pack, no pile of loose objects.
      expect(readdirSync(join(dir, '.git', 'objects', 'pack')).filter((f) => f.endsWith('.pack'))).toHaveLength(1);
    }
  });

  it('once streaming, copies what it is given: a caller may refill the same buffer for the next blob', async () => {
    const dir = repo();
    const w = new BlobWriter(new GitRunner({ dir }), 1);
    const buf = Buffer.alloc(3000);
    const oids: string[] = [];
    for (let i = 0; i < 2000; i++) {
      buf.fill(`file ${i} `);
      oids.push(blobOid(buf));
      await w.add(buf);
    }
    await w.flush();
    const back = storedAll(dir, oids);
    expect(back.filter((b, i) => b === null || blobOid(b) !== oids[i])).toHaveLength(0);
  });

  it('fills the same few chunk buffers over and over, not a new one per chunk', async () => {
    const dir = repo();
    const w = new BlobWriter(new GitRunner({ dir }));
    const all = blobs(20_000, 3); // about 12 MB: some 45 chunks of 256 KB
    for (const b of all) await w.add(b);
    expect(w.chunkBuffers).toBeLessThanOrEqual(10); // the ones git may be behind by, and one filling
    await w.flush();
    expect(storedAll(dir, all.map(blobOid)).filter((b, i) => !b?.equals(all[i]))).toHaveLength(0);
  });

  it('an aborted stream stores nothing', async () => {
    const dir = repo();
    const w = new BlobWriter(new GitRunner({ dir }));
    const all = blobs(500, 7);
    for (const b of all) await w.add(b);
    await w.abort();
    expect(storedAll(dir, all.map(blobOid)).filter((b) => b !== null)).toHaveLength(0);
  });
});

describe('BlobWriter failures', () => {
  it('a git that refuses the stream fails the flush, and nothing goes unhandled on the way', async () => {
    const broken = {
      stream: () => ({
        write: () => Promise.reject(new Error('EPIPE: git went away')),
        end: async () => ({ stdout: Buffer.alloc(0), code: 0 }),
      }),
    } as unknown as GitRunner;
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const w = new BlobWriter(broken, 3);
      // Held before the stream starts: one too large for a chunk, one small; the third starts it.
      await w.add(Buffer.alloc(400 * 1024, 1));
      await w.add(Buffer.from('small'));
      await w.add(Buffer.from('third')).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 20));
      await expect(w.flush()).rejects.toThrow('EPIPE');
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('BlobWriter pacing', () => {
  /** A git whose fast-import takes nothing until `drain()`: every write waits for it. */
  function stalledGit() {
    const waiting: (() => void)[] = [];
    let taken = 0;
    const git = {
      stream: () => ({
        write: (chunk: Buffer | string) =>
          new Promise<void>((resolve) =>
            waiting.push(() => {
              taken += Buffer.byteLength(chunk);
              resolve();
            }),
          ),
        end: async () => ({ stdout: Buffer.alloc(0), code: 0 }),
      }),
    } as unknown as GitRunner;
    return { git, taken: () => taken, drain: () => waiting.splice(0).forEach((f) => f()) };
  }
  const settled = async (p: Promise<void>) => {
    let done = false;
    void p.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    return done;
  };

  it('lets the reader run ahead of a busy git by a bounded amount, then makes it wait', async () => {
    const g = stalledGit();
    const w = new BlobWriter(g.git, 1);
    const blob = Buffer.alloc(8 * 1024, 7);
    // git has taken nothing, yet the reader goes on for about 2 MB (eight 256 KB chunks) of blobs…
    let added = 0;
    for (; added < 1000; added++) {
      if (!(await settled(w.add(blob)))) break;
    }
    const ahead = added * blob.length;
    expect(g.taken()).toBe(0);
    expect(ahead).toBeGreaterThan(1.5 * 1024 * 1024);
    // …and then waits, holding no more than that (plus the chunk being filled).
    expect(ahead).toBeLessThan(3 * 1024 * 1024);
    const stuck = w.add(blob);
    expect(await settled(stuck)).toBe(false);
    // Once git takes the oldest chunk the reader goes on.
    g.drain();
    expect(await settled(stuck)).toBe(true);
  });
});
