import { describe, expect, it } from 'vitest';
import { createAppStore, LIMITS, pushError } from '../../../electron/engine/state/app-store.js';
import { makeState } from '../shell/make-state';

describe('pushError', () => {
  it('one entry per problem: a repeat moves to the top with its count, time and latest detail', () => {
    const store = createAppStore(makeState());
    pushError(store, 'sync', 'Remote not found', 'fatal: gone.git (1)', 1);
    pushError(store, 'km', 'library unreadable', undefined, 2);
    pushError(store, 'sync', 'Remote not found', 'fatal: gone.git (2)', 3);
    pushError(store, 'sync', 'Remote not found', 'fatal: gone.git (3)', 4);
    expect(store.getState().errors).toEqual([
      { at: 4, source: 'sync', message: 'Remote not found', detail: 'fatal: gone.git (3)', count: 3 },
      { at: 2, source: 'km', message: 'library unreadable' },
    ]);
  });

  it('another message or source is another entry; the list stays bounded', () => {
    const store = createAppStore(makeState());
    pushError(store, 'sync', 'a', undefined, 1);
    pushError(store, 'push', 'a', undefined, 2);
    pushError(store, 'sync', 'b', undefined, 3);
    expect(store.getState().errors.map((e) => `${e.source}:${e.message}`)).toEqual(['sync:b', 'push:a', 'sync:a']);
    for (let i = 0; i < LIMITS.errors + 10; i++) pushError(store, 'sync', `m${i}`, undefined, 10 + i);
    expect(store.getState().errors).toHaveLength(LIMITS.errors);
  });
});
