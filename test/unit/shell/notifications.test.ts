import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Notice } from '../../../electron/engine/ports';
import type { NotificationLevel } from '../../../shared/settings';
import {
  NotificationGrouper,
  electronNotifier,
  summarize,
  arrivalInfo,
  type NotificationLike,
  type OutgoingNotification,
} from '../../../electron/shell/notifications';
import type { NotificationConstructorOptions } from 'electron';

// Worded as the engine words them (electron/engine/engine.ts, secrets-gate.ts).
const conflictN = (path: string, total = 1): Notice => ({
  kind: 'conflict',
  title: total === 1 ? '1 conflict needs you' : `${total} conflicts need you`,
  body: path,
  tab: 'conflicts',
});
const arrived = (what: string, from = 'mac-mini'): Notice => ({ kind: 'arrived', title: 'Changes arrived', body: `${what} arrived from ${from}`, tab: 'history' });
const errorN = (msg: string): Notice => ({ kind: 'error', title: 'ConfSync: sync problem', body: msg, tab: 'health' });
const secretN = (path: string): Notice => ({ kind: 'secret', title: 'Secret kept out of sync', body: path, tab: 'health' });

describe('NotificationGrouper', () => {
  let sent: OutgoingNotification[];
  let level: NotificationLevel;
  let grouper: NotificationGrouper;

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    level = 'all';
    grouper = new NotificationGrouper({
      send: (n) => sent.push(n),
      clock: { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) },
      windowMs: 5000,
      maxPerMinute: 6,
      level: () => level,
    });
  });
  afterEach(() => vi.useRealTimers());

  it('a single notice goes out unchanged when its window closes', () => {
    grouper.push(conflictN('.zshrc'));
    vi.advanceTimersByTime(4999);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([{ title: '1 conflict needs you', body: '.zshrc', tab: 'conflicts' }]);
  });

  it('groups a burst within the window into one notification', () => {
    grouper.push(conflictN('a', 1));
    vi.advanceTimersByTime(1000);
    grouper.push(conflictN('b', 2));
    vi.advanceTimersByTime(3000);
    grouper.push(conflictN('c', 3));
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([{ title: '3 conflicts need you', body: 'a\nb\nc', tab: 'conflicts' }]);
  });

  it('the window is fixed: a notice after it closes starts a new group', () => {
    grouper.push(conflictN('a'));
    vi.advanceTimersByTime(5000);
    grouper.push(conflictN('b'));
    vi.advanceTimersByTime(5000);
    expect(sent.map((n) => n.body)).toEqual(['a', 'b']);
  });

  it('arrivals group per source machine and add up their file counts', () => {
    grouper.push(arrived('.zshrc'));
    grouper.push(arrived('3 files'));
    grouper.push(arrived('.gitconfig'));
    grouper.push(arrived('x', 'desktop'));
    vi.advanceTimersByTime(5000);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toEqual({ title: '5 files arrived from mac-mini', body: '.zshrc, .gitconfig', tab: 'history' });
    expect(sent[1]).toEqual({ title: 'Changes arrived', body: 'x arrived from desktop', tab: 'history' });
  });

  it('different kinds are separate notifications', () => {
    grouper.push(conflictN('a'));
    grouper.push(errorN('push rejected'));
    grouper.push(errorN('timeout'));
    grouper.push(secretN('.netrc'));
    vi.advanceTimersByTime(5000);
    expect(sent.map((n) => n.title)).toEqual(['1 conflict needs you', '2 sync problems', 'Secret kept out of sync']);
    expect(sent[1].body).toBe('timeout\npush rejected'); // newest first
  });

  it('level none: nothing', () => {
    level = 'none';
    grouper.push(conflictN('a'));
    grouper.push(errorN('x'));
    grouper.push(arrived('a'));
    vi.advanceTimersByTime(60_000);
    expect(sent).toEqual([]);
  });

  it('level errors: conflicts, errors and secrets, but not arrivals', () => {
    level = 'errors';
    grouper.push(arrived('a'));
    grouper.push(conflictN('a'));
    grouper.push(errorN('x'));
    grouper.push(secretN('s'));
    vi.advanceTimersByTime(5000);
    expect(sent.map((n) => n.title).sort()).toEqual(['1 conflict needs you', 'ConfSync: sync problem', 'Secret kept out of sync']);
  });

  it('a level lowered while a group is pending applies when it would be sent', () => {
    grouper.push(arrived('a'));
    level = 'errors';
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual([]);
  });

  it('rate limit: at most maxPerMinute, the rest waits and merges instead of being lost', () => {
    // 8 separate windows, 5 s apart: only 6 may go out in the first minute.
    for (let i = 0; i < 8; i++) {
      grouper.push(conflictN(`f${i}`));
      vi.advanceTimersByTime(5000);
    }
    expect(sent).toHaveLength(6);
    // The 7th and 8th are merged and sent when the first send leaves the minute.
    vi.advanceTimersByTime(60_000);
    expect(sent).toHaveLength(7);
    expect(sent[6].title).toBe('1 conflict needs you'); // the newest total, as the engine counts it
    expect(sent[6].tab).toBe('conflicts');
    expect(sent[6].body).toBe('f6\nf7');
    // Never more than 6 in any 60 s.
    vi.advanceTimersByTime(120_000);
    expect(sent).toHaveLength(7);
  });

  it('dispose drops what is pending', () => {
    grouper.push(conflictN('a'));
    grouper.dispose();
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual([]);
  });
});

