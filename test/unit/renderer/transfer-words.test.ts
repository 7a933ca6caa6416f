import { describe, expect, it } from 'vitest';
import { transferProgress } from '../../../renderer/lib/words';

describe('transfer progress words', () => {
  it('says what moves, how far, with thousands separators', () => {
    expect(transferProgress({ what: 'sending', done: 4500, total: 10000 })).toEqual({ percent: 45, words: 'Sending 4,500 of 10,000 objects to the remote' });
    expect(transferProgress({ what: 'receiving', done: 0, total: 1 })).toEqual({ percent: 0, words: 'Receiving 0 of 1 object from the remote' });
    expect(transferProgress({ what: 'sending', done: 3, total: 0 }).percent).toBe(0);
  });
});
