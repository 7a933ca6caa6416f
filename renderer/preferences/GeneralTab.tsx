/**
 * General: start at login, notification level, sync schedule (minutes; stored as seconds), debounce,
 * whether changes from other machines are applied at once or wait for a review (`sync.applyIncoming`),
 * and this machine's host name, classes (`machine.classes`, lib/classes-form.ts) and Keyboard Maestro
 * library. The host name and the debounce are read when ConfSync starts: their help says so, and a
 * saved change that is not in use yet says that ConfSync must restart (lib/settings-form.ts). The
 * library, the classes and the way changes arrive apply at once.
 * Saved with one `settings:update` patch; the host validates and its messages appear at the fields,
 * in words ("At least 10 seconds.", not the validator's "Too small: expected number to be >=10").
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { NotificationLevel, Settings } from '../../shared/settings.js';
import { useAction, useApi, useApp, useLoad } from '../context.js';
import { FieldError, Note } from '../components/common.js';
import { Spinner } from '../components/icons.js';
import { fieldErrors, validatorWords } from '../lib/host-errors.js';
import { KM_DEFAULT_TAIL, waitingForRestart } from '../lib/settings-form.js';
import { classesError, classesText, hostClassesError, splitClasses } from '../lib/classes-form.js';

interface Form {
  startAtLogin: boolean;
  level: NotificationLevel;
  intervalMin: string;
  debounceMs: string;
  /** Empty: the machine's own name. */
  hostName: string;
  /** Empty: Keyboard Maestro's usual place. */
  kmLibrary: string;
  applyIncoming: 'auto' | 'ask';
  /** "work, laptop": this machine's classes as typed. */
  classes: string;
}

function toForm(s: Settings): Form {
  return {
    startAtLogin: s.startAtLogin,
    level: s.notifications.level,
    intervalMin: String(Math.round((s.sync.intervalSec / 60) * 100) / 100),
    debounceMs: String(s.sync.debounceMs),
    hostName: s.hostName ?? '',
    kmLibrary: s.km.libraryPath ?? '',
    applyIncoming: s.sync.applyIncoming,
    classes: classesText(s.machine.classes),
  };
}

const KEYS = {
  'sync.intervalSec': 'intervalMin',
  'sync.debounceMs': 'debounceMs',
  'notifications.level': 'level',
  startAtLogin: 'startAtLogin',
  hostName: 'hostName',
  'km.libraryPath': 'kmLibrary',
  'sync.applyIncoming': 'applyIncoming',
} as const;
/** The unit each setting is stored in, for the validator's numbers. */
const UNITS: Partial<Record<keyof typeof KEYS, 'seconds' | 'ms'>> = { 'sync.intervalSec': 'seconds', 'sync.debounceMs': 'ms' };

type Errors = Partial<Record<keyof Form | 'general', string>>;

