/**
 * Preferences tabs: ids (used in URLs as #id, in `ui:show-tab`, and in test ids) and labels. `short` is
 * shown instead of a long label in narrow windows (the accessible name stays the label), so the seven
 * tabs fit on one row at 640 px.
 */
export const TABS: readonly { id: 'general' | 'profiles' | 'repository' | 'conflicts' | 'history' | 'km' | 'health'; label: string; short?: string }[] = [
  { id: 'general', label: 'General' },
  { id: 'profiles', label: 'Profiles' },
  { id: 'repository', label: 'Repository' },
  { id: 'conflicts', label: 'Conflicts' },
  { id: 'history', label: 'History' },
  { id: 'km', label: 'Keyboard Maestro', short: 'KM' },
  { id: 'health', label: 'Health' },
];

export type TabId = (typeof TABS)[number]['id'];

const ALIASES: Record<string, TabId> = {
  'keyboard-maestro': 'km',
  keyboardmaestro: 'km',
  repo: 'repository',
  remote: 'repository',
  conflict: 'conflicts',
  errors: 'health',
  status: 'health',
};

/** "#conflicts", "conflicts", "Keyboard-Maestro" → a tab id; anything else → null. */
export function parseTab(raw: string | null | undefined): TabId | null {
  if (!raw) return null;
  const s = raw.replace(/^#/, '').trim().toLowerCase();
  if (TABS.some((t) => t.id === s)) return s as TabId;
  return ALIASES[s] ?? null;
}
