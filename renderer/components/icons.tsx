/**
 * Status shapes. Each tone has its own shape as well as its own colour, so state never rests on colour
 * alone. Icons are decorative (aria-hidden): the words next to them carry the meaning.
 */
import type { Tone } from '../lib/words.js';

export function StatusIcon({ tone, size = 16, spin = false }: { tone: Tone; size?: number; spin?: boolean }) {
  const common = { width: size, height: size, viewBox: '0 0 16 16', 'aria-hidden': true as const, focusable: 'false' as const };
  const cls = `icon tone-${tone}${spin ? ' spin' : ''}`;
  switch (tone) {
    case 'ok': // filled circle with a check mark
      return (
        <svg {...common} className={cls}>
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path d="M4.6 8.3l2.2 2.2 4.6-4.8" fill="none" stroke="var(--icon-ink)" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      );
    case 'busy': // two circular arrows
      return (
        <svg {...common} className={cls}>
          <path d="M13 6.5A5.2 5.2 0 0 0 3.6 5M3 9.5A5.2 5.2 0 0 0 12.4 11" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
          <path d="M3 2.3v3.2h3.2M13 13.7v-3.2H9.8" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      );
    case 'pending': // ring with clock hands
      return (
        <svg {...common} className={cls}>
          <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M8 4.5V8l2.4 1.6" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        </svg>
      );
    case 'paused': // ring with two bars
      return (
        <svg {...common} className={cls}>
          <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M6.4 5.2v5.6M9.6 5.2v5.6" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
      );
    case 'warning': // triangle with exclamation mark
      return (
        <svg {...common} className={cls}>
          <path d="M8 1.6l6.8 12H1.2z" fill="currentColor" strokeLinejoin="round" />
          <path d="M8 6v3.6" stroke="var(--icon-ink)" strokeWidth="1.7" strokeLinecap="round" />
          <circle cx="8" cy="11.6" r="0.95" fill="var(--icon-ink)" />
        </svg>
      );
    case 'error': // octagon with a cross
      return (
        <svg {...common} className={cls}>
          <path d="M5.2 1h5.6L15 5.2v5.6L10.8 15H5.2L1 10.8V5.2z" fill="currentColor" />
          <path d="M5.6 5.6l4.8 4.8M10.4 5.6l-4.8 4.8" stroke="var(--icon-ink)" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
      );
    default: // neutral: hollow ring with a dash
      return (
        <svg {...common} className={cls}>
          <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M5.2 8h5.6" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
      );
  }
}

export function Spinner({ size = 14 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false" className="icon spin">
      <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeOpacity="0.25" strokeWidth="2" />
      <path d="M8 2a6 6 0 0 1 6 6" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}
