/**
 * The committed icons: every state at 1x/2x, coloured and template; templates are black + alpha only;
 * each state has its own shape (alpha masks differ), so colour is never the only signal.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { TRAY_ICONS } from '../../../electron/shell/tray-state';
// @ts-expect-error plain .mjs script without type declarations
import { crc32 } from '../../../scripts/make-icons.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function decodePng(file: string): { width: number; height: number; rgba: Buffer } {
  const b = readFileSync(join(root, file));
  expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (off < b.length) {
    const len = b.readUInt32BE(off);
    const type = b.toString('ascii', off + 4, off + 8);
    const data = b.subarray(off + 8, off + 8 + len);
    expect(b.readUInt32BE(off + 8 + len)).toBe((crc32 as (x: Buffer) => number)(b.subarray(off + 4, off + 8 + len)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 6]); // 8-bit RGBA
    }
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    raw.copy(rgba, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, rgba };
}

function alphaMask(rgba: Buffer): number[] {
  const out: number[] = [];
  for (let i = 3; i < rgba.length; i += 4) out.push(rgba[i] > 127 ? 1 : 0);
  return out;
}

describe('icons', () => {
  it('crc32 is the standard one', () => {
    expect((crc32 as (x: Buffer) => number)(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it.each(TRAY_ICONS)('%s: 1x and 2x, coloured and template', (state) => {
    for (const variant of ['', 'Template']) {
      expect(decodePng(`assets/tray/${state}${variant}.png`)).toMatchObject({ width: 16, height: 16 });
      expect(decodePng(`assets/tray/${state}${variant}@2x.png`)).toMatchObject({ width: 32, height: 32 });
    }
  });

  it('template images are black with alpha only', () => {
    for (const state of TRAY_ICONS) {
      const { rgba } = decodePng(`assets/tray/${state}Template@2x.png`);
      let opaque = 0;
      for (let i = 0; i < rgba.length; i += 4) {
        if (rgba[i + 3] === 0) continue;
        opaque++;
        expect([rgba[i], rgba[i + 1], rgba[i + 2]]).toEqual([0, 0, 0]);
      }
      expect(opaque).toBeGreaterThan(100);
    }
  });

  it('shapes differ per state, not just colour', () => {
    const masks = TRAY_ICONS.map((s) => alphaMask(decodePng(`assets/tray/${s}Template@2x.png`).rgba));
    for (let a = 0; a < masks.length; a++) {
      for (let b = a + 1; b < masks.length; b++) {
        const differing = masks[a].filter((v, i) => v !== masks[b][i]).length;
        expect(differing, `${TRAY_ICONS[a]} vs ${TRAY_ICONS[b]}`).toBeGreaterThan(60);
      }
    }
  });

  it('app icons', () => {
    expect(decodePng('assets/icon.png')).toMatchObject({ width: 512, height: 512 });
    expect(decodePng('build/icon.png')).toMatchObject({ width: 1024, height: 1024 });
  });
});