export function GeneralTab() {
  const api = useApi();
  const app = useApp()!;
  const loaded = useLoad(() => api.invoke('settings:get'), []);
  const [form, setForm] = useState<Form | null>(null);
  // The settings as this window first saw them: a later save of a restart-only setting is compared with them.
  const [opened, setOpened] = useState<Settings | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  // Fields edited since the host refused a save: its message there is stale, so it is not shown.
  const [edited, setEdited] = useState<ReadonlySet<keyof Form>>(new Set());
  const ids = useId();

  useEffect(() => {
    if (loaded.data && !form) setForm(toForm(loaded.data));
    if (loaded.data && !opened) setOpened(loaded.data);
  }, [loaded.data, form, opened]);

  const save = useAction(async (patch: Record<string, unknown>) => api.invoke('settings:update', { patch }));

  if (!form) {
    return loaded.error ? <Note tone="error" testId="settings-load-error">Could not load the settings: {loaded.error}</Note> : <p className="muted">Loading settings…</p>;
  }

  const set = <K extends keyof Form>(k: K, v: Form[K]) => {
    setForm({ ...form, [k]: v });
    if (errors[k]) setErrors({ ...errors, [k]: undefined });
    if (!edited.has(k)) setEdited(new Set([...edited, k]));
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Errors = {};
    const minutes = Number(form.intervalMin.replace(',', '.'));
    if (form.intervalMin.trim() === '' || !Number.isFinite(minutes)) local.intervalMin = 'Enter a number of minutes.';
    const debounce = Number(form.debounceMs);
    if (form.debounceMs.trim() === '' || !Number.isFinite(debounce)) local.debounceMs = 'Enter a number of milliseconds.';
    const km = form.kmLibrary.trim();
    // The host reads the path as it is written: "~" would not be the home folder.
    if (km && !/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(km)) local.kmLibrary = 'Write the whole path, starting with / (for example /Users/me/Library/…).';
    const classes = splitClasses(form.classes);
    const classesWrong = classesError(classes);
    if (classesWrong) local.classes = classesWrong;
    if (Object.keys(local).length) {
      setErrors(local);
      return;
    }
    setErrors({});
    setEdited(new Set());
    const patch = {
      startAtLogin: form.startAtLogin,
      notifications: { level: form.level },
      sync: { intervalSec: Math.round(minutes * 60), debounceMs: Math.round(debounce), applyIncoming: form.applyIncoming },
      hostName: form.hostName.trim() || null,
      km: { libraryPath: km || null },
      machine: { classes },
    };
    const saved = await save.run(patch);
    if (saved) {
      setForm(toForm(saved));
      loaded.setData(saved);
    }
  };

  // Host errors → fields.
  const hostErrors: Errors = {};
  if (save.state.status === 'failed') {
    const f = fieldErrors(save.state.error, Object.keys(KEYS));
    for (const [key, msg] of Object.entries(f)) {
      const field = KEYS[key as keyof typeof KEYS];
      if (edited.has(field)) continue;
      hostErrors[field] = validatorWords(msg, UNITS[key as keyof typeof KEYS]);
    }
    // The classes are a list: the host names the one it refused by its place ("machine.classes.1: …").
    const classesMsg = hostClassesError(save.state.error, splitClasses(form.classes));
    if (classesMsg && !edited.has('classes')) hostErrors.classes = classesMsg;
    if (!Object.keys(f).length && !classesMsg) hostErrors.general = save.state.error;
  }
  const err = (k: keyof Form) => errors[k] ?? hostErrors[k];
  const restart = loaded.data && opened ? waitingForRestart(loaded.data, opened, app) : [];

  return (
    <form className="form" onSubmit={onSubmit} noValidate data-testid="settings-form">
      <h2>General</h2>
      <div className="field checkbox">
        <input
          id={`${ids}-login`}
          type="checkbox"
          checked={form.startAtLogin}
          onChange={(e) => set('startAtLogin', e.target.checked)}
          data-testid="settings-start-at-login"
        />
        <label htmlFor={`${ids}-login`}>Start ConfSync when I log in</label>
        <FieldError id={`${ids}-login-err`} msg={err('startAtLogin')} testId="settings-error-start-at-login" />
      </div>

      <div className="field">
        <label htmlFor={`${ids}-level`}>Notifications</label>
        <select
          id={`${ids}-level`}
          value={form.level}
          onChange={(e) => set('level', e.target.value as NotificationLevel)}
          data-testid="settings-notification-level"
          aria-describedby={`${ids}-level-help`}
        >
          <option value="none">None</option>
          <option value="errors">Errors and conflicts only</option>
          <option value="all">Everything (including changes that arrive)</option>
        </select>
        <p className="help" id={`${ids}-level-help`}>
          Conflicts are always shown in the menu bar, whatever you choose here.
        </p>
        <FieldError id={`${ids}-level-err`} msg={err('level')} testId="settings-error-notification-level" />
      </div>

      <div className="field">
        <label htmlFor={`${ids}-interval`}>Sync with the remote every (minutes)</label>
        <input
          id={`${ids}-interval`}
          type="number"
          inputMode="decimal"
          step="any"
          className="narrow"
          value={form.intervalMin}
          onChange={(e) => set('intervalMin', e.target.value)}
          aria-invalid={!!err('intervalMin')}
          aria-describedby={`${ids}-interval-help ${ids}-interval-err`}
          data-testid="settings-interval-min"
        />
        <p className="help" id={`${ids}-interval-help`}>
          Changes from other machines usually arrive at once; this schedule is the fallback (10 seconds to 24 hours).
        </p>
        <FieldError id={`${ids}-interval-err`} msg={err('intervalMin')} testId="settings-error-interval" />
      </div>

      <div className="field">
        <label htmlFor={`${ids}-debounce`}>Wait after a change before saving it (milliseconds)</label>
        <input
          id={`${ids}-debounce`}
          type="number"
          inputMode="numeric"
          step="1"
          className="narrow"
          value={form.debounceMs}
          onChange={(e) => set('debounceMs', e.target.value)}
          aria-invalid={!!err('debounceMs')}
          aria-describedby={`${ids}-debounce-help ${ids}-debounce-err`}
          data-testid="settings-debounce-ms"
        />
        <p className="help" id={`${ids}-debounce-help`}>
          A burst of saves becomes one commit. Takes effect when ConfSync restarts.
        </p>
        <FieldError id={`${ids}-debounce-err`} msg={err('debounceMs')} testId="settings-error-debounce" />
      </div>

      <fieldset className="field choice" aria-describedby={`${ids}-incoming-help ${ids}-incoming-err`} data-testid="settings-apply-incoming">
        <legend>Changes from other machines</legend>
        <label className="inline">
          <input
            type="radio"
            name={`${ids}-incoming`}
            value="auto"
            checked={form.applyIncoming === 'auto'}
            onChange={() => set('applyIncoming', 'auto')}
            data-testid="settings-apply-incoming-auto"
          />
          Apply automatically
        </label>
        <label className="inline">
          <input
            type="radio"
            name={`${ids}-incoming`}
            value="ask"
            checked={form.applyIncoming === 'ask'}
            onChange={() => set('applyIncoming', 'ask')}
            data-testid="settings-apply-incoming-ask"
          />
          Ask before applying
        </label>
        <p className="help" id={`${ids}-incoming-help`}>
          {form.applyIncoming === 'ask'
            ? 'The menu bar says how many changes wait to arrive; you review them and apply them with one click. Your own changes are still sent.'
            : 'Changes made on your other machines are written to your files here as they arrive (yours are never overwritten without a copy).'}
        </p>
        <FieldError id={`${ids}-incoming-err`} msg={err('applyIncoming')} testId="settings-error-apply-incoming" />
      </fieldset>

      <h3>This machine</h3>
      <div className="field">
        <label htmlFor={`${ids}-host`}>Host name</label>
        <input
          id={`${ids}-host`}
          type="text"
          spellCheck={false}
          autoComplete="off"
          className="medium"
          placeholder={app.host}
          value={form.hostName}
          onChange={(e) => set('hostName', e.target.value)}
          aria-invalid={!!err('hostName')}
          aria-describedby={`${ids}-host-help ${ids}-host-err`}
          data-testid="settings-host-name"
        />
        <p className="help" id={`${ids}-host-help`}>
          Names this machine in commits, History and conflict copies. Letters, digits, dot, underscore and dash; leave empty for the computer’s own name. Takes
          effect when ConfSync restarts.
        </p>
        <FieldError id={`${ids}-host-err`} msg={err('hostName')} testId="settings-error-host-name" />
      </div>
      <ClassesField
        id={`${ids}-classes`}
        value={form.classes}
        onChange={(v) => set('classes', v)}
        error={err('classes')}
      />
      <div className="field">
        <label htmlFor={`${ids}-km`}>Keyboard Maestro macro library</label>
        <input
          id={`${ids}-km`}
          type="text"
          spellCheck={false}
          autoComplete="off"
          placeholder={`~${KM_DEFAULT_TAIL}`}
          value={form.kmLibrary}
          onChange={(e) => set('kmLibrary', e.target.value)}
          aria-invalid={!!err('kmLibrary')}
          aria-describedby={`${ids}-km-help ${ids}-km-err`}
          data-testid="settings-km-library"
        />
        <p className="help" id={`${ids}-km-help`}>
          Leave empty for Keyboard Maestro’s usual place.
        </p>
        <FieldError id={`${ids}-km-err`} msg={err('kmLibrary')} testId="settings-error-km-library" />
      </div>
      <div className="button-row">
        <button type="submit" className="primary" disabled={save.running} data-testid="settings-save">
          {save.running ? (
            <>
              <Spinner /> Saving…
            </>
          ) : (
            'Save'
          )}
        </button>
        <button type="button" disabled={save.running} onClick={() => loaded.data && (setForm(toForm(loaded.data)), setErrors({}), setEdited(new Set()), save.reset())} data-testid="settings-revert">
          Revert
        </button>
      </div>
      <div aria-live="polite" data-testid="settings-result" data-status={save.state.status}>
        {save.state.status === 'done' && <Note tone="ok">Saved.</Note>}
        {save.state.status === 'failed' && (
          <Note tone="error" role="alert" testId="settings-error">
            Not saved. {hostErrors.general ?? (Object.keys(hostErrors).length ? 'See the marked fields.' : '')}
          </Note>
        )}
      </div>
      {restart.length > 0 && (
        <Note tone="pending" testId="settings-restart-note">
          Saved, not in use yet: restart ConfSync to use {restart.join(' and ')}.
        </Note>
      )}

      <dl className="figures">
        <div className="figure">
          <dt>Host name in use</dt>
          <dd data-testid="settings-host-in-use">{app.host}</dd>
        </div>
        <div className="figure">
          <dt>ConfSync version</dt>
          <dd>{app.version}</dd>
        </div>
        <div className="figure wide">
          <dt>Settings folder</dt>
          <dd className="break">{app.configDir}</dd>
        </div>
      </dl>
    </form>
  );
}

