/**
 * Settings persistence shared by both hosts. The headless host stores through `conf`; Electron through
 * electron-store (built on conf). Both are "conf-like": a `.store` object and a `.path`. Before either
 * library touches the file we read and validate it ourselves, because a broken config must be reported
 * with its path and the offending key, kept aside, and never silently reset.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Settings, defaultSettings, type SettingsPatch } from '../../../shared/settings.js';
import { describeZodError } from '../../../shared/contract.js';
import { suggestionWords, unknownPatchKey } from './keys.js';

export interface ConfLike {
  store: Record<string, unknown>;
  readonly path: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly reason: string,
    readonly keptAside: string | null,
  ) {
    super(`${file}: ${key ? `key "${key}": ` : ''}${reason}${keptAside ? ` (a copy was kept at ${keptAside})` : ''}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates a config file without side effects on it. */
export function validateConfigFile(file: string): { ok: true; settings: Settings } | { ok: false; key: string; reason: string } {
  if (!existsSync(file)) return { ok: true, settings: defaultSettings() };
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    return { ok: false, key: '', reason: `not valid JSON (${(e as Error).message})` };
  }
  const r = Settings.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0];
    return { ok: false, key: first?.path.join('.') ?? '', reason: describeZodError(r.error) };
  }
  return { ok: true, settings: r.data };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Keeps a copy of an invalid config file beside it (`config.json.invalid-<time>`), once per distinct
 * content: every command run against the same broken file finds the copy made the first time (its
 * content hash matches) and names that one, rather than leaving another copy each time.
 */
export function keepAside(file: string, now = new Date()): string | null {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch {
    return null;
  }
  const hash = sha256(content);
  const dir = dirname(file);
  const prefix = `${basename(file)}.invalid-`;
  try {
    for (const name of readdirSync(dir).filter((n) => n.startsWith(prefix)).sort()) {
      const copy = join(dir, name);
      try {
        if (sha256(readFileSync(copy)) === hash) return copy;
      } catch {
        /* unreadable copy: not ours to judge */
      }
    }
  } catch {
    /* the folder cannot be listed: make a copy below */
  }
  const target = `${file}.invalid-${now.toISOString().replace(/[:.]/g, '-')}`;
  try {
    copyFileSync(file, target);
    return target;
  } catch {
    return null;
  }
}

/** Plain-object deep merge; arrays and scalars in the patch replace. */
export function mergePatch<T>(base: T, patch: SettingsPatch): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) {
      out[k] = mergePatch(cur, v as SettingsPatch);
    } else {
      out[k] = v;
    }
  }
  return out as T;
}

type Listener = (s: Settings) => void;

export class SettingsStore {
  private current: Settings;
  private listeners = new Set<Listener>();
  private conf: ConfLike | null = null;
  /** Set when the file on disk is invalid: we run on defaults in memory and refuse to write over it. */
  readonly loadError: ConfigError | null;

  /**
   * @param file    the config.json path (for validation before the library opens it)
   * @param open    builds the conf-like store (conf or electron-store) once the file is known good
   */
  constructor(
    readonly file: string,
    private readonly open: () => ConfLike,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    const v = validateConfigFile(file);
    if (v.ok) {
      // An empty file (truncated by a crash or emptied by hand) means "no settings yet", as the
      // validation above reads it; conf itself cannot parse it and would throw, so start afresh.
      if (existsSync(file) && readFileSync(file, 'utf8').trim() === '') rmSync(file, { force: true });
      this.conf = open();
      this.current = v.settings;
      // Write back the normalised form (fills defaults) only when the file was missing.
      if (!existsSync(file)) this.conf.store = this.current as unknown as Record<string, unknown>;
      this.loadError = null;
    } else {
      this.current = defaultSettings();
      this.loadError = new ConfigError(file, v.key, v.reason, keepAside(file));
    }
  }

  get(): Settings {
    return this.current;
  }

  /** Validates the merged result whole; throws ConfigError naming the key on a bad patch. */
  update(patch: SettingsPatch): Settings {
    if (this.loadError) {
      throw new ConfigError(this.file, this.loadError.key, `cannot save settings while the file is invalid: fix or remove it first (${this.loadError.reason})`, this.loadError.keptAside);
    }
    // A key the schema does not know would be dropped by the parse below without a word: refuse it,
    // naming the key that was probably meant.
    const unknown = unknownPatchKey(patch);
    if (unknown) throw new ConfigError(this.file, unknown, `no such setting; ${suggestionWords(unknown)}`, null);
    const merged = mergePatch(this.current, patch);
    const r = Settings.safeParse(merged);
    if (!r.success) {
      throw new ConfigError(this.file, r.error.issues[0]?.path.join('.') ?? '', describeZodError(r.error), null);
    }
    this.current = r.data;
    this.conf!.store = r.data as unknown as Record<string, unknown>;
    for (const l of this.listeners) l(this.current);
    return this.current;
  }

  onChange(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
