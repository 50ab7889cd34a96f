// What the UI benchmark runs inside the page (plain JavaScript, installed before the app loads):
// the `__fleetsimPerf` hook the renderer reports its store applies to (renderer/lib/perf-probe.ts),
// long tasks and long animation frames (with the scripts that ran in them), frame times from
// requestAnimationFrame, and the user actions the benchmark times (scroll the devices table,
// open the device drawer, open a recorded run). `__fleetsimBench.take()` hands over what was
// gathered since the last take and starts again.
export const PAGE_PROBE = String.raw`
(() => {
  let samples = {};
  let longTasks = [];
  let loafs = [];
  let frames = [];
  let lastFrame = 0;
  window.__fleetsimPerf = {
    record(name, ms) {
      (samples[name] ??= []).push(ms);
    },
  };
  const observe = (type, onEntry) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(onEntry)).observe({ type, buffered: true });
    } catch {}
  };
  observe('longtask', (e) => longTasks.push({ start: e.startTime, duration: e.duration, attribution: (e.attribution || []).map((a) => a.name).join(',') }));
  observe('long-animation-frame', (e) => {
    const scripts = (e.scripts || []).map((s) => ({ invoker: s.invoker || s.invokerType, sourceURL: s.sourceURL || '', sourceFunctionName: s.sourceFunctionName || '', duration: s.duration }));
    loafs.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration, scripts });
  });
  const onFrame = (now) => {
    if (lastFrame) frames.push(now - lastFrame);
    lastFrame = now;
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);

  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  /** Resolves when check() holds (checked on every DOM change), or rejects after ms. */
  const until = (check, ms, what) =>
    new Promise((resolve, reject) => {
      if (check()) return resolve();
      const mo = new MutationObserver(() => {
        if (check()) {
          mo.disconnect();
          clearTimeout(timer);
          resolve();
        }
      });
      const timer = setTimeout(() => {
        mo.disconnect();
        reject(new Error('timed out waiting for ' + what));
      }, ms);
      mo.observe(document.body, { childList: true, subtree: true, attributes: true, characterData: true });
    });
  const $ = (sel) => document.querySelector(sel);
  const $$ = (sel) => Array.from(document.querySelectorAll(sel));
  const visibleRowsFilled = () => {
    const box = $('[data-testid="devices-table"]');
    if (!box) return false;
    const view = box.getBoundingClientRect();
    const rows = $$('[data-testid="devices-table"] .dev-row').filter((r) => {
      const b = r.getBoundingClientRect();
      return b.bottom > view.top && b.top < view.bottom;
    });
    return rows.length > 0 && rows.every((r) => !r.classList.contains('placeholder'));
  };

  window.__fleetsimBench = {
    take() {
      const out = { samples, longTasks, loafs, frames, at: performance.now() };
      samples = {};
      longTasks = [];
      loafs = [];
      frames = [];
      return out;
    },
    devicesTotal() {
      return Number(($('[data-testid="devices-total"]')?.textContent || '0').replace(/[^0-9]/g, ''));
    },
    /** Scrolls the devices table from top to bottom in steps (one per frame); then jumps and waits for the rows each time. */
    async scroll(steps, jumps) {
      const box = $('[data-testid="devices-table"]');
      box.scrollIntoView({ block: 'center' });
      const span = box.scrollHeight - box.clientHeight;
      box.scrollTop = 0;
      await until(visibleRowsFilled, 10000, 'the first rows');
      const started = performance.now();
      for (let i = 1; i <= steps; i++) {
        box.scrollTop = Math.round((span * i) / steps);
        await new Promise((r) => requestAnimationFrame(r));
      }
      const sweepMs = performance.now() - started;
      const reachedBottom = box.scrollTop >= span - 2;
      await until(visibleRowsFilled, 10000, 'rows at the bottom');
      const bottomFilledMs = performance.now() - started - sweepMs;
      const jumpMs = [];
      for (let j = 0; j < jumps; j++) {
        const t0 = performance.now();
        box.scrollTop = Math.round(span * ((j * 0.37 + 0.11) % 1));
        await new Promise((r) => requestAnimationFrame(r));
        await until(visibleRowsFilled, 10000, 'rows after a jump');
        await nextFrame();
        jumpMs.push(performance.now() - t0);
      }
      return { rows: this.devicesTotal(), scrollHeight: box.scrollHeight, sweepMs, bottomFilledMs, jumpMs, reachedBottom };
    },
    /** Opens the drawer of the k-th visible device row; ms from the click to its log rendered, and to the next frame. */
    async openDrawer(k) {
      const rows = $$('[data-testid="device-row"]');
      const row = rows[k % rows.length];
      const id = row.dataset.deviceId;
      const t0 = performance.now();
      row.click();
      await until(() => {
        const d = $('[data-testid="device-drawer"]');
        return d && d.getAttribute('aria-label') === 'device ' + id && d.querySelector('[data-testid="device-log-line"]');
      }, 10000, 'the log of ' + id);
      const renderedMs = performance.now() - t0;
      await nextFrame();
      const paintedMs = performance.now() - t0;
      const lines = $$('[data-testid="device-drawer"] [data-testid="device-log-line"]').length;
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
      await until(() => !$('[data-testid="device-drawer"]'), 5000, 'the drawer to close');
      return { id, renderedMs, paintedMs, lines };
    },
    /** From the live view: opens the Runs view, then the run; ms to the list, and from the click on the run to its charts painted. */
    async openRun(runId) {
      const t0 = performance.now();
      $('[data-testid="nav-runs"]').click();
      const item = () => $('[data-testid="run-item"][data-run-id="' + runId + '"]');
      await until(item, 15000, 'the run in the list');
      await nextFrame();
      const listMs = performance.now() - t0;
      const t1 = performance.now();
      const shown = $('[data-testid="run-detail"]');
      item().click();
      // Opening it again reloads it: wait for the one shown before to go first.
      if (shown) await until(() => !shown.isConnected, 15000, 'the run to reload');
      await until(() => {
        const d = $('[data-testid="run-detail"][data-run-id="' + runId + '"]');
        if (!d) return false;
        const charts = d.querySelectorAll('[data-testid="timeline-chart"]');
        return charts.length > 0 && Array.from(charts).every((c) => c.querySelector('canvas'));
      }, 30000, 'the run with its charts');
      const renderedMs = performance.now() - t1;
      await nextFrame();
      const paintedMs = performance.now() - t1;
      const charts = $$('[data-testid="run-detail"] [data-testid="timeline-chart"]').length;
      $('[data-testid="nav-live"]').click();
      await until(() => $('[data-testid="devices-table"]'), 15000, 'the live view');
      return { listMs, renderedMs, paintedMs, charts };
    },
  };
})();
`;
