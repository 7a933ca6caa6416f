import { describe, expect, it } from 'vitest';
import { cleanErrorMessage, fieldErrors } from '../../../renderer/lib/host-errors';

describe('host error messages', () => {
  it('removes transport wrapping', () => {
    expect(cleanErrorMessage("Error invoking remote method 'settings:update': ContractError: bad")).toBe('bad');
    expect(cleanErrorMessage('Error: x')).toBe('x');
    expect(cleanErrorMessage('plain')).toBe('plain');
  });

  it('finds the settings keys a ConfigError names', () => {
    const msg =
      '/tmp/c/config.json: key "sync.intervalSec": sync.intervalSec: Too small: expected number to be >=10; sync.debounceMs: Too small: expected number to be >=50';
    expect(fieldErrors(msg, ['sync.intervalSec', 'sync.debounceMs', 'startAtLogin'])).toEqual({
      'sync.intervalSec': 'Too small: expected number to be >=10',
      'sync.debounceMs': 'Too small: expected number to be >=50',
    });
  });

  it('uses the whole message when a key is named without a reason segment', () => {
    const msg = '/c/config.json: key "remote.branch": cannot save';
    expect(fieldErrors(msg, ['remote.branch'])).toEqual({ 'remote.branch': msg });
  });

  it('does not confuse a key with a longer one that ends the same', () => {
    expect(fieldErrors('peers.urls.0: Invalid URL', ['urls.0'])).toEqual({});
    expect(fieldErrors('remote.url: Too small', ['remote.url', 'url'])).toEqual({ 'remote.url': 'Too small' });
  });

  it('drops the kept-aside note', () => {
    expect(fieldErrors('x: key "startAtLogin": startAtLogin: Invalid input (a copy was kept at /c/config.json.invalid-1)', ['startAtLogin'])).toEqual({
      startAtLogin: 'Invalid input',
    });
  });
});
