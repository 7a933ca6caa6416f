/**
 * Writing objects into the repo's object store, in as few processes as the batch allows:
 * one blob → `hash-object -w --stdin`; a few → temp files and one `hash-object -w --stdin-paths`;
 * many (a first run, a big profile) → one `git fast-import` stream that writes a single pack, fed as the
 * files are read, so no file content is held until the commit and no pile of loose objects (and no
 * `git gc` right after) follows. The caller knows each blob's id already (git's own sha1 of it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitRunner } from './runner.js';
import { faultPoint } from '../util/fault.js';

/** Stores `content` as a blob; returns its id. */
export async function writeBlob(git: GitRunner, content: Buffer): Promise<string> {
  return (await git.raw(['hash-object', '-w', '--stdin'], { input: content })).trim();
}

/** Bytes of fast-import input written to its pipe at once (one write call per chunk, not three per blob). */
const STREAM_CHUNK = 256 * 1024;
/**
 * Chunks may wait for the pipe up to this many bytes before `add` makes the caller wait. With one
 * chunk of slack the reader and git took turns (each idle a third of a 100k first run): git drained
 * the pipe while the next chunk was being read, then the reader waited for git.
 */
const STREAM_AHEAD = 8 * STREAM_CHUNK;
const NL = Buffer.from('\n');

export class BlobWriter {
  private small: Buffer[] = [];
  private stream: ReturnType<GitRunner['stream']> | null = null;
  private pending: Promise<void> = Promise.resolve();
  private count = 0;
  /**
   * fast-import input not yet written: whole blobs copied into one buffer of STREAM_CHUNK bytes. The
   * buffers are reused once git has taken them: a fresh 256 KiB buffer per chunk was freed only at
   * V8's next collection, so a 100k first run kept ~60 MB of them waiting, and glibc kept the heap
   * they had grown long after (RSS 315 MB at rest).
   */
  private chunk: Buffer | null = null;
  private chunkBytes = 0;
  private spare: Buffer[] = [];
  /** How many chunk buffers this writer has made (they are reused; see `chunk`). */
  chunkBuffers = 0;
  /** Chunks handed to the pipe's queue and not yet taken by it, oldest first. */
  private ahead: { bytes: number; written: Promise<void> }[] = [];
  private aheadBytes = 0;

  /** `bulkFrom`: from this many blobs on, they stream into one pack. */
  constructor(
    private readonly git: GitRunner,
    private readonly bulkFrom = 64,
  ) {}

  /**
   * Queues one blob; resolves once the writer can take more (at most STREAM_AHEAD bytes wait for the
   * pipe to git). Once the stream runs, its bytes are copied or written before this resolves; the
   * few blobs before that are held until `flush`, so a caller must not refill a buffer it gave.
   */
  add(content: Buffer): Promise<void> {
    this.count++;
    if (!this.stream && this.small.length + 1 < this.bulkFrom) {
      this.small.push(content);
      return Promise.resolve();
    }
    if (!this.stream) {
      this.stream = this.git.stream(['fast-import', '--quiet', '--done']);
      const held = this.small;
      this.small = [];
      // A failed write of a held large blob is reported by flush, which waits on the same chain.
      for (const b of held) if (!this.queue(b)) this.writeLarge(b).catch(() => undefined);
    }
    if (!this.queue(content)) return this.writeLarge(content);
    return this.aheadBytes > STREAM_AHEAD ? this.ahead[0].written : Promise.resolve();
  }

  /** A blob too large for a chunk is written as it is, not copied. */
  private writeLarge(content: Buffer): Promise<void> {
    this.writeChunk();
    const st = this.stream!;
    this.pending = this.pending.then(async () => {
      await st.write(`blob\ndata ${content.length}\n`);
      await st.write(content);
      await st.write(NL);
    });
    return this.pending;
  }

  /** Copies one blob's fast-import command into the current chunk; false when it is too large for one. */
  private queue(content: Buffer): boolean {
    const head = `blob\ndata ${content.length}\n`;
    const need = head.length + content.length + 1;
    if (need > STREAM_CHUNK) return false;
    if (this.chunk && this.chunkBytes + need > STREAM_CHUNK) this.writeChunk();
    const c = (this.chunk ??= this.spare.pop() ?? this.newChunk());
    let at = this.chunkBytes;
    at += c.write(head, at, 'latin1');
    at += content.copy(c, at);
    c[at++] = 10;
    this.chunkBytes = at;
    return true;
  }

