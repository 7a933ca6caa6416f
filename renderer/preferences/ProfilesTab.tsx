/**
 * Profiles: the built-in catalog (detected on this machine? enabled?) with toggles, the person's own
 * profiles (paths and excludes) with add/edit/remove and a file preview for any profile, and the shared
 * ignore list (.confsyncignore).
 *
 * The ignore list lives here, not under Repository, because it answers the same question as this tab:
 * which files are synced. Profiles choose files in; the ignore list leaves some out again, on every
 * machine (the Repository tab is about where the repo is and how this machine reaches it).
 */
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { CatalogEntryState, ProfileDefinition } from '../../shared/contract.js';
import type { ProfileState } from '../../shared/state.js';
import { useAction, useApi, useApp, useLoad } from '../context.js';
import { ActionStatus, FieldError, Note } from '../components/common.js';
import { Spinner, StatusIcon } from '../components/icons.js';
import { validateIgnorePattern } from '../lib/ignore-form.js';
import {
  emptyProfileForm,
  formFromProfile,
  pathToLine,
  relativePathMeanings,
  relativePathMeaningsOf,
  relativePathWords,
  validateProfileForm,
  type ProfileForm,
  type ProfileFormErrors,
} from '../lib/profile-form.js';
import { formatCount, pluralize } from '../lib/time.js';

export function ProfilesTab() {
  const api = useApi();
  const app = useApp()!;
  const catalog = useLoad(() => api.invoke('profiles:catalog'), []);
  const custom = useLoad(() => api.invoke('profiles:list'), []);
  const byName = useMemo(() => new Map(app.profiles.map((p) => [p.name, p])), [app.profiles]);
  const [preview, setPreview] = useState<string | null>(null);

  return (
    <div className="profiles">
      <h2>Profiles</h2>
      <p className="help">A profile is a set of files that belong together, like an app's settings. Turn on the ones to sync on this machine.</p>
      <CustomProfiles
        list={custom.data}
        error={custom.error}
        reload={() => {
          custom.reload();
          catalog.reload();
        }}
        catalogNames={catalog.data?.map((c) => c.name) ?? []}
        byName={byName}
        preview={preview}
        setPreview={setPreview}
      />
      <IgnoreEditor />
      <Catalog entries={catalog.data} error={catalog.error} reload={catalog.reload} byName={byName} preview={preview} setPreview={setPreview} />
    </div>
  );
}

type PreviewProps = { preview: string | null; setPreview(key: string | null): void };

function Catalog({
  entries,
  error,
  reload,
  byName,
  preview,
  setPreview,
}: { entries: CatalogEntryState[] | null; error: string | null; reload(): void; byName: Map<string, ProfileState> } & PreviewProps) {
  const [q, setQ] = useState('');
  const [onlyFound, setOnlyFound] = useState(false);
  const ids = useId();
  if (error) return <Note tone="error">Could not load the catalog: {error}</Note>;
  if (!entries) return <p className="muted">Loading the catalog…</p>;
  const needle = q.trim().toLowerCase();
  const shown = entries
    .filter((e) => (!onlyFound || e.detected || e.enabled) && (!needle || e.name.toLowerCase().includes(needle) || e.title.toLowerCase().includes(needle)))
    .sort((a, b) => Number(b.enabled) - Number(a.enabled) || Number(b.detected) - Number(a.detected) || a.title.localeCompare(b.title));
  return (
    <section aria-labelledby={`${ids}-h`}>
      <h3 id={`${ids}-h`}>Built-in profiles</h3>
      <div className="toolbar">
        <label className="sr-only" htmlFor={`${ids}-q`}>
          Search built-in profiles
        </label>
        <input id={`${ids}-q`} type="search" placeholder="Search apps…" value={q} onChange={(e) => setQ(e.target.value)} data-testid="catalog-search" />
        <label className="inline">
          <input type="checkbox" checked={onlyFound} onChange={(e) => setOnlyFound(e.target.checked)} data-testid="catalog-only-detected" /> Only apps found on
          this machine
        </label>
        <span className="muted small" aria-live="polite">
          {formatCount(shown.length)} of {formatCount(entries.length)}
        </span>
      </div>
      {shown.length === 0 ? (
        <p className="empty">No profile matches.</p>
      ) : (
        <ul className="rows" data-testid="catalog-list">
          {shown.slice(0, 400).map((e) => (
            <CatalogRow key={e.name} entry={e} state={byName.get(e.name)} reload={reload} preview={preview} setPreview={setPreview} />
          ))}
        </ul>
      )}
      {shown.length > 400 && <p className="muted small">Showing the first 400; search to narrow down.</p>}
    </section>
  );
}

