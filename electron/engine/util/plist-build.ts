/**
 * plist.build (XML property lists), loaded on first use. Reading goes through km/plist-xml.ts; the
 * plist package loads xmldom with its builder (20–30 ms), which every CLI command and every start paid
 * for a LaunchAgent or an XML library that most runs never write.
 */
import { createRequire } from 'node:module';

type PlistModule = typeof import('plist');
let mod: PlistModule | null = null;

export function plistBuild(value: unknown, opts?: Record<string, unknown>): string {
  mod ??= createRequire(import.meta.url)('plist') as PlistModule;
  return mod.build(value as never, opts as never);
}
