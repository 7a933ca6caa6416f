/** This machine's facts for per-machine blocks: host name, OS and classes from settings and platform. */
import { describe, expect, it } from 'vitest';
import { Settings, defaultSettings } from '../../../shared/settings.js';
import { machineFacts, machineHostName, osOfPlatform } from '../../../electron/engine/machine.js';
import { blocksToLive } from '../../../electron/engine/formats/blocks.js';

const settings = (patch: Record<string, unknown>) => Settings.parse(patch);

describe('machine settings', () => {
  it('has no classes by default, and an older config.json without `machine` still parses', () => {
    expect(defaultSettings().machine).toEqual({ classes: [] });
    expect(Settings.parse({ hostName: 'mac-1' }).machine.classes).toEqual([]);
  });

  it('takes short labels of letters, digits, dot, underscore and dash, and names the bad key', () => {
    expect(settings({ machine: { classes: ['work', 'Laptop_2', 'eu.west-1'] } }).machine.classes).toEqual(['work', 'Laptop_2', 'eu.west-1']);
    for (const bad of [[''], ['has space'], ['x'.repeat(33)], ['a,b'], 'work']) {
      const r = Settings.safeParse({ machine: { classes: bad } });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0].path.slice(0, 2)).toEqual(['machine', 'classes']);
    }
  });
});

describe('machineFacts', () => {
  it('maps darwin, linux and win32 to macos, linux and windows', () => {
    expect(osOfPlatform('darwin')).toBe('macos');
    expect(osOfPlatform('linux')).toBe('linux');
    expect(osOfPlatform('win32')).toBe('windows');
  });

  it('refuses any other platform, naming it', () => {
    for (const p of ['freebsd', 'openbsd', 'sunos', 'aix', 'android', 'cygwin'] as NodeJS.Platform[]) {
      expect(() => machineFacts(defaultSettings(), p, 'box')).toThrow(new RegExp(`this machine's platform is ${p}$`));
    }
  });

  it('uses settings.hostName when set, else the system host name as the engine does', () => {
    expect(machineFacts(settings({ hostName: 'Studio' }), 'darwin', 'ignored.local')).toEqual({ host: 'Studio', os: 'macos', classes: [] });
    expect(machineHostName(settings({}), 'my box.example.com')).toBe('my-box');
    expect(machineHostName(settings({}), 'laptop.local')).toBe('laptop');
    expect(machineHostName(settings({}), '.weird')).toBe('host');
    expect(machineHostName(settings({}), 'caf\u00e9')).toBe('caf-');
  });

  it('lower-cases classes and keeps each once, in the order written', () => {
    const s = settings({ hostName: 'w1', machine: { classes: ['Work', 'laptop', 'WORK', 'home'] } });
    expect(machineFacts(s, 'win32')).toEqual({ host: 'w1', os: 'windows', classes: ['work', 'laptop', 'home'] });
  });

  it('gives blocks what they match on', () => {
    const text = '# confsync:only os=linux class=work\nexport A=1\n# confsync:end\n';
    const work = machineFacts(settings({ machine: { classes: ['Work'] } }), 'linux', 'box');
    const home = machineFacts(settings({ machine: { classes: ['home'] } }), 'linux', 'box');
    expect(blocksToLive(text, work)).toBe(text);
    expect(blocksToLive(text, home)).toContain('# confsync-off: export A=1');
  });
});
