/** Shared start-up for every page: one API (preload or WebSocket), one mirrored store, React root. */
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from '../api/client.js';
import { createRendererStore } from '../store.js';
import { RendererProvider } from '../context.js';
import '../styles.css';

export function bootstrap(render: () => ReactNode): void {
  const api = createApi();
  const rs = createRendererStore(api);
  const el = document.getElementById('root');
  if (!el) throw new Error('#root missing');
  createRoot(el).render(
    <StrictMode>
      <RendererProvider api={api} rs={rs}>
        {render()}
      </RendererProvider>
    </StrictMode>,
  );
}
