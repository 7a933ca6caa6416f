import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileLogger, formatLine, logStoreChanges, type Logger } from '../../../electron/engine/log.js';
import { makeState } from '../shell/make-state';

describe('fileLogger', () => {
  it('appends timestamped lines, creating the folder', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cs-log-')), 'logs', 'confsync.log');
    const log = fileLogger(file, { now: () => Date.UTC(2025, 0, 31, 12) });
    log.info('started');
    log.error('push failed\nremote: denied');
    expect(readFileSync(file, 'utf8')).toBe(
      '2025-01-31T12:00:00.000Z INFO  started\n2025-01-31T12:00:00.000Z ERROR push failed\n    remote: denied\n',
    );
  });

  it('rotates to .1 past maxBytes', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cs-log-')), 'confsync.log');
    writeFileSync(file, 'x'.repeat(90));
    const log = fileLogger(file, { maxBytes: 100 });
    log.info('this line does not fit');
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('x'.repeat(90));
    expect(readFileSync(file, 'utf8')).toMatch(/this line does not fit\n$/);
  });

  it('never throws when the file cannot be written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-log-'));
    writeFileSync(join(dir, 'blocker'), '');
    const log = fileLogger(join(dir, 'blocker', 'confsync.log'));
    expect(() => log.error('nowhere to go')).not.toThrow();
    expect(existsSync(join(dir, 'blocker', 'confsync.log'))).toBe(false);
  });

  it('formatLine pads the level', () => {
    expect(formatLine('warn', 'x', 0)).toBe('1970-01-01T00:00:00.000Z WARN  x\n');
  });
});

describe('logStoreChanges', () => {
  function recorder() {
    const lines: string[] = [];
    const log: Logger = { info: (m) => lines.push(`I ${m}`), warn: (m) => lines.push(`W ${m}`), error: (m) => lines.push(`E ${m}`) };
    return { lines, log };
  }

  it('logs new activity (oldest first) and new errors once', () => {
    const { lines, log } = recorder();
    const seen = logStoreChanges(log, makeState({ activity: [{ id: 1, at: 1, kind: 'info', text: 'old' }] }));
    const s1 = makeState({
      activity: [
        { id: 3, at: 3, kind: 'commit', text: 'laptop: 2 files changed' },
        { id: 2, at: 2, kind: 'arrived', text: '.zshrc arrived from mac-mini' },
        { id: 1, at: 1, kind: 'info', text: 'old' },
      ],
      errors: [{ at: 5, source: 'push', message: 'rejected', detail: 'non-fast-forward' }],
    });
    seen(s1);
    seen(s1);
    expect(lines).toEqual(['I arrived: .zshrc arrived from mac-mini', 'I commit: laptop: 2 files changed', 'E push: rejected\nnon-fast-forward']);
  });

  it('two errors with the same timestamp are both logged, once', () => {
    const { lines, log } = recorder();
    const seen = logStoreChanges(log, makeState());
    const a = { at: 7, source: 'git', message: 'a' };
    const b = { at: 7, source: 'git', message: 'b' };
    seen(makeState({ errors: [a] }));
    seen(makeState({ errors: [b, a] }));
    expect(lines).toEqual(['E git: a', 'E git: b']);
  });

  it('notes going offline and coming back', () => {
    const { lines, log } = recorder();
    const seen = logStoreChanges(log, makeState());
    seen(makeState({ phase: 'pulling' }));
    seen(makeState({ phase: 'offline' }));
    seen(makeState({ phase: 'idle' }));
    expect(lines).toEqual(['I phase pulling → offline', 'I phase offline → idle']);
  });

  it('logs every finished sync once, in its words', () => {
    const { lines, log } = recorder();
    const seen = logStoreChanges(log, makeState({ repo: { lastResult: { kind: 'ok', message: 'old', committed: 0, applied: 0, pushed: false, conflicts: 0, at: 1, skipped: [], warnings: [] } } }));
    const r = { kind: 'nothing-to-do' as const, message: 'Everything is up to date', committed: 0, applied: 0, pushed: false, conflicts: 0, at: 2, skipped: [], warnings: [] };
    seen(makeState({ repo: { lastResult: r } }));
    seen(makeState({ repo: { lastResult: r } }));
    seen(makeState({ repo: { lastResult: { ...r, at: 3, kind: 'offline', message: 'Offline: nothing waiting to be sent' } } }));
    expect(lines).toEqual(['I sync nothing-to-do: Everything is up to date', 'I sync offline: Offline: nothing waiting to be sent']);
  });
});
