/**
 * Repository: where the sync repo lives, the remote and branch (saved via settings:update), a
 * connection test with its typed outcome in words, and the host's figures (ahead/behind, fetch/push).
 *
 * Saving a remote also tests it: "Saved." (in the all-well tone) only when the remote answers; a
 * remote that does not is saved all the same (it may be a disk that is not connected now), with what
 * is wrong and that syncing waits until it is fixed.
 *
 * With no remote set, the tab opens on the setup flow (SetupFlow.tsx: test, preview, apply) instead
 * of the form; the flow stays until the person closes it, and the form then shows what it saved.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { TestConnectionResult } from '../../shared/contract.js';
import type { Settings } from '../../shared/settings.js';
import { errorText } from '../api/types.js';
import { useAction, useApi, useApp, useLoad, useNow } from '../context.js';
import { FieldError, Note, RelTime, SyncResultView } from '../components/common.js';
import { Spinner } from '../components/icons.js';
import { fieldErrors } from '../lib/host-errors.js';
import { pluralize } from '../lib/time.js';
import { nextSyncWords, testConnectionWords } from '../lib/words.js';
import { SetupFlow } from './SetupFlow.js';

export function RepositoryTab() {
  const api = useApi();
  const app = useApp()!;
  const now = useNow();
  const ids = useId();
  const loaded = useLoad(() => api.invoke('settings:get'), []);
  const [url, setUrl] = useState<string | null>(null);
  const [branch, setBranch] = useState<string | null>(null);
  // The setup flow: open on a machine with no remote, and until the person closes it.
  const [setup, setSetup] = useState(app.repo.remote == null);
  useEffect(() => {
    if (loaded.data && url === null) {
      setUrl(loaded.data.remote.url ?? '');
      setBranch(loaded.data.remote.branch);
    }
  }, [loaded.data, url]);

  // Fields edited since the host refused a save: its message there is stale, so it is not shown.
  const [edited, setEdited] = useState<ReadonlySet<'remote.url' | 'remote.branch'>>(new Set());
  const save = useAction(async (patch: Record<string, unknown>): Promise<{ settings: Settings; check: TestConnectionResult | null }> => {
    const settings = await api.invoke('settings:update', { patch });
    if (!settings.remote.url) return { settings, check: null };
    // The saved remote, tested the way a sync will reach it; a test that cannot run is a failed test.
    const check = await api.invoke('repo:test-connection').catch((e: unknown): TestConnectionResult => ({ kind: 'error', message: errorText(e) }));
    return { settings, check };
  });
  const test = useAction((u: string) => api.invoke('repo:test-connection', u ? { url: u } : undefined));
  const open = useAction(() => api.invoke('app:open-sync-folder'));

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setEdited(new Set());
    const s: Settings | undefined = (await save.run({ remote: { url: (url ?? '').trim() || null, branch: (branch ?? '').trim() } }))?.settings;
    if (s) {
      setUrl(s.remote.url ?? '');
      setBranch(s.remote.branch);
    }
  };
  const allHostErr = save.state.status === 'failed' ? fieldErrors(save.state.error, ['remote.url', 'remote.branch']) : {};
  const hostErr = Object.fromEntries(Object.entries(allHostErr).filter(([k]) => !edited.has(k as 'remote.url'))) as Record<string, string>;
  const general = save.state.status === 'failed' && !Object.keys(allHostErr).length ? save.state.error : null;
  const r = app.repo;

  return (
    <div className="repository">
      <h2>Repository</h2>
      <dl className="figures">
        <div className="figure wide">
          <dt>Sync folder on this machine</dt>
          <dd>
            <span className="break" data-testid="repo-path">
              {r.path}
            </span>{' '}
            <button type="button" className="link" onClick={() => void open.run()} data-testid="repo-open-folder">
              Open
            </button>
            {open.state.status === 'failed' && <span className="field-error"> {open.state.error}</span>}
          </dd>
        </div>
      </dl>

      {setup && loaded.data ? (
        <SetupFlow
          settings={loaded.data}
          onSettings={(s) => {
            // The form below shows what the flow saved (or put back) when it closes.
            loaded.setData(s);
            setUrl(s.remote.url ?? '');
            setBranch(s.remote.branch);
          }}
          onClose={() => setSetup(false)}
        />
      ) : !setup && r.remote == null && url !== null && !save.running ? (
        <Note tone="neutral" testId="repo-setup-note">
          No remote set up: changes are kept on this machine only.{' '}
          <button type="button" className="link" onClick={() => setSetup(true)} data-testid="repo-setup-open">
            Set up syncing
          </button>
        </Note>
      ) : null}

      {setup && loaded.data ? null : url === null ? (
        loaded.error ? (
          <Note tone="error">Could not load the settings: {loaded.error}</Note>
        ) : (
          <p className="muted">Loading…</p>
        )
      ) : (
        <form className="form" onSubmit={onSubmit} noValidate data-testid="repo-form">
          <div className="field">
            <label htmlFor={`${ids}-url`}>Remote repository URL</label>
            <input
              id={`${ids}-url`}
              type="text"
              inputMode="url"
              spellCheck={false}
              autoComplete="off"
              placeholder="git@github.com:me/dotfiles.git"
              value={url}
              onChange={(e) => {
                setUrl(e.target.value);
                if (!edited.has('remote.url')) setEdited(new Set([...edited, 'remote.url']));
              }}
              aria-invalid={!!hostErr['remote.url']}
              aria-describedby={`${ids}-url-help ${ids}-url-err`}
              data-testid="repo-remote-url"
            />
            <p className="help" id={`${ids}-url-help`} data-testid="repo-url-help">
              An SSH or HTTPS address (<code>git@github.com:me/dotfiles.git</code>), or the path of a repository on this machine or a disk (
              <code>/Volumes/Backup/dotfiles.git</code>). Leave empty to keep history on this machine only.
            </p>
            <FieldError id={`${ids}-url-err`} msg={hostErr['remote.url']} testId="repo-error-url" />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-branch`}>Branch</label>
            <input
              id={`${ids}-branch`}
              className="narrow"
              spellCheck={false}
              value={branch ?? ''}
              onChange={(e) => {
                setBranch(e.target.value);
                if (!edited.has('remote.branch')) setEdited(new Set([...edited, 'remote.branch']));
              }}
              aria-invalid={!!hostErr['remote.branch']}
              aria-describedby={`${ids}-branch-err`}
              data-testid="repo-branch"
            />
            <FieldError id={`${ids}-branch-err`} msg={hostErr['remote.branch']} testId="repo-error-branch" />
          </div>
          <div className="button-row">
            <button type="submit" className="primary" disabled={save.running} data-testid="repo-save">
              {save.running ? (
                <>
                  <Spinner /> Saving…
                </>
              ) : (
                'Save'
              )}
            </button>
            <button type="button" disabled={test.running} aria-busy={test.running} onClick={() => void test.run((url ?? '').trim())} data-testid="repo-test-connection">
              {test.running ? (
                <>
                  <Spinner /> Testing…
                </>
              ) : (
                'Test connection'
              )}
            </button>
          </div>
          <div
            aria-live="polite"
            data-testid="repo-save-result"
            data-status={save.state.status}
            data-kind={save.state.status === 'done' ? (save.state.result.check?.kind ?? 'no-remote') : undefined}
          >
            {save.state.status === 'done' && <SavedNote check={save.state.result.check} />}
            {save.state.status === 'failed' && (
              <Note tone="error" role="alert">
                Not saved. {general ?? (Object.keys(hostErr).length ? 'See the marked fields.' : '')}
              </Note>
            )}
          </div>
          <div aria-live="polite" data-testid="repo-test-result" data-status={test.state.status} data-kind={test.state.status === 'done' ? test.state.result.kind : undefined}>
            {test.state.status === 'done' && <TestResult r={test.state.result} />}
            {test.state.status === 'failed' && (
              <Note tone="error" role="alert">
                The test could not run: {test.state.error}
              </Note>
            )}
          </div>
        </form>
      )}

      <h3>Status</h3>
      <dl className="figures" data-testid="repo-status">
        <div className="figure">
          <dt>Remote in use</dt>
          <dd className="break" data-testid="repo-remote">
            {r.remote ?? 'None (this machine only)'}
          </dd>
        </div>
        <div className="figure">
          <dt>Branch</dt>
          <dd>{r.branch}</dd>
        </div>
        <div className="figure">
          <dt>Latest commit</dt>
          <dd data-testid="repo-head">
            <code>{r.head ? r.head.slice(0, 10) : 'none yet'}</code>
          </dd>
        </div>
        <div className="figure">
          <dt>Waiting to be sent</dt>
          <dd data-testid="repo-ahead" data-count={r.ahead}>
            {r.ahead === 0 ? 'Nothing' : pluralize(r.ahead, 'commit', 'commits')}
          </dd>
        </div>
        <div className="figure">
          <dt>Waiting to be received</dt>
          <dd data-testid="repo-behind" data-count={r.behind}>
            {r.behind === 0 ? 'Nothing' : pluralize(r.behind, 'commit', 'commits')}
          </dd>
        </div>
        <div className="figure">
          <dt>Last fetch</dt>
          <dd data-testid="repo-last-fetch">
            <RelTime at={r.lastFetchAt} now={now} />
          </dd>
        </div>
        <div className="figure">
          <dt>Last push</dt>
          <dd data-testid="repo-last-push">
            <RelTime at={r.lastPushAt} now={now} />
          </dd>
        </div>
        <div className="figure">
          <dt>Last sync</dt>
          <dd data-testid="repo-last-sync">
            <RelTime at={r.lastSyncAt} now={now} />
          </dd>
        </div>
        <div className="figure">
          <dt>Next sync</dt>
          <dd data-testid="repo-next-sync">{app.paused ? 'Paused' : nextSyncWords(r.nextSyncAt, now).replace(/^Next sync /, '')}</dd>
        </div>
      </dl>
      {r.lastResult && (
        <>
          <h3>Last sync result</h3>
          <SyncResultView result={r.lastResult} testId="repo-last-result" />
        </>
      )}
    </div>
  );
}

/** What the host said beside the kind, when it adds something (its message can be only the kind's name). */
function testMessage(r: TestConnectionResult): string | null {
  const m = r.message.trim();
  if (!m || m === r.kind || /^No repository at that address$/i.test(m)) return null;
  return m;
}

