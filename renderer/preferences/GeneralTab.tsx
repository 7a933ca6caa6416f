/**
 * General: start at login, notification level, sync schedule (minutes; stored as seconds), debounce.
 * Saved with one `settings:update` patch; the host validates and its messages appear at the fields.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { NotificationLevel, Settings } from '../../shared/settings.js';
import { useAction, useApi, useApp, useLoad } from '../context.js';
import { FieldError, Note } from '../components/common.js';
import { Spinner } from '../components/icons.js';
import { fieldErrors } from '../lib/host-errors.js';

interface Form {
  startAtLogin: boolean;
  level: NotificationLevel;
  intervalMin: string;
  debounceMs: string;
}

function toForm(s: Settings): Form {
  return {
    startAtLogin: s.startAtLogin,
    level: s.notifications.level,
    intervalMin: String(Math.round((s.sync.intervalSec / 60) * 100) / 100),
    debounceMs: String(s.sync.debounceMs),
  };
}

const KEYS = { 'sync.intervalSec': 'intervalMin', 'sync.debounceMs': 'debounceMs', 'notifications.level': 'level', startAtLogin: 'startAtLogin' } as const;

type Errors = Partial<Record<keyof Form | 'general', string>>;

export function GeneralTab() {
  const api = useApi();
  const app = useApp()!;
  const loaded = useLoad(() => api.invoke('settings:get'), []);
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  // Fields edited since the host refused a save: its message there is stale, so it is not shown.
  const [edited, setEdited] = useState<ReadonlySet<keyof Form>>(new Set());
  const ids = useId();

  useEffect(() => {
    if (loaded.data && !form) setForm(toForm(loaded.data));
  }, [loaded.data, form]);

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
    if (Object.keys(local).length) {
      setErrors(local);
      return;
    }
    setErrors({});
    setEdited(new Set());
    const patch = {
      startAtLogin: form.startAtLogin,
      notifications: { level: form.level },
      sync: { intervalSec: Math.round(minutes * 60), debounceMs: Math.round(debounce) },
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
      // The schedule is stored in seconds; say so, since the field is in minutes.
      hostErrors[field] = key === 'sync.intervalSec' ? `${msg} (seconds: the schedule must be between 10 seconds and 24 hours)` : msg;
    }
    if (!Object.keys(f).length) hostErrors.general = save.state.error;
  }
  const err = (k: keyof Form) => errors[k] ?? hostErrors[k];

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
          A burst of saves becomes one commit.
        </p>
        <FieldError id={`${ids}-debounce-err`} msg={err('debounceMs')} testId="settings-error-debounce" />
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

      <h3>This machine</h3>
      <dl className="figures">
        <div className="figure">
          <dt>Host name</dt>
          <dd>{app.host}</dd>
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
