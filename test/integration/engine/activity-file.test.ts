/** The activity feed survives a restart (the last 200 entries, in the config dir). */
import { afterEach, describe, expect, it } from 'vitest';
import { Machine } from '../../helpers/machine';
import { pushActivity } from '../../../electron/engine/state/app-store';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

describe('activity on disk', () => {
  it('keeps what happened across a restart, newest first, with ids that stay unique', async () => {
    const m = new Machine('laptop-a', { profiles: ['zsh'] });
    open.push(m);
    m.write('.zshrc', 'a\n');
    await m.open();
    await m.sync();
    for (let i = 0; i < 250; i++) pushActivity(m.engine.store, 'info', `entry ${i}`);
    const before = m.engine.store.getState().activity;
    expect(before).toHaveLength(200);
    await m.restart();
    const after = m.engine.store.getState().activity;
    expect(after.slice(0, 200).map((a) => a.text)).toContain('entry 249');
    expect(after.map((a) => a.text)).not.toContain('entry 49'); // beyond the last 200
    const texts = after.map((a) => a.text);
    expect(texts.indexOf('entry 249')).toBeLessThan(texts.indexOf('entry 100'));
    pushActivity(m.engine.store, 'info', 'after restart');
    const ids = m.engine.store.getState().activity.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(m.engine.store.getState().activity[0]!.text).toBe('after restart');
  });
});
