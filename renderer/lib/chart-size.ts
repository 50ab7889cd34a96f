// A uPlot chart follows its element's size: resized once per animation frame while the element
// changes, never below a readable minimum. Returns what undoes it.
import type uPlot from 'uplot';

export function followSize(u: uPlot, el: HTMLElement): () => void {
  let frame = 0;
  const ro = new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      const w = Math.max(100, Math.floor(el.clientWidth));
      const h = Math.max(60, Math.floor(el.clientHeight));
      if (w !== u.width || h !== u.height) u.setSize({ width: w, height: h });
    });
  });
  ro.observe(el);
  return () => {
    cancelAnimationFrame(frame);
    ro.disconnect();
  };
}