function TestResult({ r }: { r: TestConnectionResult }) {
  const w = testConnectionWords(r.kind);
  const message = testMessage(r);
  return (
    <Note tone={w.tone}>
      <strong>{w.title}</strong>
      {r.kind === 'not-found' && <div>No repository at that address: look for a typo, or for a disk, check that it is connected.</div>}
      {message && <div>{message}</div>}
      {r.detail && (
        <details>
          <summary>Details</summary>
          <pre className="detail">{r.detail}</pre>
        </details>
      )}
    </Note>
  );
}

/** "Saved." only when the saved remote answers (or there is none); otherwise what is wrong with it. */
function SavedNote({ check }: { check: TestConnectionResult | null }) {
  if (!check || check.kind === 'ok' || check.kind === 'empty') return <Note tone="ok">Saved.</Note>;
  const w = testConnectionWords(check.kind);
  return (
    <Note tone="warning" testId="repo-saved-not-working">
      <strong>Saved, but this remote does not work yet:</strong> {w.title.charAt(0).toLowerCase() + w.title.slice(1)}. Syncing with it fails until the address is fixed (or the
      disk is connected).
      {check.detail && (
        <details>
          <summary>Details</summary>
          <pre className="detail">{check.detail}</pre>
        </details>
      )}
    </Note>
  );
}
