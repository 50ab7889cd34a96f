// Renderer entry: picks the FleetApi (Electron IPC or the browser bridge), wires it to the
// stores, and renders the one-screen UI.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import './tls.css';
import './views.css';
import './runs.css';
import './preflight.css';
import './capacity.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { getFleetApi } from './api/index.ts';
import { App } from './components/App.tsx';
import { startSession } from './session.ts';

// zod probes for eval() to speed up parsing; our CSP forbids eval, so skip the probe.
z.config({ jitless: true });

startSession(getFleetApi());

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