  private newChunk(): Buffer {
    this.chunkBuffers++;
    return Buffer.allocUnsafeSlow(STREAM_CHUNK);
  }

  private writeChunk(): void {
    const buf = this.chunk;
    if (!buf || this.chunkBytes === 0) return;
    const bytes = buf.subarray(0, this.chunkBytes);
    this.chunk = null;
    this.chunkBytes = 0;
    const st = this.stream!;
    // `write` resolves once the pipe has taken every byte, so the buffer is free to fill again.
    const written = this.pending.then(() => st.write(bytes));
    this.pending = written;
    const rec = { bytes: bytes.length, written };
    this.ahead.push(rec);
    this.aheadBytes += rec.bytes;
    const done = () => {
      this.ahead.splice(this.ahead.indexOf(rec), 1);
      this.aheadBytes -= rec.bytes;
    };
    // A failed write is reported by flush (and to a caller waiting on it); here it only frees the room.
    written.then(
      () => {
        done();
        this.spare.push(buf);
      },
      done,
    );
  }

  /** Drops what is queued; a running fast-import is ended without its `done` (it writes nothing). */
  async abort(): Promise<void> {
    this.small = [];
    this.chunk = null;
    this.chunkBytes = 0;
    this.spare = [];
    this.pending.catch(() => undefined);
    const st = this.stream;
    this.stream = null;
    if (st) await st.end().catch(() => undefined);
  }

  get size(): number {
    return this.count;
  }

  /** Writes everything queued; resolves once the objects are in the repo. */
  async flush(): Promise<void> {
    try {
      faultPoint('blob-write');
    } catch (e) {
      await this.abort();
      throw e;
    }
    if (this.stream) {
      this.writeChunk();
      await this.pending;
      this.spare = [];
      await this.stream.write('done\n');
      await this.stream.end();
      this.stream = null;
      return;
    }
    const blobs = this.small;
    this.small = [];
    if (blobs.length === 0) return;
    if (blobs.length === 1) {
      await writeBlob(this.git, blobs[0]);
      return;
    }
    const dir = mkdtempSync(join(this.git.dir, '.git', 'confsync-blobs-'));
    try {
      const paths = blobs.map((b, i) => {
        const p = join(dir, String(i));
        writeFileSync(p, b);
        return p;
      });
      await this.git.raw(['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: paths.join('\n') + '\n' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Reading many blobs through one `git cat-file --batch` process instead of one process each (a joining
 * machine applying 10,000 files). Requests are answered in order; `close` ends the process.
 */
export class BlobReader {
  private child: ReturnType<typeof spawnBatch> | null = null;
  private queue: { oid: string; resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly git: GitRunner) {}

  read(oid: string): Promise<Buffer> {
    if (!this.child) this.start();
    return new Promise((resolve, reject) => {
      this.queue.push({ oid, resolve, reject });
      this.child!.stdin.write(`${oid}\n`);
    });
  }

  private start(): void {
    const child = spawnBatch(this.git);
    this.child = child;
    child.stdout.on('data', (b: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, b]) : b;
      this.drain();
    });
    const fail = (e: Error) => {
      for (const q of this.queue.splice(0)) q.reject(e);
      this.child = null;
    };
    child.on('error', fail);
    child.on('close', () => fail(new Error('git cat-file --batch ended')));
    child.stdin.on('error', () => undefined);
  }

  private drain(): void {
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const line = this.buf.subarray(0, nl).toString('utf8');
      if (line.endsWith(' missing')) {
        this.buf = this.buf.subarray(nl + 1);
        this.queue.shift()!.reject(new Error(`blob ${head.oid} is missing from the repo`));
        continue;
      }
      const size = Number(line.split(' ')[2]);
      if (this.buf.length < nl + 1 + size + 1) return;
      const content = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.queue.shift()!.resolve(content);
    }
  }

  async close(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (!c) return;
    await new Promise<void>((resolve) => {
      c.once('close', () => resolve());
      c.stdin.end();
    });
  }
}

function spawnBatch(git: GitRunner) {
  return git.spawnRaw(['cat-file', '--batch']);
}
