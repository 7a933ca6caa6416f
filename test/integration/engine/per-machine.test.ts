/**
 * Per-machine differences, all at once (the proof of the per-machine issue): three machines with
 * distinct host names and classes — laptop-a (class home), desk-b and vm-c (class work) — and one bare
 * remote. A `.gitconfig` with a work variant, a VS Code `settings.json` (JSONC) with a machine-local
 * zoom level, and a `.zshrc` with per-machine blocks all converge, and each machine keeps its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Machine, bareRemote, git } from '../../helpers/machine';

const VSCODE = '.config/Code/User/settings.json';
const CODE = { name: 'code', paths: [`~/${VSCODE}`], localKeys: ['window.zoomLevel'] };

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

function machine(name: string, remote: string, classes: string[]): Machine {
  const m = new Machine(name, { remote, profiles: ['zsh', 'git'], settings: { machine: { classes } } });
  open.push(m);
  return m;
}

const ZSHRC = [
  'export EDITOR=vim',
  '# confsync:only class=work',
  'export HTTPS_PROXY=http://proxy.corp:3128',
  '# confsync:end',
  '# confsync:only host=laptop-a',
  'alias music="open -a Music"',
  '# confsync:end',
  '',
].join('\n');

describe('per-machine differences converge and each machine keeps its own', () => {
  it('variants, machine-local keys and per-machine blocks on three machines', async () => {
    const remote = bareRemote();
    const a = machine('laptop-a', remote, ['home']);
    a.write('.zshrc', ZSHRC);
    a.write('.gitconfig', '[user]\n\temail = ann@home.example\n');
    a.write(VSCODE, '{\n  // shared\n  "editor.fontSize": 14,\n  "window.zoomLevel": 1\n}\n');
    await a.open();
    await a.invoke('profiles:save', { profile: CODE });
    await a.invoke('profiles:set-enabled', { name: 'code', enabled: true });
    await a.sync();
    // The file laptop-a wrote stays as it is (nothing arrived yet); the repo keeps every block as written.
    expect(a.read('.zshrc')).toBe(ZSHRC);
    expect(git(remote, 'show', 'main:zsh/.zshrc')).toBe(ZSHRC);

    const b = machine('desk-b', remote, ['work']);
    const c = machine('vm-c', remote, ['work']);
    for (const m of [b, c]) {
      await m.open();
      await m.sync();
      await m.invoke('profiles:set-enabled', { name: 'code', enabled: true });
      await m.sync();
    }
    // On work machines the work block is live and laptop-a's alias is not.
    const onWork = ZSHRC.replace('alias music="open -a Music"', '# confsync-off: alias music="open -a Music"');
    expect(b.read('.zshrc')).toBe(onWork);
    expect(c.read('.zshrc')).toBe(onWork);
    await a.sync();

    // desk-b: a work variant of .gitconfig; its own zoom; a new line in the work block.
    await b.invoke('variants:add', { path: '~/.gitconfig', for: 'class:work' });
    b.write('.gitconfig', '[user]\n\temail = ann@work.example\n');
    b.write(VSCODE, '{\n  // shared\n  "editor.fontSize": 14,\n  "window.zoomLevel": -2\n}\n');
    b.write('.zshrc', onWork.replace('export HTTPS_PROXY=http://proxy.corp:3128', 'export HTTPS_PROXY=http://proxy.corp:3128\nexport NO_PROXY=.corp'));
    await b.sync();
    // laptop-a: a shared setting and a new line in its own block.
    a.write(VSCODE, '{\n  // shared\n  "editor.fontSize": 15,\n  "window.zoomLevel": 1\n}\n');
    await a.sync();
    for (const m of [c, b, a, c]) await m.sync();

    // .gitconfig: the work variant on the work machines, the default on laptop-a.
    expect(a.read('.gitconfig')).toBe('[user]\n\temail = ann@home.example\n');
    expect(b.read('.gitconfig')).toBe('[user]\n\temail = ann@work.example\n');
    expect(c.read('.gitconfig')).toBe('[user]\n\temail = ann@work.example\n');
    // settings.json: the shared font size everywhere, each machine's own zoom (vm-c never had one).
    expect(a.read(VSCODE)).toBe('{\n  // shared\n  "editor.fontSize": 15,\n  "window.zoomLevel": 1\n}\n');
    expect(b.read(VSCODE)).toBe('{\n  // shared\n  "editor.fontSize": 15,\n  "window.zoomLevel": -2\n}\n');
    expect(c.read(VSCODE)).toBe('{\n  // shared\n  "editor.fontSize": 15\n}\n');
    // .zshrc: desk-b's new work line is live on vm-c and commented out on laptop-a; the repo holds every block as written.
    const repoZsh = git(remote, 'show', 'main:zsh/.zshrc');
    expect(repoZsh).toContain('export NO_PROXY=.corp\n# confsync:end');
    expect(repoZsh).not.toContain('confsync-off');
    expect(c.read('.zshrc')).toContain('\nexport NO_PROXY=.corp\n');
    expect(a.read('.zshrc')).toContain('\n# confsync-off: export NO_PROXY=.corp\n');
    expect(a.read('.zshrc')).toContain('\nalias music="open -a Music"\n');
    expect(a.read('.zshrc')).toContain('\n# confsync-off: export HTTPS_PROXY=http://proxy.corp:3128\n');
    for (const m of [a, b, c]) expect(m.engine.store.getState().conflicts).toEqual([]);
  });
});
