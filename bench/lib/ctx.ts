/** What every section gets from the orchestrator. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Row } from './report.js';

export interface Ctx {
  quick: boolean;
  /** The run's temp root (removed at the end). */
  tmp: string;
  rows: Row[];
  /** Raw data per section, written to the JSON. */
  raw: Record<string, unknown>;
  /** Latency samples (ms) per series, for the SVG. */
  series: Record<string, number[]>;
  /** Goal lines for the SVG. */
  markers: { ms: number; label: string }[];
  log(msg: string): void;
  /** Options from the command line that a section may read (e.g. --sizes). */
  opts: { sizes?: number[]; profile?: boolean; edits?: number; cases?: string[] };
}

export function dirIn(ctx: Ctx, ...parts: string[]): string {
  const d = join(ctx.tmp, ...parts);
  mkdirSync(d, { recursive: true });
  return d;
}
