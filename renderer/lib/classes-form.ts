/**
 * The General tab's "This machine's classes" field: labels such as "work" or "laptop", typed as a
 * comma (or space) separated list. The rules are the settings schema's (shared/settings.ts
 * MachineClass and MachineSettings: 1–32 characters, letters, digits, dot, underscore and dash, at
 * most 32 classes); the renderer does not bundle zod, so they are written here too and a unit test
 * holds the two to the same answers. Classes are compared case-insensitively by the engine, so the
 * same class twice is refused here.
 */
import { validatorWords } from './host-errors.js';

export const MAX_CLASSES = 32;
export const MAX_CLASS_LENGTH = 32;
const CLASS_RE = /^[A-Za-z0-9._-]+$/;

/** "work, laptop" / "work laptop" → ['work', 'laptop'] (empty entries dropped). */
export function splitClasses(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((c) => c.trim())
    .filter(Boolean);
}

export function classesText(classes: readonly string[]): string {
  return classes.join(', ');
}

/** The first thing wrong with the list, in the schema's words, or null when it is fine. */
export function classesError(classes: readonly string[]): string | null {
  if (classes.length > MAX_CLASSES) return `At most ${MAX_CLASSES} classes.`;
  const seen = new Set<string>();
  for (const c of classes) {
    if (c.length > MAX_CLASS_LENGTH) return `“${c.slice(0, 12)}…”: at most ${MAX_CLASS_LENGTH} characters.`;
    if (!CLASS_RE.test(c)) return `“${c}”: letters, digits, dot, underscore and dash only.`;
    const k = c.toLowerCase();
    if (seen.has(k)) return `“${c}” is there twice (classes are the same in upper and lower case).`;
    seen.add(k);
  }
  return null;
}

/**
 * The host's refusal for `machine.classes` (zod's "machine.classes.1: letters, …"), in words and
 * naming the class when it says which one; null when the message is not about the classes.
 */
export function hostClassesError(message: string, classes: readonly string[]): string | null {
  const m = /machine\.classes(?:\.(\d+))?:\s*([^;]+)/.exec(message);
  if (!m) return null;
  const raw = m[2].replace(/\s*\(a copy was kept at [^)]*\)\s*$/, '').trim();
  const many = /expected array to have <=\s*(\d+) items?/.exec(raw);
  const words = many ? `At most ${many[1]} classes.` : validatorWords(raw);
  const which = m[1] !== undefined ? classes[Number(m[1])] : undefined;
  return which !== undefined ? `“${which}”: ${words.charAt(0).toLowerCase()}${words.slice(1)}` : words;
}