/**
 * This machine's classes as one text field ("work, laptop"), with the classes it makes shown as tags
 * under it, so what will be saved is visible while typing. Validated on save (lib/classes-form.ts).
 */
function ClassesField({ id, value, onChange, error }: { id: string; value: string; onChange(v: string): void; error: string | undefined }) {
  const classes = splitClasses(value);
  return (
    <div className="field">
      <label htmlFor={id}>This machine’s classes</label>
      <input
        id={id}
        type="text"
        spellCheck={false}
        autoComplete="off"
        className="medium"
        placeholder="work, laptop"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={!!error}
        aria-describedby={`${id}-help ${id}-err`}
        data-testid="settings-classes"
      />
      {classes.length > 0 && (
        <ul className="tags" aria-label="Classes to save" data-testid="settings-class-tags">
          {classes.map((c, i) => (
            <li key={`${i}-${c}`} className="tag" data-testid="settings-class-tag" data-class={c}>
              {c}
            </li>
          ))}
        </ul>
      )}
      <p className="help" id={`${id}-help`}>
        Labels for this machine, separated by commas, such as work or laptop. Per-machine parts of your files (class=work) and file variants use them. Letters,
        digits, dot, underscore and dash; up to 32.
      </p>
      <FieldError id={`${id}-err`} msg={error} testId="settings-error-classes" />
    </div>
  );
}
