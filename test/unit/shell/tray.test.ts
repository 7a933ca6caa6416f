import { describe, expect, it, vi } from 'vitest';
import type { Menu, MenuItemConstructorOptions, NativeImage, Rectangle } from 'electron';
import { buildTrayMenu, type TrayMenuActions } from '../../../electron/shell/tray-menu';
import { TrayController, trayIconFile, type TrayLike } from '../../../electron/shell/tray';
import { conflict, makeState } from './make-state';

function fakeActions() {
  return {
    syncNow: vi.fn(),
    setPaused: vi.fn(),
    openPreferences: vi.fn(),
    openSyncFolder: vi.fn(),
    showLogs: vi.fn(),
    quit: vi.fn(),
    openPopover: vi.fn(),
  } satisfies TrayMenuActions;
}

function item(items: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions {
  const found = items.find((i) => i.id === id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
}

function click(i: MenuItemConstructorOptions) {
  (i.click as unknown as () => void)();
}

describe('buildTrayMenu', () => {
  it('has the items in order, separator before Quit', () => {
    const items = buildTrayMenu(makeState(), fakeActions(), 'darwin');
    expect(items.map((i) => i.label ?? i.type)).toEqual([
      'Sync now',
      'Pause syncing',
      'separator',
      'Preferences…',
      'Open sync folder',
      'Show logs',
      'separator',
      'Quit ConfSync',
    ]);
  });

  it('each click calls its action', () => {
    const a = fakeActions();
    const items = buildTrayMenu(makeState(), a, 'darwin');
    click(item(items, 'sync-now'));
    expect(a.syncNow).toHaveBeenCalledOnce();
    click(item(items, 'pause'));
    expect(a.setPaused).toHaveBeenCalledWith(true);
    click(item(items, 'preferences'));
    expect(a.openPreferences).toHaveBeenCalledWith();
    click(item(items, 'open-sync-folder'));
    expect(a.openSyncFolder).toHaveBeenCalledOnce();
    click(item(items, 'show-logs'));
    expect(a.showLogs).toHaveBeenCalledOnce();
    click(item(items, 'quit'));
    expect(a.quit).toHaveBeenCalledOnce();
  });

  it('Pause/Resume label and action follow the state', () => {
    const a = fakeActions();
    const items = buildTrayMenu(makeState({ paused: true, phase: 'paused' }), a, 'darwin');
    expect(item(items, 'pause').label).toBe('Resume syncing');
    click(item(items, 'pause'));
    expect(a.setPaused).toHaveBeenCalledWith(false);
    // Sync now is off while paused.
    expect(item(items, 'sync-now').enabled).toBe(false);
  });

  it('Sync now is disabled while a sync runs', () => {
    const items = buildTrayMenu(makeState({ phase: 'pulling' }), fakeActions(), 'darwin');
    expect(item(items, 'sync-now')).toMatchObject({ label: 'Syncing…', enabled: false });
  });

  it('offers conflict resolution when there are conflicts, opening the conflicts tab', () => {
    const a = fakeActions();
    const items = buildTrayMenu(makeState({ conflicts: [conflict('a'), conflict('b')] }), a, 'win32');
    const c = item(items, 'conflicts');
    expect(c.label).toBe('Resolve 2 conflicts…');
    click(c);
    expect(a.openPreferences).toHaveBeenCalledWith('conflicts');
  });

  it('on Linux starts with Open ConfSync and a status line (tray clicks do not arrive there)', () => {
    const a = fakeActions();
    const items = buildTrayMenu(makeState({ paused: true }), a, 'linux');
    expect(items[0].label).toBe('Open ConfSync');
    expect(items[1]).toMatchObject({ label: 'Paused', enabled: false });
    click(items[0]);
    expect(a.openPopover).toHaveBeenCalledOnce();
    expect(buildTrayMenu(makeState(), a, 'darwin').some((i) => i.id === 'open')).toBe(false);
  });
});

function fakeTray() {
  const handlers: Record<string, () => void> = {};
  const tray = {
    setImage: vi.fn(),
    setToolTip: vi.fn(),
    setTitle: vi.fn(),
    setContextMenu: vi.fn(),
    popUpContextMenu: vi.fn(),
    getBounds: vi.fn((): Rectangle => ({ x: 100, y: 0, width: 22, height: 24 })),
    on: vi.fn((event: string, fn: () => void) => {
      handlers[event] = fn;
    }),
    destroy: vi.fn(),
  } satisfies TrayLike;
  return { tray, handlers };
}

function setup(platform: NodeJS.Platform, initial = makeState()) {
  const { tray, handlers } = fakeTray();
  const loaded: string[] = [];
  const templates: boolean[] = [];
  const menus: MenuItemConstructorOptions[][] = [];
  const actions = { ...fakeActions(), togglePopover: vi.fn() };
  const controller = new TrayController(
    {
      createTray: () => tray,
      loadImage: (p) => {
        loaded.push(p);
        return { path: p, setTemplateImage: (t: boolean) => templates.push(t) } as unknown as NativeImage;
      },
      buildMenu: (t) => {
        menus.push(t);
        return { template: t } as unknown as Menu;
      },
      platform,
      iconDir: '/assets/tray',
      now: () => 0,
    },
    actions,
    initial,
  );
  return { controller, tray, handlers, loaded, templates, menus, actions };
}

describe('TrayController', () => {
  it('icon files: template images on macOS, coloured elsewhere', () => {
    expect(trayIconFile('syncing', 'darwin', '/a')).toBe('/a/syncingTemplate.png');
    expect(trayIconFile('conflict', 'win32', '/a')).toBe('/a/conflict.png');
    expect(trayIconFile('error', 'linux', '/a')).toBe('/a/error.png');
  });

  it('sets image, tooltip and title; macOS images are template images', () => {
    const { tray, loaded, templates, controller } = setup('darwin');
    expect(loaded).toEqual(['/assets/tray/idleTemplate.png']);
    expect(templates).toEqual([true]);
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Up to date');
    controller.update(makeState({ conflicts: [conflict('a'), conflict('b'), conflict('c')] }));
    expect(loaded.at(-1)).toBe('/assets/tray/conflictTemplate.png');
    expect(tray.setToolTip).toHaveBeenLastCalledWith('3 conflicts need you');
    expect(tray.setTitle).toHaveBeenLastCalledWith('3');
  });

  it('touches the native tray only for what changed, and caches images', () => {
    const { tray, loaded, controller } = setup('win32');
    const calls = () => [tray.setImage.mock.calls.length, tray.setToolTip.mock.calls.length];
    const before = calls();
    controller.update(makeState());
    expect(calls()).toEqual(before);
    controller.update(makeState({ phase: 'pushing' }));
    controller.update(makeState());
    controller.update(makeState({ phase: 'pushing' }));
    expect(loaded).toEqual(['/assets/tray/idle.png', '/assets/tray/syncing.png']);
    expect(tray.setTitle).not.toHaveBeenCalled(); // no titles off macOS
  });

  it('left click toggles the popover; right click pops the menu built from the current state', () => {
    const { handlers, actions, tray, menus, controller } = setup('darwin');
    handlers['click']();
    expect(actions.togglePopover).toHaveBeenCalledOnce();
    controller.update(makeState({ paused: true }));
    handlers['right-click']();
    expect(tray.popUpContextMenu).toHaveBeenCalledOnce();
    expect(menus.at(-1)!.find((i) => i.id === 'pause')!.label).toBe('Resume syncing');
    // Clicking an item of the real menu reaches the action.
    click(menus.at(-1)!.find((i) => i.id === 'pause')!);
    expect(actions.setPaused).toHaveBeenCalledWith(false);
    expect(tray.setContextMenu).not.toHaveBeenCalled();
  });

  it('on Linux attaches the context menu and rebuilds it only when it would change', () => {
    const { tray, menus, controller, actions } = setup('linux');
    expect(tray.setContextMenu).toHaveBeenCalledTimes(1);
    controller.update(makeState());
    expect(menus).toHaveLength(1);
    controller.update(makeState({ paused: true }));
    expect(menus).toHaveLength(2);
    expect(tray.setContextMenu).toHaveBeenCalledTimes(2);
    click(menus[1][0]);
    expect(actions.togglePopover).toHaveBeenCalledOnce();
  });
});