function CatalogRow({ entry, state, reload, preview, setPreview }: { entry: CatalogEntryState; state?: ProfileState; reload(): void } & PreviewProps) {
  const api = useApi();
  const id = useId();
  // Shows the wanted state at once (disabled, with a spinner) until the host answers; reverts on failure.
  const [wanted, setWanted] = useState<boolean | null>(null);
  const toggle = useAction(async (enabled: boolean) => {
    setWanted(enabled);
    try {
      await api.invoke('profiles:set-enabled', { name: entry.name, enabled });
    } catch (e) {
      setWanted(null);
      throw e;
    }
    reload();
    return enabled;
  });
  // Drop the wanted state once the reloaded catalog agrees.
  useEffect(() => {
    if (wanted !== null && entry.enabled === wanted) setWanted(null);
  }, [wanted, entry.enabled]);
  const key = `catalog:${entry.name}`;
  const checked = wanted ?? entry.enabled;
  return (
    <li className="row" data-testid="catalog-item" data-name={entry.name} data-enabled={String(entry.enabled)} data-detected={String(entry.detected)}>
      <div className="row-main">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          disabled={toggle.running}
          aria-busy={toggle.running}
          onChange={(e) => void toggle.run(e.target.checked)}
          data-testid="profile-toggle"
          data-name={entry.name}
        />
        <label htmlFor={id} className="row-title">
          {entry.title} <span className="muted small">({entry.name})</span>
        </label>
        {toggle.running && <Spinner />}
        <span className={`pill ${entry.detected ? 'pill-ok' : 'pill-muted'}`}>
          {entry.detected ? <StatusIcon tone="ok" size={11} /> : <StatusIcon tone="neutral" size={11} />} {entry.detected ? 'Found on this machine' : 'Not found here'}
        </span>
        {state && entry.enabled && <span className="muted small">{state.error ? `Problem: ${state.error}` : pluralize(state.files, 'file', 'files')}</span>}
        <button
          type="button"
          className="link"
          aria-expanded={preview === key}
          onClick={() => setPreview(preview === key ? null : key)}
          data-testid="profile-preview"
          data-name={entry.name}
          aria-label={`Preview files of ${entry.title}`}
        >
          {preview === key ? 'Hide files' : 'Preview files'}
        </button>
      </div>
      {toggle.state.status === 'failed' && (
        <Note tone="error" role="alert" testId="profile-toggle-error">
          {toggle.state.error}
        </Note>
      )}
      {preview === key && (
        <>
          <CatalogRules entry={entry} />
          <Preview profile={{ name: entry.name, title: entry.title.slice(0, 200), paths: entry.paths, exclude: entry.exclude }} />
        </>
      )}
    </li>
  );
}

/**
 * What a catalog entry ships besides its paths, read-only (an own profile of the same name replaces
 * the entry): the files left out, the keys each machine keeps (ignored: the app rewrites them;
 * machine-local), and the app that owns the files, with "applied when it quits" where it rewrites them.
 */
