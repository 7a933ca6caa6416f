/** Page-level hooks: the preferences tab kept in the URL hash and switched by `ui:show-tab`. */
import { useCallback, useEffect, useState } from 'react';
import { parseTab, type TabId } from './lib/tabs.js';
import { describeState } from './lib/words.js';
import { useApi, useApp } from './context.js';

export function useHashTab(fallback: TabId = 'general'): [TabId, (t: TabId) => void] {
  const [tab, setTabState] = useState<TabId>(() => parseTab(window.location.hash) ?? fallback);
  const api = useApi();
  const setTab = useCallback((t: TabId) => {
    setTabState(t);
    const url = `${window.location.pathname}${window.location.search}#${t}`;
    window.history.replaceState(window.history.state, '', url);
  }, []);
  useEffect(() => {
    const onHash = () => {
      const t = parseTab(window.location.hash);
      if (t) setTabState(t);
    };
    window.addEventListener('hashchange', onHash);
    const off = api.on('ui:show-tab', ({ tab: raw }) => {
      const t = parseTab(raw);
      if (t) setTab(t);
    });
    return () => {
      window.removeEventListener('hashchange', onHash);
      off();
    };
  }, [api, setTab]);
  return [tab, setTab];
}

/** Keeps document.title in step with the state, e.g. "Up to date — ConfSync". */
export function useDocumentTitle(suffix: string): void {
  const app = useApp();
  const label = app ? describeState(app).label : null;
  useEffect(() => {
    document.title = label ? `${label} — ${suffix}` : suffix;
  }, [label, suffix]);
}
