/**
 * The built-in catalog of common apps and tools (in the spirit of Mackup's application database).
 * The data lives in catalog.json; it is validated with the contract's ProfileDefinition schema at load.
 */
import { z } from 'zod';
import { ProfileDefinition, describeZodError } from '../../../shared/contract.js';
import catalogJson from './catalog.json' with { type: 'json' };

/** Catalog names are stricter than custom ones: lowercase, digits and dashes. */
export const CATALOG_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

let cached: ProfileDefinition[] | null = null;

/** Parses and checks catalog data; throws with a clear message when it is broken (a build error). */
export function parseCatalog(data: unknown): ProfileDefinition[] {
  const r = z.array(ProfileDefinition).safeParse(data);
  if (!r.success) throw new Error(`profiles catalog is invalid: ${describeZodError(r.error)}`);
  const seen = new Set<string>();
  for (const def of r.data) {
    if (!CATALOG_NAME.test(def.name)) throw new Error(`profiles catalog: name ${JSON.stringify(def.name)} must be lowercase [a-z0-9-]`);
    if (seen.has(def.name)) throw new Error(`profiles catalog: duplicate name ${JSON.stringify(def.name)}`);
    seen.add(def.name);
  }
  return r.data;
}

/** The built-in catalog, validated (a fresh copy each call: callers may mutate it). */
export function loadCatalog(): ProfileDefinition[] {
  if (!cached) cached = parseCatalog(catalogJson as unknown);
  return structuredClone(cached);
}

/** One catalog entry by name, or null. */
export function catalogEntry(name: string): ProfileDefinition | null {
  return loadCatalog().find((d) => d.name === name) ?? null;
}