function CatalogRules({ entry }: { entry: CatalogEntryState }) {
  const { exclude, ignoreKeys, localKeys, app, applyWhen } = entry;
  if (!exclude.length && !ignoreKeys.length && !localKeys.length && !app) return null;
  return (
    <div className="paths small" data-testid="catalog-rules" data-name={entry.name}>
      {exclude.length > 0 && (
        <div data-testid="catalog-exclude">
          <span className="muted">Except:</span> <KeyList globs={exclude} />
        </div>
      )}
      {ignoreKeys.length > 0 && (
        <div data-testid="catalog-ignore-keys">
          <span className="muted">Ignored keys:</span> <KeyList globs={ignoreKeys} /> <span className="muted">(the app rewrites them; each machine keeps its own)</span>
        </div>
      )}
      {localKeys.length > 0 && (
        <div data-testid="catalog-local-keys">
          <span className="muted">Machine-local keys:</span> <KeyList globs={localKeys} />
        </div>
      )}
      {app && (
        <div data-testid="catalog-app">
          <span className="muted">App:</span> {app}
          {applyWhen === 'app-quit' && <span className="muted"> (changes from other machines are applied when it quits)</span>}
        </div>
      )}
    </div>
  );
}

function Preview({ profile }: { profile: ProfileDefinition }) {
  const api = useApi();
  const r = useLoad(() => api.invoke('profiles:preview', { profile }), [JSON.stringify(profile)]);
  const relative = relativePathMeanings(profile.paths);
  return (
    <div className="preview" data-testid="profile-preview-result" aria-live="polite" data-status={r.loading ? 'running' : r.error ? 'failed' : r.data ? 'done' : 'idle'}>
      {relative.length > 0 && (
        <p className="help" data-testid="profile-preview-relative">
          Looked for in your home folder: {relativePathWords(relative)}.
        </p>
      )}
      {r.loading && !r.data && (
        <span className="muted">
          <Spinner /> Looking for files…
        </span>
      )}
      {r.error && <Note tone="error">{r.error}</Note>}
      {r.data && (
        <>
          {r.data.error && <Note tone="error">{r.data.error}</Note>}
          <p>
            {r.data.total === 0 ? 'No files match on this machine.' : `${pluralize(r.data.total, 'file', 'files')} would be synced${r.data.truncated ? ` (showing ${formatCount(r.data.files.length)})` : ''}:`}
          </p>
          {r.data.files.length > 0 && (
            <ul className="file-list" data-testid="profile-preview-files">
              {r.data.files.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

function CustomProfiles({
  list,
  error,
  reload,
  catalogNames,
  byName,
  preview,
  setPreview,
}: {
  list: ProfileDefinition[] | null;
  error: string | null;
  reload(): void;
  catalogNames: string[];
  byName: Map<string, ProfileState>;
} & PreviewProps) {
  const api = useApi();
  const ids = useId();
  const [editing, setEditing] = useState<{ isNew: boolean; original: ProfileDefinition | null } | null>(null);
  const [confirmRemove, setConfirmRemove] = useState<string | null>(null);
  const remove = useAction(async (name: string) => {
    await api.invoke('profiles:remove', { name });
    reload();
    return name;
  });
  const [wanted, setWanted] = useState<{ name: string; enabled: boolean } | null>(null);
  const toggle = useAction(async (name: string, enabled: boolean) => {
    setWanted({ name, enabled });
    try {
      await api.invoke('profiles:set-enabled', { name, enabled });
    } catch (e) {
      setWanted(null);
      throw e;
    }
    reload();
    return name;
  });
  useEffect(() => {
    if (wanted && byName.get(wanted.name)?.enabled === wanted.enabled) setWanted(null);
  }, [wanted, byName]);
  return (
    <section aria-labelledby={`${ids}-h`}>
      <div className="section-head">
        <h3 id={`${ids}-h`}>Your profiles</h3>
        {!editing && (
          <button type="button" onClick={() => setEditing({ isNew: true, original: null })} data-testid="profile-add">
            Add profile…
          </button>
        )}
      </div>
      {error && <Note tone="error">Could not load your profiles: {error}</Note>}
      {editing && (
        <ProfileEditor
          isNew={editing.isNew}
          original={editing.original}
          existingNames={(list ?? []).map((p) => p.name)}
          onDone={() => {
            setEditing(null);
            reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {list && list.length === 0 && !editing && <p className="empty">No profiles of your own yet. Add one to sync any files you choose.</p>}
      {list && list.length > 0 && (
        <ul className="rows" data-testid="custom-profile-list">
          {list.map((p) => {
            const st = byName.get(p.name);
            const key = `custom:${p.name}`;
            const inCatalog = catalogNames.includes(p.name);
            return (
              <li key={p.name} className="row" data-testid="custom-profile" data-name={p.name}>
                <div className="row-main">
                  {!inCatalog && st && (
                    <input
                      type="checkbox"
                      checked={wanted?.name === p.name ? wanted.enabled : st.enabled}
                      disabled={toggle.running}
                      onChange={(e) => void toggle.run(p.name, e.target.checked)}
                      aria-label={`Sync ${p.title || p.name} on this machine`}
                      data-testid="custom-profile-toggle"
                      data-name={p.name}
                    />
                  )}
                  <span className="row-title">
                    {p.title || p.name} {p.title && <span className="muted small">({p.name})</span>}
                  </span>
                  {st && <span className="muted small">{st.error ? `Problem: ${st.error}` : st.enabled ? pluralize(st.files, 'file', 'files') : 'Off on this machine'}</span>}
                  <span className="row-actions">
                    <button type="button" className="link" onClick={() => setPreview(preview === key ? null : key)} aria-expanded={preview === key} data-testid="profile-preview" data-name={p.name} aria-label={`Preview files of ${p.name}`}>
                      {preview === key ? 'Hide files' : 'Preview files'}
                    </button>
                    <button type="button" className="link" onClick={() => setEditing({ isNew: false, original: p })} data-testid="profile-edit" data-name={p.name} aria-label={`Edit ${p.name}`}>
                      Edit
                    </button>
                    <button type="button" className="link danger" onClick={() => setConfirmRemove(p.name)} data-testid="profile-remove" data-name={p.name} aria-label={`Remove ${p.name}`}>
                      Remove
                    </button>
                  </span>
                </div>
                <div className="paths small">
                  <span className="muted">Paths:</span> {p.paths.map(pathToLine).join(', ')}
                  {p.exclude.length > 0 && (
                    <>
                      {' '}
                      <span className="muted">Except:</span> {p.exclude.join(', ')}
                    </>
                  )}
                </div>
                <KeyRules profile={p} />
                {confirmRemove === p.name && (
                  <div className="confirm" role="group" aria-label={`Remove ${p.name}?`}>
                    <span>Remove the profile “{p.name}”? Its files stay where they are and in the history.</span>
                    <button type="button" className="danger" disabled={remove.running} onClick={() => void remove.run(p.name).then(() => setConfirmRemove(null))} data-testid="profile-remove-confirm">
                      Remove
                    </button>
                    <button type="button" onClick={() => setConfirmRemove(null)} data-testid="profile-remove-cancel">
                      Cancel
                    </button>
                  </div>
                )}
                {preview === key && <Preview profile={p} />}
              </li>
            );
          })}
        </ul>
      )}
      <div aria-live="polite" data-testid="profile-action-result">
        {remove.state.status === 'done' && <Note tone="ok">Removed “{remove.state.result}”.</Note>}
        {remove.state.status === 'failed' && (
          <Note tone="error" role="alert">
            Not removed: {remove.state.error}
          </Note>
        )}
        {toggle.state.status === 'failed' && (
          <Note tone="error" role="alert">
            {toggle.state.error}
          </Note>
        )}
      </div>
    </section>
  );
}

function ProfileEditor({
  isNew,
  original,
  existingNames,
  onDone,
  onCancel,
}: {
  isNew: boolean;
  original: ProfileDefinition | null;
  existingNames: string[];
  onDone(): void;
  onCancel(): void;
}) {
  const api = useApi();
  const ids = useId();
  const [form, setForm] = useState<ProfileForm>(() => (original ? formFromProfile(original) : emptyProfileForm()));
  const [errors, setErrors] = useState<ProfileFormErrors>({});
  const [previewOf, setPreviewOf] = useState<ProfileDefinition | null>(null);
  const save = useAction((profile: ProfileDefinition) => api.invoke('profiles:save', { profile }));
  const relative = relativePathMeaningsOf(form.paths);

  const set = (k: keyof ProfileForm, v: string) => {
    setForm({ ...form, [k]: v });
    if (errors[k]) setErrors({ ...errors, [k]: undefined });
    // The host's refusal and the preview were about the old values.
    if (save.state.status === 'failed') save.reset();
    if (previewOf && (k === 'paths' || k === 'exclude')) setPreviewOf(null);
  };
  const check = () => {
    const r = validateProfileForm(form, { isNew, existingNames, original });
    if (!r.ok) {
      setErrors(r.errors);
      return null;
    }
    setErrors({});
    return r.profile;
  };
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const profile = check();
    if (!profile) return;
    const ok = await save.run(profile);
    if (ok) onDone();
  };

  return (
    <form className="form editor" onSubmit={onSubmit} noValidate data-testid="profile-form" aria-label={isNew ? 'New profile' : `Edit ${original?.name}`}>
      <h4>{isNew ? 'New profile' : `Edit “${original?.name}”`}</h4>
      <div className="field">
        <label htmlFor={`${ids}-name`}>Name</label>
        <input
          id={`${ids}-name`}
          value={form.name}
          readOnly={!isNew}
          onChange={(e) => set('name', e.target.value)}
          aria-invalid={!!errors.name}
          aria-describedby={`${ids}-name-err`}
          data-testid="profile-form-name"
        />
        <FieldError id={`${ids}-name-err`} msg={errors.name} testId="profile-form-error-name" />
      </div>
      <div className="field">
        <label htmlFor={`${ids}-title`}>Title (optional)</label>
        <input id={`${ids}-title`} value={form.title} onChange={(e) => set('title', e.target.value)} aria-invalid={!!errors.title} data-testid="profile-form-title" />
        <FieldError id={`${ids}-title-err`} msg={errors.title} testId="profile-form-error-title" />
      </div>
      <div className="field">
        <label htmlFor={`${ids}-paths`}>Paths, one per line</label>
        <textarea
          id={`${ids}-paths`}
          rows={4}
          value={form.paths}
          onChange={(e) => set('paths', e.target.value)}
          aria-invalid={!!errors.paths}
          aria-describedby={`${ids}-paths-help ${ids}-paths-relative ${ids}-paths-err`}
          data-testid="profile-form-paths"
          spellCheck={false}
        />
        <p className="help" id={`${ids}-paths-help`}>
          Files or folders, e.g. <code>~/.zshrc</code> or <code>~/.config/nvim</code>; a path without <code>~</code> or <code>/</code> is in your home folder. Globs are
          allowed. For different places per system, write a line like{' '}
          <code>{'{"darwin":"~/Library/App/x","linux":"~/.config/x"}'}</code>.
        </p>
        {relative.length > 0 && (
          <p className="help relative-note" id={`${ids}-paths-relative`} data-testid="profile-form-relative" aria-live="polite">
            {relativePathWords(relative)}: a path that does not start with ~ or / is in your home folder.
          </p>
        )}
        <FieldError id={`${ids}-paths-err`} msg={errors.paths} testId="profile-form-error-paths" />
      </div>
      <div className="field">
        <label htmlFor={`${ids}-ex`}>Leave out, one pattern per line (optional)</label>
        <textarea
          id={`${ids}-ex`}
          rows={2}
          value={form.exclude}
          onChange={(e) => set('exclude', e.target.value)}
          aria-invalid={!!errors.exclude}
          aria-describedby={`${ids}-ex-err`}
          data-testid="profile-form-exclude"
          spellCheck={false}
        />
        <FieldError id={`${ids}-ex-err`} msg={errors.exclude} testId="profile-form-error-exclude" />
      </div>
      <fieldset className="key-rules" aria-describedby={`${ids}-keys-help`}>
        <legend>Keys kept on each machine (optional)</legend>
        <p className="help" id={`${ids}-keys-help`}>
          In settings files (JSON, plist), these keys are never sent to your other machines and never overwritten by theirs: each machine keeps
          its own value. One per line. Nested JSON keys are joined by dots (<code>window.zoomLevel</code>), plist keys are written as they are (
          <code>NSWindow Frame Main</code>); <code>*</code> matches any characters, <code>?</code> one.
        </p>
        <div className="key-fields">
          <div className="field">
            <label htmlFor={`${ids}-ignore`}>Ignored keys (apps rewrite them)</label>
            <textarea
              id={`${ids}-ignore`}
              rows={3}
              value={form.ignoreKeys ?? ''}
              onChange={(e) => set('ignoreKeys', e.target.value)}
              aria-invalid={!!errors.ignoreKeys}
              aria-describedby={`${ids}-ignore-help ${ids}-ignore-err`}
              placeholder={'NSWindow Frame *\nSU*\n*LastLaunch*'}
              data-testid="profile-form-ignore-keys"
              spellCheck={false}
            />
            <p className="help" id={`${ids}-ignore-help`}>
              Window positions, update checks, last-launch dates: e.g. <code>NSWindow Frame *</code>, <code>SU*</code>, <code>*LastLaunch*</code>. A change
              to them alone is not synced.
            </p>
            <FieldError id={`${ids}-ignore-err`} msg={errors.ignoreKeys} testId="profile-form-error-ignore-keys" />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-local`}>Machine-local keys</label>
            <textarea
              id={`${ids}-local`}
              rows={3}
              value={form.localKeys ?? ''}
              onChange={(e) => set('localKeys', e.target.value)}
              aria-invalid={!!errors.localKeys}
              aria-describedby={`${ids}-local-help ${ids}-local-err`}
              placeholder={'window.zoomLevel\neditor.fontSize'}
              data-testid="profile-form-local-keys"
              spellCheck={false}
            />
            <p className="help" id={`${ids}-local-help`}>
              Settings you want different on each machine: e.g. <code>window.zoomLevel</code>, <code>editor.fontSize</code>.
            </p>
            <FieldError id={`${ids}-local-err`} msg={errors.localKeys} testId="profile-form-error-local-keys" />
          </div>
        </div>
      </fieldset>
      <div className="button-row">
        <button type="submit" className="primary" disabled={save.running} data-testid="profile-form-save">
          {save.running ? (
            <>
              <Spinner /> Saving…
            </>
          ) : (
            'Save profile'
          )}
        </button>
        <button
          type="button"
          onClick={() => {
            const p = check();
            if (p) setPreviewOf(p);
          }}
          data-testid="profile-form-preview"
        >
          Preview files
        </button>
        <button type="button" onClick={onCancel} data-testid="profile-form-cancel">
          Cancel
        </button>
      </div>
      <div aria-live="polite">
        {save.state.status === 'failed' && (
          <Note tone="error" role="alert" testId="profile-form-host-error">
            Not saved: {save.state.error}
          </Note>
        )}
      </div>
      {previewOf && <Preview profile={previewOf} />}
    </form>
  );
}

/** A profile's keys kept on each machine, when it has any: "Ignored keys: SU*, NSWindow Frame * · Machine-local keys: window.zoomLevel". */
function KeyRules({ profile }: { profile: ProfileDefinition }) {
  const ignore = profile.ignoreKeys ?? [];
  const local = profile.localKeys ?? [];
  if (!ignore.length && !local.length) return null;
  return (
    <div className="paths small" data-testid="profile-key-rules" data-name={profile.name}>
      <span className="muted">Kept on each machine:</span>{' '}
      {ignore.length > 0 && (
        <span data-testid="profile-ignore-keys">
          ignored keys <KeyList globs={ignore} />
        </span>
      )}
      {ignore.length > 0 && local.length > 0 && ' · '}
      {local.length > 0 && (
        <span data-testid="profile-local-keys">
          machine-local keys <KeyList globs={local} />
        </span>
      )}
    </div>
  );
}

function KeyList({ globs }: { globs: string[] }) {
  const shown = globs.slice(0, 8);
  return (
    <>
      {shown.map((g, i) => (
        <span key={g}>
          {i > 0 && ', '}
          <code>{g}</code>
        </span>
      ))}
      {globs.length > shown.length && ` and ${pluralize(globs.length - shown.length, 'more', 'more')}`}
    </>
  );
}

/**
 * The shared `.confsyncignore`: gitignore patterns over repo paths (`zsh/.zsh_history`, `*.log`),
 * committed and shared with every machine. Reloads when the repo's HEAD moves, so a pattern added on
 * another machine shows up here after a sync.
 */
function IgnoreEditor() {
  const api = useApi();
  const app = useApp()!;
  const ids = useId();
  const list = useLoad(() => api.invoke('ignore:list'), [app.repo.head]);
  const files = useLoad(() => api.invoke('history:files'), []);
  const [pattern, setPattern] = useState('');
  const [error, setError] = useState<string | undefined>();
  const edit = useAction(async (op: 'add' | 'remove', p: string) => {
    const next = await api.invoke(op === 'add' ? 'ignore:add' : 'ignore:remove', { pattern: p });
    list.setData(next);
    return { op, pattern: p };
  });
  const patterns = list.data ?? [];
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = validateIgnorePattern(pattern, patterns);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setError(undefined);
    if (await edit.run('add', r.pattern)) setPattern('');
  };
  return (
    <section aria-labelledby={`${ids}-h`} className="ignore-editor" data-testid="ignore-editor">
      <h3 id={`${ids}-h`}>Never synced, on any machine</h3>
      <p className="help" id={`${ids}-help`}>
        Files matching these patterns are left out everywhere. The list is kept in the sync repo (<code>.confsyncignore</code>) and shared with every
        machine. Patterns use gitignore syntax over repo paths, like <code>zsh/.zsh_history</code> or <code>*.log</code>.
      </p>
      {list.error && <Note tone="error">Could not load the list: {list.error}</Note>}
      {!list.data && !list.error && (
        <p className="muted">
          <Spinner /> Loading the list…
        </p>
      )}
      {list.data && patterns.length === 0 && (
        <p className="empty" data-testid="ignore-empty">
          No patterns yet: every file of the profiles you turned on is synced.
        </p>
      )}
      {patterns.length > 0 && (
        <ul className="rows ignore-list" data-testid="ignore-list" aria-label="Patterns">
          {patterns.map((p) => (
            <li key={p} className="row" data-testid="ignore-item" data-pattern={p}>
              <div className="row-main">
                <code className="break">{p}</code>
                <span className="row-actions">
                  <button
                    type="button"
                    className="link danger"
                    disabled={edit.running}
                    onClick={() => void edit.run('remove', p)}
                    aria-label={`Remove the pattern ${p}`}
                    data-testid="ignore-remove"
                    data-pattern={p}
                  >
                    Remove
                  </button>
                </span>
              </div>
            </li>
          ))}
        </ul>
      )}
      <form className="form ignore-form" onSubmit={onSubmit} noValidate>
        <label htmlFor={`${ids}-p`} className="sr-only">
          Pattern to add
        </label>
        <div className="inline-field">
          <input
            id={`${ids}-p`}
            type="text"
            spellCheck={false}
            autoComplete="off"
            placeholder="zsh/.zsh_history"
            list={`${ids}-files`}
            value={pattern}
            onChange={(e) => {
              setPattern(e.target.value);
              if (error) setError(undefined);
            }}
            aria-invalid={!!error}
            aria-describedby={`${ids}-help ${ids}-err`}
            data-testid="ignore-pattern"
          />
          <button type="submit" disabled={edit.running} data-testid="ignore-add">
            {edit.running ? (
              <>
                <Spinner /> Saving…
              </>
            ) : (
              'Add pattern'
            )}
          </button>
        </div>
        <datalist id={`${ids}-files`}>
          {(files.data ?? []).slice(0, 500).map((f) => (
            <option key={f.path} value={f.path} />
          ))}
        </datalist>
        <FieldError id={`${ids}-err`} msg={error} testId="ignore-error" />
      </form>
      <ActionStatus
        state={edit.state}
        testId="ignore-result"
        running="Saving…"
        showRunning={false}
        done={(r) => (
          <span className="muted">
            {r.op === 'add' ? `Added ${r.pattern}: committed, and shared with your other machines when they sync.` : `Removed ${r.pattern}: matching files are synced again.`}
          </span>
        )}
      />
    </section>
  );
}
