#!/usr/bin/env node
/**
 * Draws ConfSync's icons with plain Node (no image libraries): shapes are evaluated on a 16-unit grid,
 * supersampled for anti-aliasing into an RGBA buffer, and written as PNG (node:zlib + CRC32).
 *
 *   assets/tray/<state>.png, <state>@2x.png                  coloured (Linux, Windows)  16 / 32 px
 *   assets/tray/<state>Template.png, <state>Template@2x.png  macOS template: black + alpha
 *   assets/icon.png                                          app icon 512 px
 *   build/icon.png                                           electron-builder icon 1024 px
 *
 * Every state has its own shape, so colour is never the only signal:
 *   idle      filled disc with a check mark cut out
 *   syncing   two arrows chasing each other round a circle
 *   paused    ring with two bars
 *   offline   ring crossed by a slash (no connection)
 *   conflict  two stacked copies of a file with a badge dot
 *   error     triangle with an exclamation mark cut out
 *
 * Run: node scripts/make-icons.mjs   (the generated PNGs are committed)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------- PNG

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** RGBA (8 bit, non-premultiplied) → PNG bytes. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------- shapes (16-unit grid, y down)

const disc = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ring = (cx, cy, r, w) => (x, y) => {
  const d = Math.hypot(x - cx, y - cy);
  return d >= r - w / 2 && d <= r + w / 2;
};
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
function segDist(x, y, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}
/** A stroked polyline with round joins and caps. */
const stroke = (points, w) => (x, y) => {
  for (let i = 0; i + 1 < points.length; i++) {
    if (segDist(x, y, points[i][0], points[i][1], points[i + 1][0], points[i + 1][1]) <= w / 2) return true;
  }
  return false;
};
const polygon = (pts) => (x, y) => {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i];
    const [xj, yj] = pts[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
};
const DEG = Math.PI / 180;
/** Arc of a ring between two angles (degrees, clockwise on screen, 0 = right). */
const arc = (cx, cy, r, w, from, to) => {
  const band = ring(cx, cy, r, w);
  return (x, y) => {
    if (!band(x, y)) return false;
    let a = Math.atan2(y - cy, x - cx) / DEG;
    while (a < from) a += 360;
    while (a >= from + 360) a -= 360;
    return a <= to;
  };
};
/** Arrowhead at angle `at` on a circle, pointing clockwise. */
const arrowHead = (cx, cy, r, at, half, length) => {
  const t = at * DEG;
  const px = cx + r * Math.cos(t);
  const py = cy + r * Math.sin(t);
  const nx = Math.cos(t);
  const ny = Math.sin(t);
  const tx = -Math.sin(t);
  const ty = Math.cos(t);
  return polygon([
    [px + nx * half, py + ny * half],
    [px - nx * half, py - ny * half],
    [px + tx * length, py + ty * length],
  ]);
};
const union = (...shapes) => (x, y) => shapes.some((s) => s(x, y));

/** Sync arrows: two arcs, each ending in an arrowhead, chasing each other clockwise. */
function syncArrows(cx = 8, cy = 8, r = 5.1, w = 2, head = 1.5) {
  return union(
    arc(cx, cy, r, w, 205, 310),
    arrowHead(cx, cy, r, 310, w * head, w * head * 1.15),
    arc(cx, cy, r, w, 25, 130),
    arrowHead(cx, cy, r, 130, w * head, w * head * 1.15),
  );
}

/**
 * Layers are painted in order. paint: 'glyph' (state colour, or black in templates), 'inset' (white in
 * colour, transparent in templates: symbols inside a filled shape), 'clear' (always transparent:
 * separation gaps), or an [r, g, b] colour.
 */
