/**
 * Health, problems first: errors (expandable), the files not synced (now, or by the last sync) with
 * their reasons and the last sync's warnings, secrets held back; then the watcher and its figures,
 * latency and activity charts, peers and the peer server, and per-profile status.
 */
import { useMemo } from 'react';
import { notSynced, notSyncedWords } from '../../shared/meanings.js';
import { refusedHintsWords, watcherLabel } from '../lib/words.js';
import { useApp, useNow } from '../context.js';
import { Empty, Note, RelTime } from '../components/common.js';
import { CommitsChart, LatencyChart } from '../components/Charts.js';
import { StatusIcon } from '../components/icons.js';
import { chartWindow } from '../lib/chart.js';
import { formatCount, formatDateTime, formatDuration, pluralize } from '../lib/time.js';
import { useId, useState, type FormEvent } from 'react';
import type { SecretIdentityStatus } from '../../shared/contract.js';
import { useAction, useApi, useLoad } from '../context.js';
import { ActionStatus, FieldError } from '../components/common.js';
import { Spinner } from '../components/icons.js';
import { cleanErrorMessage } from '../lib/host-errors.js';

export function HealthTab() {
  const app = useApp()!;
  const now = useNow(60_000);
  const w = app.watch;
  const [encrypted, setEncrypted] = useState<string[]>([]);
  const commitTimes = useMemo(() => app.activity.filter((a) => a.kind === 'commit').map((a) => a.at), [app.activity]);
  const win = useMemo(() => chartWindow([...app.latency.map((s) => s.at), ...commitTimes], now), [app.latency, commitTimes, now]);
  const skipped = notSynced(app);
  const warnings = app.repo.lastResult?.warnings ?? [];

  return (
    <div className="health">
      <h2>Health</h2>
      {app.configError && (
        <Note tone="error" testId="health-config-error">
          <strong>Settings file problem:</strong> {app.configError}
        </Note>
      )}

      <section aria-labelledby="h-errors">
        <h3 id="h-errors">Errors</h3>
        {app.errors.length === 0 ? (
          <Empty testId="health-errors-empty">No errors.</Empty>
        ) : (
          <ul className="errors" data-testid="health-errors">
            {app.errors.map((e, i) => (
              <li key={`${e.at}-${i}`} data-testid="health-error-item">
                <details>
                  <summary>
                    <StatusIcon tone="error" size={12} /> <strong>{e.source}</strong>: {e.message}{' '}
                    <span className="muted small" data-testid="health-error-when">
                      ({e.count && e.count > 1 ? <>{e.count.toLocaleString('en-US')} times, last </> : null}
                      <RelTime at={e.at} now={now} />)
                    </span>
                  </summary>
                  <div className="error-detail">
                    <div className="muted small">{formatDateTime(e.at)}</div>
                    {e.detail ? <pre className="detail">{e.detail}</pre> : <p className="muted">No further details.</p>}
                  </div>
                </details>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="h-skipped">
        <h3 id="h-skipped">{skipped.length ? notSyncedWords(skipped.length).replace(/^./, (c) => c.toUpperCase()) : 'Files not synced'}</h3>
        {skipped.length === 0 ? (
          <Empty testId="health-skipped-empty">Every file was synced.</Empty>
        ) : (
          <div className="table-scroll">
            <table className="table" data-testid="health-skipped">
              <thead>
                <tr>
                  <th scope="col" className="col-file">
                    File
                  </th>
                  <th scope="col">Why it was not synced</th>
                </tr>
              </thead>
              <tbody>
                {skipped.map((s) => (
                  <tr key={s.path} data-testid="health-skipped-item" data-direction={s.direction} data-unsynced={String(s.unsynced)}>
                    <td className="break path">{s.path}</td>
                    <td>
                      {s.reason}
                      <div className="muted small">{s.direction === 'incoming' ? "The repo's version could not be written here." : "This machine's version could not be sent."}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {warnings.length > 0 && (
          <>
            <h4>
              Warnings from the last sync{' '}
              <span className="muted small">
                (<RelTime at={app.repo.lastResult!.at} now={now} />)
              </span>
            </h4>
            <ul className="warning-list" data-testid="health-warnings">
              {warnings.map((w, i) => (
                <li key={i} data-testid="health-warning-item">
                  {w}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section aria-labelledby="h-secrets">
        <h3 id="h-secrets">Possible secrets held back</h3>
        {encrypted.map((m, i) => (
          <Note key={i} tone="ok" testId="health-secret-encrypt-result">
            {m}
          </Note>
        ))}
        {app.secrets.length === 0 ? (
          <Empty testId="health-secrets-empty">Nothing that looks like a password or key was found.</Empty>
        ) : (
          <>
            <p className="help">These files were not synced because they seem to contain a secret. Encrypt a file to sync it anyway (the repo then only ever holds it encrypted), or allow a finding with its fingerprint if it is harmless.</p>
            <div className="table-scroll">
              <table className="table" data-testid="health-secrets">
                <thead>
                  <tr>
                    <th scope="col">File</th>
                    <th scope="col">Line</th>
                    <th scope="col">Looks like</th>
                    <th scope="col">Fingerprint</th>
                    <th scope="col">Found</th>
                    <th scope="col">
                      <span className="sr-only">Action</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {app.secrets.map((s) => (
                    <tr key={s.fingerprint + s.path} data-testid="health-secret-item">
                      <td className="break">{s.path}</td>
                      <td>{s.line}</td>
                      <td>{s.rule}</td>
                      <td>
                        <code>{s.fingerprint}</code>
                      </td>
                      <td>
                        <RelTime at={s.at} now={now} />
                      </td>
                      <td>{app.secrets.findIndex((x) => x.path === s.path) === app.secrets.indexOf(s) ? <EncryptInstead path={s.path} onDone={(m) => setEncrypted((x) => [...x, m])} /> : null}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>

      <SecretsIdentity />

      <section aria-labelledby="h-watch">
        <h3 id="h-watch">Watching files</h3>
        <dl className="figures" data-testid="health-watcher">
          <div className="figure">
            <dt>Watcher</dt>
            <dd data-testid="health-backend" data-backend={w.backend}>
              {watcherLabel(w.backend)}
            </dd>
          </div>
          <div className="figure">
            <dt>Files watched</dt>
            <dd data-testid="health-files-watched">{formatCount(w.filesWatched)}</dd>
          </div>
          <div className="figure">
            <dt>Events seen</dt>
            <dd data-testid="health-events">{formatCount(w.eventsSeen)}</dd>
          </div>
          <div className="figure">
            <dt>Batches</dt>
            <dd>{formatCount(w.batches)}</dd>
          </div>
          <div className="figure">
            <dt>Commits</dt>
            <dd data-testid="health-commits">{formatCount(w.commits)}</dd>
          </div>
          <div className="figure">
            <dt>Changes waiting</dt>
            <dd>{formatCount(w.pendingPaths)}</dd>
          </div>
          <div className="figure">
            <dt>Last change-to-commit time</dt>
            <dd>{formatDuration(w.lastLatencyMs)}</dd>
          </div>
        </dl>
        <h4>Checked by polling</h4>
        {w.pollingPaths.length === 0 ? (
          <Empty testId="health-polling-empty">None: every path gets change events.</Empty>
        ) : (
          <ul className="file-list" data-testid="health-polling">
            {w.pollingPaths.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="h-charts">
        <h3 id="h-charts">Speed and activity</h3>
        <div className="charts">
          <LatencyChart samples={app.latency} window={win} />
          <CommitsChart times={commitTimes} window={win} kept={app.activity.length} />
        </div>
      </section>

      <section aria-labelledby="h-peers">
        <h3 id="h-peers">Other machines (instant hints)</h3>
        <dl className="figures" data-testid="health-peer-server">
          <div className="figure">
            <dt>Hint server on this machine</dt>
            <dd>{app.peerServer.enabled ? (app.peerServer.listening ? `Listening on ${app.peerServer.listening}` : 'Not listening') : 'Off'}</dd>
          </div>
          <div className="figure">
            <dt>Hints accepted</dt>
            <dd>{formatCount(app.peerServer.accepted)}</dd>
          </div>
          <div className="figure">
            <dt>Hints refused</dt>
            <dd>{refusedHintsWords(app.peerServer.rejected)}</dd>
          </div>
        </dl>
        {app.peerServer.error && <Note tone="error">{app.peerServer.error}</Note>}
        {app.peers.length === 0 ? (
          <Empty testId="health-peers-empty">No other machines configured; changes from them arrive on the schedule.</Empty>
        ) : (
          <div className="table-scroll">
            <table className="table" data-testid="health-peers">
              <thead>
                <tr>
                  <th scope="col">Machine</th>
                  <th scope="col">Connection</th>
                  <th scope="col">Last heartbeat</th>
                  <th scope="col">Last hint</th>
                  <th scope="col">Refused</th>
                </tr>
              </thead>
              <tbody>
                {app.peers.map((p) => (
                  <tr key={p.url} data-testid="health-peer" data-connected={String(p.connected)}>
                    <td className="break">{p.url}</td>
                    <td>
                      <StatusIcon tone={p.connected ? 'ok' : 'warning'} size={11} /> {p.connected ? 'Connected' : 'Not connected'}
                    </td>
                    <td>
                      <RelTime at={p.lastHeartbeat} now={now} />
                    </td>
                    <td>
                      <RelTime at={p.lastHint} now={now} />
                    </td>
                    <td>{formatCount(p.rejected)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="h-profiles">
        <h3 id="h-profiles">Profiles</h3>
        {app.profiles.filter((p) => p.enabled).length === 0 ? (
          <Empty>No profiles are turned on.</Empty>
        ) : (
          <ul className="rows" data-testid="health-profiles">
            {app.profiles
              .filter((p) => p.enabled)
              .map((p) => (
                <li key={p.name} className="row-main">
                  <StatusIcon tone={p.error ? 'error' : 'ok'} size={11} /> {p.title} — {p.error ? p.error : pluralize(p.files, 'file', 'files')}
                </li>
              ))}
          </ul>
        )}
      </section>
    </div>
  );
}

/**
 * The secrets identity (the one age key that opens the files the repo keeps encrypted): whether this
 * machine has it and where it is kept; on a machine without it, a field to paste it (and, for the
 * first machine only, a way to make one); "Show identity" only after an explicit warning. The
 * identity shown or pasted lives in this component's state only and is cleared once used.
 */
function SecretsIdentity() {
  const api = useApi();
  const ids = useId();
  const status = useLoad(() => api.invoke('secrets:identity-status'), []);
  const [pasted, setPasted] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [warned, setWarned] = useState(false);
  const [shown, setShown] = useState<string | null>(null);
  // Errors from the host (what is wrong with the pasted value) show in the outcome below the field.
  const setIdentity = useAction(async (identity: string) => {
    const r = await api.invoke('secrets:identity-set', { identity }).catch((e: unknown) => {
      const words = cleanErrorMessage(e instanceof Error ? e.message : String(e));
      throw new Error(words.charAt(0).toUpperCase() + words.slice(1));
    });
    status.setData(r);
    setPasted('');
    return r;
  });
  const create = useAction(async () => {
    const r = await api.invoke('secrets:identity-create');
    status.setData(r);
    return r;
  });
  const show = useAction(async () => {
    const r = await api.invoke('secrets:identity-show');
    setShown(r.identity);
    setWarned(false);
    return { recipient: r.recipient };
  });
  const st: SecretIdentityStatus | null = status.data;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!pasted.trim()) {
      setError('Paste the identity first: the line that starts with AGE-SECRET-KEY-1.');
      return;
    }
    void setIdentity.run(pasted);
  };
  const hide = () => {
    setShown(null);
    show.reset();
  };

  return (
    <section aria-labelledby={`${ids}-h`} data-testid="secrets-identity" className="secrets-identity">
      <h3 id={`${ids}-h`}>Secrets identity</h3>
      <p className="help">
        Files you mark as secret are kept encrypted in the sync repo and open only on machines that have your secrets identity: one private key, the same on
        every machine.
      </p>
      {status.error && <Note tone="error">Could not load the identity’s status: {cleanErrorMessage(status.error)}</Note>}
      {!st && !status.error && (
        <p className="muted">
          <Spinner /> Looking for the identity…
        </p>
      )}
      {st && (
        <p data-testid="secrets-identity-state" data-exists={String(st.exists)} data-where={st.where ?? 'none'}>
          <StatusIcon tone={st.exists ? 'ok' : 'warning'} size={12} />{' '}
          {!st.exists
            ? 'This machine has no secrets identity: files encrypted on your other machines stay encrypted here.'
            : st.where === 'keychain'
              ? 'This machine has your secrets identity, kept in the keychain.'
              : 'This machine has your secrets identity, kept in a file in the config folder, not the keychain.'}
        </p>
      )}
      {st?.exists && (
        <dl className="figures">
          <div className="figure wide">
            <dt>Public key</dt>
            <dd className="break">
              <code data-testid="secrets-identity-recipient">{st.recipient}</code>
            </dd>
          </div>
          {st.where === 'file' && (
            <div className="figure wide">
              <dt>Kept in</dt>
              <dd className="break" data-testid="secrets-identity-where">
                <code>{st.file}</code>
              </dd>
            </div>
          )}
        </dl>
      )}
      {st?.exists && st.where === 'file' && (
        <p className="help" data-testid="secrets-identity-file-note">
          Only you can read this file.{st.keychainProblem ? ` The keychain was not used: ${st.keychainProblem.replace(/\.?$/, '.')}` : ''}
        </p>
      )}
      {st?.exists && shown === null && !warned && (
        <div className="button-row">
          <button type="button" onClick={() => setWarned(true)} data-testid="secrets-identity-show">
            Show identity…
          </button>
        </div>
      )}
      {st?.exists && warned && (
        <Note tone="warning" testId="secrets-identity-show-warning">
          <strong>This is a private key.</strong> Anyone who has it can read your encrypted files. Show it only to copy it to your own machines, and not
          while someone can see your screen.
          <div className="button-row">
            <button type="button" className="danger" onClick={() => void show.run()} disabled={show.running} data-testid="secrets-identity-show-confirm">
              {show.running ? (
                <>
                  <Spinner /> Showing…
                </>
              ) : (
                'Show the private key'
              )}
            </button>
            <button type="button" onClick={() => setWarned(false)} data-testid="secrets-identity-show-cancel">
              Cancel
            </button>
          </div>
        </Note>
      )}
      {shown !== null && (
        <div className="form">
          <div className="field">
            <label htmlFor={`${ids}-shown`}>Your secrets identity (private key)</label>
            <textarea id={`${ids}-shown`} readOnly rows={2} spellCheck={false} value={shown} data-testid="secrets-identity-value" onFocus={(e) => e.currentTarget.select()} />
            <p className="help">
              Paste it into Health › Secrets identity on your other machines, or import it there with <code>confsync secret import</code>.
            </p>
          </div>
          <div className="button-row">
            <button type="button" onClick={hide} data-testid="secrets-identity-hide">
              Hide
            </button>
          </div>
        </div>
      )}
      <ActionStatus state={show.state} testId="secrets-identity-show-result" running="Showing…" showRunning={false} done={() => null} />

      {st && !st.exists && (
        <form className="form" onSubmit={onSubmit} noValidate>
          <div className="field">
            <label htmlFor={`${ids}-paste`}>Paste identity</label>
            <textarea
              id={`${ids}-paste`}
              rows={3}
              spellCheck={false}
              autoComplete="off"
              placeholder="AGE-SECRET-KEY-1…"
              value={pasted}
              onChange={(e) => {
                setPasted(e.target.value);
                if (error) setError(undefined);
              }}
              aria-invalid={!!error || setIdentity.state.status === 'failed'}
              aria-describedby={`${ids}-paste-help ${ids}-paste-err`}
              data-testid="secrets-identity-input"
            />
            <p className="help" id={`${ids}-paste-help`}>
              Copy it from a machine that has it: Health › Secrets identity › Show identity there, or <code>confsync secret identity</code>.
            </p>
            <FieldError id={`${ids}-paste-err`} msg={error} testId="secrets-identity-error" />
          </div>
          <div className="button-row">
            <button type="submit" className="primary" disabled={setIdentity.running} data-testid="secrets-identity-import">
              {setIdentity.running ? (
                <>
                  <Spinner /> Checking…
                </>
              ) : (
                'Use this identity'
              )}
            </button>
          </div>
        </form>
      )}
      <ActionStatus
        state={setIdentity.state}
        testId="secrets-identity-import-result"
        running="Checking the identity…"
        showRunning={false}
        done={(r) => (
          <span className="muted">
            {r.changed ? 'Identity saved: this machine can now open your encrypted files.' : 'This machine already had this identity; nothing changed.'}
          </span>
        )}
      />

      {st && !st.exists && (
        <div className="button-row">
          <span className="help">First machine, no identity anywhere yet?</span>
          <button type="button" onClick={() => void create.run()} disabled={create.running} data-testid="secrets-identity-create">
            {create.running ? (
              <>
                <Spinner /> Creating…
              </>
            ) : (
              'Create a new identity'
            )}
          </button>
        </div>
      )}
      <ActionStatus
        state={create.state}
        testId="secrets-identity-create-result"
        running="Creating…"
        showRunning={false}
        done={() => <span className="muted">Identity created. Copy it to your other machines with Show identity.</span>}
      />
    </section>
  );
}

/**
 * "Encrypt this file instead": the file held back for a secret is stored encrypted from now on
 * (secrets:add). The result is shown by the section (`onDone`): the finding, and this row with it,
 * goes away as soon as the file is encrypted.
 */
function EncryptInstead({ path, onDone }: { path: string; onDone(message: string): void }) {
  const api = useApi();
  const act = useAction(async () => {
    const r = await api.invoke('secrets:add', { path });
    onDone(r.message);
    return r;
  });
  const name = path.split('/').pop() ?? path;
  return (
    <>
      <button type="button" onClick={() => void act.run()} disabled={act.running || act.state.status === 'done'} data-testid="health-secret-encrypt" aria-label={`Encrypt ${name} instead`}>
        Encrypt this file instead
      </button>
      <ActionStatus state={act.state} running="Encrypting…" showRunning done={() => null} testId="health-secret-encrypt-status" />
    </>
  );
}
