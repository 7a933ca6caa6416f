/**
 * The preferences window: a keyboard-accessible tablist (arrow keys, Home/End; roving tabindex) and
 * one panel per tab. Only the active panel is mounted, so each tab loads its data when shown.
 *
 * The tabs stay on one row. Where the preferences are narrow (a 640 px window, or the landing page's
 * column: a container query, not the window's width) the tabs get tighter and "Keyboard Maestro"
 * reads "KM" (its accessible name stays the full label). Should they still not fit (larger text), the
 * row scrolls sideways and the selected tab is scrolled into view; it never wraps onto a second row.
 * A badge is part of the tab's accessible name in words: "Conflicts (1 conflict)".
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { plural } from '../../shared/meanings.js';
import { TABS, type TabId } from '../lib/tabs.js';
import { useApp } from '../context.js';
import { GeneralTab } from './GeneralTab.js';
import { ProfilesTab } from './ProfilesTab.js';
import { RepositoryTab } from './RepositoryTab.js';
import { ConflictsTab } from './ConflictsTab.js';
import { HistoryTab } from './HistoryTab.js';
import { KmTab } from './KmTab.js';
import { HealthTab } from './HealthTab.js';

export function Preferences({ tab, onTabChange }: { tab: TabId; onTabChange(tab: TabId): void }) {
  const app = useApp();
  const refs = useRef<Partial<Record<TabId, HTMLButtonElement | null>>>({});

  const move = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = TABS.findIndex((t) => t.id === tab);
    let next = -1;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const id = TABS[next].id;
    onTabChange(id);
    refs.current[id]?.focus();
  };

  useEffect(() => {
    refs.current[tab]?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }, [tab]);

  const conflicts = app?.conflicts.length ?? 0;
  const errors = app ? app.errors.length + (app.configError ? 1 : 0) : 0;

  return (
    <section className="preferences" aria-label="Preferences" data-testid="preferences">
      <div role="tablist" aria-label="Preferences sections" className="tablist" onKeyDown={move}>
        {TABS.map((t) => {
          const selected = t.id === tab;
          const badge = t.id === 'conflicts' && conflicts ? conflicts : t.id === 'health' && errors ? errors : 0;
          const badgeWords = t.id === 'conflicts' ? plural(badge, 'conflict') : plural(badge, 'error');
          return (
            <button
              key={t.id}
              ref={(el) => {
                refs.current[t.id] = el;
              }}
              type="button"
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={selected}
              aria-controls={selected ? `panel-${t.id}` : undefined}
              tabIndex={selected ? 0 : -1}
              data-testid={`tab-${t.id}`}
              className="tab"
              onClick={() => onTabChange(t.id)}
              title={t.short ? t.label : undefined}
              aria-label={badge > 0 ? `${t.label} (${badgeWords})` : t.short ? t.label : undefined}
            >
              {t.short ? (
                <>
                  <span className="tab-label-long">{t.label}</span>
                  <span className="tab-label-short" aria-hidden="true">
                    {t.short}
                  </span>
                </>
              ) : (
                t.label
              )}
              {badge > 0 && (
                <span className={`badge ${t.id === 'conflicts' ? 'badge-warning' : 'badge-error'}`} data-count={badge}>
                  <span className="sr-only"> (</span>
                  {badge.toLocaleString('en-US')}
                  <span className="sr-only">{badgeWords.replace(/^[\d,]+/, '')})</span>
                </span>
              )}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} data-testid={`panel-${tab}`} className="tabpanel" tabIndex={0}>
        {!app ? <p className="muted">Loading…</p> : <Panel tab={tab} />}
      </div>
    </section>
  );
}

function Panel({ tab }: { tab: TabId }) {
  switch (tab) {
    case 'general':
      return <GeneralTab />;
    case 'profiles':
      return <ProfilesTab />;
    case 'repository':
      return <RepositoryTab />;
    case 'conflicts':
      return <ConflictsTab />;
    case 'history':
      return <HistoryTab />;
    case 'km':
      return <KmTab />;
    case 'health':
      return <HealthTab />;
  }
}