const GLYPHS = {
  idle: [
    { shape: disc(8, 8, 7), paint: 'glyph' },
    { shape: stroke([[4.6, 8.3], [7, 10.6], [11.4, 5.6]], 1.9), paint: 'inset' },
  ],
  syncing: [{ shape: syncArrows(), paint: 'glyph' }],
  paused: [
    { shape: ring(8, 8, 6.3, 1.6), paint: 'glyph' },
    { shape: roundRect(5.3, 4.8, 7.1, 11.2, 0.5), paint: 'glyph' },
    { shape: roundRect(8.9, 4.8, 10.7, 11.2, 0.5), paint: 'glyph' },
  ],
  offline: [
    { shape: ring(8, 8, 6.2, 1.8), paint: 'glyph' },
    { shape: stroke([[3.6, 12.4], [12.4, 3.6]], 1.8), paint: 'glyph' },
  ],
  conflict: [
    // Two copies of a file, one over the other, and a badge: "two versions, look at me".
    { shape: roundRect(4.6, 1.6, 13.4, 11.4, 1.2), paint: 'glyph' },
    { shape: roundRect(6.2, 3.2, 11.8, 9.8, 0.4), paint: 'clear' },
    { shape: roundRect(1.2, 4.6, 11.4, 15, 1.6), paint: 'clear' },
    { shape: roundRect(2.2, 5.6, 10.4, 14.4, 1.2), paint: 'glyph' },
    { shape: disc(13.2, 12.8, 3.6), paint: 'clear' },
    { shape: disc(13.2, 12.8, 2.6), paint: 'badge' },
  ],
  error: [
    { shape: polygon([[8, 0.8], [15.4, 14.6], [0.6, 14.6]]), paint: 'glyph' },
    { shape: roundRect(7.05, 5, 8.95, 10.2, 0.9), paint: 'inset' },
    { shape: disc(8, 12.4, 1.1), paint: 'inset' },
  ],
};

const COLOURS = {
  idle: [46, 158, 79],
  syncing: [47, 123, 245],
  paused: [128, 134, 145],
  offline: [240, 140, 0],
  conflict: [217, 58, 58],
  error: [211, 47, 47],
};

/** Renders layers to RGBA. `paintOf(layer, x, y)` → [r,g,b,a] (0..1 alpha) or null (leave as is). */
function render(size, layers, paintOf, { samples = 4, scale = 16 / size } = {}) {
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) * scale;
          const y = (py + (sy + 0.5) / samples) * scale;
          let c = [0, 0, 0, 0];
          for (const layer of layers) {
            if (!layer.shape(x, y)) continue;
            const p = paintOf(layer, x, y);
            if (p) c = p;
          }
          r += c[0] * c[3];
          g += c[1] * c[3];
          b += c[2] * c[3];
          a += c[3];
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / (samples * samples)) * 255);
    }
  }
  return out;
}

function trayPaint(state, template) {
  const [r, g, b] = COLOURS[state];
  return (layer) => {
    switch (layer.paint) {
      case 'glyph':
      case 'badge':
        return template ? [0, 0, 0, 1] : [r, g, b, 1];
      case 'inset':
        return template ? [0, 0, 0, 0] : [255, 255, 255, 1];
      case 'clear':
        return [0, 0, 0, 0];
      default:
        return null;
    }
  };
}

/** App icon: rounded square, blue gradient, white sync arrows. */
function appIcon(size) {
  const inset = 0.6; // 16-unit grid
  const layers = [
    { shape: roundRect(inset, inset, 16 - inset, 16 - inset, 3.4), paint: 'background' },
    { shape: syncArrows(8, 8, 4.2, 1.5, 1.25), paint: 'white' },
  ];
  const top = [72, 149, 255];
  const bottom = [30, 64, 175];
  return render(
    size,
    layers,
    (layer, _x, y) => {
      if (layer.paint === 'white') return [255, 255, 255, 1];
      const t = Math.min(1, Math.max(0, (y - inset) / (16 - 2 * inset)));
      return [0, 1, 2].map((k) => Math.round(top[k] + (bottom[k] - top[k]) * t)).concat(1);
    },
    { samples: size > 256 ? 3 : 4 },
  );
}

function write(rel, size, rgba) {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, encodePng(size, size, rgba));
  return rel;
}

export const TRAY_STATES = Object.keys(GLYPHS);

export function main() {
  const written = [];
  for (const state of TRAY_STATES) {
    for (const template of [false, true]) {
      for (const [suffix, size] of [['', 16], ['@2x', 32]]) {
        const name = `${state}${template ? 'Template' : ''}${suffix}.png`;
        written.push(write(join('assets', 'tray', name), size, render(size, GLYPHS[state], trayPaint(state, template), { samples: 6 })));
      }
    }
  }
  written.push(write(join('assets', 'icon.png'), 512, appIcon(512)));
  written.push(write(join('build', 'icon.png'), 1024, appIcon(1024)));
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const written = main();
  console.log(`wrote ${written.length} icons`);
}