describe('summarize', () => {
  it('arrivals without a source, secrets, duplicate bodies', () => {
    const bare = (body: string): Notice => ({ kind: 'arrived', title: 'Changes arrived', body, tab: 'history' });
    expect(summarize([bare('something'), bare('more')]).title).toBe('2 files arrived');
    expect(summarize([secretN('a'), secretN('a')])).toEqual({ title: '2 secrets kept out of sync', body: 'a', tab: 'health' });
  });

  it('conflict notices without a total in the title are counted', () => {
    const c = (body: string): Notice => ({ kind: 'conflict', title: 'Conflict', body, tab: 'conflicts' });
    expect(summarize([c('a'), c('b')]).title).toBe('2 conflicts need you');
  });

  it('arrivalInfo reads the engine wording', () => {
    expect(arrivalInfo(arrived('12 files', 'mac-mini'))).toEqual({ files: 12, source: 'mac-mini' });
    expect(arrivalInfo(arrived('.zshrc', 'build-box.local'))).toEqual({ files: 1, source: 'build-box.local' });
    expect(arrivalInfo({ kind: 'arrived', title: 'Changes', body: '', tab: 'h' })).toEqual({ files: 1, source: null });
  });
});

describe('electronNotifier', () => {
  it('shows a notification; clicking it opens Preferences at the tab', () => {
    const instances: Array<{ opts: NotificationConstructorOptions; handlers: Record<string, () => void>; shown: boolean }> = [];
    class FakeNotification implements NotificationLike {
      static isSupported() {
        return true;
      }
      handlers: Record<string, () => void> = {};
      shown = false;
      constructor(readonly opts: NotificationConstructorOptions) {
        instances.push(this);
      }
      on(e: 'click' | 'close', fn: () => void) {
        this.handlers[e] = fn;
      }
      show() {
        this.shown = true;
      }
    }
    const openPreferences = vi.fn();
    const send = electronNotifier(FakeNotification, openPreferences);
    send({ title: '3 conflicts need you', body: 'a\nb\nc', tab: 'conflicts' });
    expect(instances[0].opts).toEqual({ title: '3 conflicts need you', body: 'a\nb\nc' });
    expect(instances[0].shown).toBe(true);
    instances[0].handlers.click();
    expect(openPreferences).toHaveBeenCalledWith('conflicts');
  });

  it('does nothing where notifications are unsupported', () => {
    const ctor = vi.fn();
    const Fake = Object.assign(
      function () {
        ctor();
      } as unknown as new () => NotificationLike,
      { isSupported: () => false },
    );
    electronNotifier(Fake, vi.fn())({ title: 't', body: 'b', tab: 'x' });
    expect(ctor).not.toHaveBeenCalled();
  });
});
