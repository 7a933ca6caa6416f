import { describe, expect, it } from 'vitest';
import { groupFolderName, macroFileName, safeName } from '../../../electron/engine/km/index.js';

describe('safe file names', () => {
  it('replaces characters unsafe on Windows/macOS/Linux and control characters', () => {
    expect(safeName('a/b\\c:d*e?f"g<h>i|j')).toBe('a_b_c_d_e_f_g_h_i_j');
    expect(safeName('tab\there\nnl\u0000nul\u007fdel\u0085c1')).toBe('tab_here_nl_nul_del_c1');
  });

  it('no leading dots, no trailing dots or spaces, never empty', () => {
    expect(safeName('..hidden')).toBe('__hidden');
    expect(safeName('name. . ')).toBe('name');
    expect(safeName('...')).toBe('___');
    expect(safeName('')).toBe('Unnamed');
    expect(safeName('   ', 100, 'X')).toBe('X');
  });

  it('Windows device names get a suffix', () => {
    expect(safeName('CON')).toBe('CON_');
    expect(safeName('lpt1.txt')).toBe('lpt1.txt_');
    expect(safeName('Console')).toBe('Console');
  });

  it('limits UTF-8 bytes without splitting characters; NFC', () => {
    const s = safeName('😀'.repeat(60), 100);
    expect(Buffer.byteLength(s)).toBeLessThanOrEqual(100);
    expect(s).toBe('😀'.repeat(25));
    expect(safeName('e\u0301')).toBe('\u00e9');
  });

  it('builds group folder and macro file names with UIDs', () => {
    expect(groupFolderName('Work / Home', 'ABCDEF12-3456-7890-ABCD-EF1234567890')).toBe('Work _ Home (ABCDEF12)');
    expect(macroFileName('Say "hi"', 'ABCDEF12-3456-7890-ABCD-EF1234567890')).toBe('Say _hi_ (ABCDEF12-3456-7890-ABCD-EF1234567890).kmmacros');
    expect(macroFileName('', 'nouid:G:1')).toBe('Unnamed Macro (nouid_G_1).kmmacros');
    expect(Buffer.byteLength(macroFileName('x'.repeat(1000), 'U'.repeat(36)))).toBeLessThan(160);
  });
});
