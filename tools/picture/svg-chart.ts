/**
 * A small SVG renderer for dashboard panels in Grafana's dark look: time series (linear or log
 * axis, shaded intervals, dashed threshold lines) and state timelines (one row per series, each
 * cell coloured by its value). Pure: data in, SVG text out; render-dashboard.ts rasterises it.
 */

export type Point = [time: number, value: number];

export interface Line {
  name: string;
  points: Point[];
  color: string;
  width?: number;
  dashed?: boolean;
  /** Drawn as a shaded band to `band.to` (a second points list at the same times), without a line of its own. */
  band?: { to: Point[]; opacity?: number };
  /** Left out of the legend. */
  hidden?: boolean;
}

export interface TimeSeriesPanel {
  kind: 'timeseries';
  title: string;
  lines: Line[];
  scale: 'linear' | 'log';
  unit: 'none' | 'percent';
  /** Horizontal dashed lines, e.g. alpha = 0.05. */
  thresholds?: { value: number; color: string; label?: string }[];
  min?: number;
  max?: number;
  /** Columns the panel spans (of Figure.columns). */
  span?: number;
}

export interface StatePanel {
  kind: 'state';
  title: string;
  rows: { name: string; points: Point[] }[];
  /** Value → colour of a cell. */
  color: (value: number) => string;
  legend: { label: string; color: string }[];
  span?: number;
}

export type Panel = TimeSeriesPanel | StatePanel;

export interface Figure {
  title: string;
  subtitle: string;
  footer: string;
  /** The time axis shared by every panel (epoch seconds). */
  from: number;
  to: number;
  /** Shaded time ranges drawn behind every panel, labelled at the top of each. */
  spans: { from: number; to: number; label: string; color: string }[];
  panels: Panel[];
  columns: number;
  width: number;
}

export const THEME = {
  background: '#111217',
  panel: '#181b1f',
  border: '#2c3235',
  grid: '#2c3235',
  text: '#ccccdc',
  dim: '#8e8e99',
  font: 'DejaVu Sans, Verdana, sans-serif',
};

/** Grafana's classic palette, in its order. */
export const PALETTE = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2', '#b877d9', '#705da0', '#37872d', '#fade2a', '#447ebc', '#c4162a'];

const PANEL_HEIGHT: Record<Panel['kind'], (p: Panel) => number> = {
  timeseries: () => 250,
  state: (p) => 70 + 22 * (p as StatePanel).rows.length,
};

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Rough width of a string in DejaVu Sans at `size` px (for laying out legends). */
const textWidth = (s: string, size: number): number => s.length * size * 0.58;
const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();

function text(x: number, y: number, s: string, o: { size?: number; color?: string; anchor?: 'start' | 'middle' | 'end'; weight?: string } = {}): string {
  return `<text x="${f1(x)}" y="${f1(y)}" font-size="${o.size ?? 12}" fill="${o.color ?? THEME.text}" text-anchor="${o.anchor ?? 'start'}"${o.weight ? ` font-weight="${o.weight}"` : ''}>${esc(s)}</text>`;
}

function clockLabel(t: number): string {
  return new Date(t * 1000).toISOString().slice(11, 19);
}

/** Tick times: a round step giving about `count` ticks. */
function timeTicks(from: number, to: number, count: number): number[] {
  const raw = (to - from) / count;
  const step = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600].find((s) => s >= raw) ?? 600;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

function niceLinearTicks(min: number, max: number, count: number): number[] {
  const span = max - min || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

function formatValue(v: number, unit: TimeSeriesPanel['unit'], scale: TimeSeriesPanel['scale']): string {
  if (unit === 'percent') return `${Math.round(v * 1000) / 10}%`;
  if (scale === 'log') {
    const e = Math.round(Math.log10(v));
    return e === 0 ? '1' : e === -1 ? '0.1' : e === -2 ? '0.01' : `1e${e}`;
  }
  if (v === 0) return '0';
  if (Math.abs(v) >= 100) return Math.round(v).toString();
  return (Math.round(v * 100) / 100).toString();
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The frame, title and phase shading of a panel; returns the plot area. */
function frame(out: string[], box: Box, title: string, fig: Figure, plotInsets: { left: number; bottom: number; top: number }): Box {
  out.push(`<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="4" fill="${THEME.panel}" stroke="${THEME.border}"/>`);
  out.push(text(box.x + 10, box.y + 20, title, { size: 13, weight: 'bold' }));
  const plot = { x: box.x + plotInsets.left, y: box.y + plotInsets.top, w: box.w - plotInsets.left - 14, h: box.h - plotInsets.top - plotInsets.bottom };
  const tx = (t: number): number => plot.x + ((t - fig.from) / (fig.to - fig.from)) * plot.w;
  for (const s of fig.spans) {
    const x0 = Math.max(plot.x, tx(s.from));
    const x1 = Math.min(plot.x + plot.w, tx(s.to));
    if (x1 <= x0) continue;
    out.push(`<rect x="${f1(x0)}" y="${plot.y}" width="${f1(x1 - x0)}" height="${plot.h}" fill="${s.color}" fill-opacity="0.12"/>`);
    out.push(`<line x1="${f1(x0)}" y1="${plot.y}" x2="${f1(x0)}" y2="${plot.y + plot.h}" stroke="${s.color}" stroke-opacity="0.7" stroke-dasharray="3 3"/>`);
    out.push(text(x0 + 4, plot.y - 4, s.label, { size: 10, color: s.color }));
  }
  for (const t of timeTicks(fig.from, fig.to, Math.max(3, Math.floor(plot.w / 110)))) {
    out.push(text(tx(t), plot.y + plot.h + 14, clockLabel(t), { size: 10, color: THEME.dim, anchor: 'middle' }));
  }
  return plot;
}

function timeseries(out: string[], box: Box, p: TimeSeriesPanel, fig: Figure): void {
  const legend = p.lines.filter((l) => !l.hidden);
  // Legend rows under the plot.
  const legendRows: Line[][] = [[]];
  let rowWidth = 0;
  for (const l of legend) {
    const w = 26 + textWidth(l.name, 11) + 14;
    if (rowWidth + w > box.w - 60 && legendRows[legendRows.length - 1]!.length > 0) {
      legendRows.push([]);
      rowWidth = 0;
    }
    legendRows[legendRows.length - 1]!.push(l);
    rowWidth += w;
  }
  const legendHeight = legend.length === 0 ? 0 : legendRows.length * 16 + 4;
  const plot = frame(out, box, p.title, fig, { left: 58, top: 30, bottom: 24 + legendHeight });

  const values = p.lines.flatMap((l) => [...l.points, ...(l.band?.to ?? [])].map(([, v]) => v)).filter((v) => Number.isFinite(v) && (p.scale === 'linear' || v > 0));
  for (const th of p.thresholds ?? []) values.push(th.value);
  let lo = p.min ?? Math.min(...values);
  let hi = p.max ?? Math.max(...values);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = p.scale === 'log' ? [0.01, 1] : [0, 1];
  let ticks: number[];
  if (p.scale === 'log') {
    const e0 = Math.floor(Math.log10(lo));
    const e1 = Math.max(Math.ceil(Math.log10(hi)), e0 + 1);
    [lo, hi] = [10 ** e0, 10 ** e1];
    const every = Math.max(1, Math.ceil((e1 - e0) / 6));
    ticks = [];
    for (let e = e1; e >= e0; e -= every) ticks.push(10 ** e);
  } else {
    if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
    const pad = (hi - lo) * 0.05;
    if (p.min === undefined) lo -= pad;
    if (p.max === undefined) hi += pad;
    ticks = niceLinearTicks(lo, hi, 5);
  }
  const ty = (v: number): number => {
    const r = p.scale === 'log' ? (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
    return plot.y + plot.h - Math.min(1, Math.max(0, r)) * plot.h;
  };
  const tx = (t: number): number => plot.x + ((t - fig.from) / (fig.to - fig.from)) * plot.w;
  for (const v of ticks) {
    out.push(`<line x1="${plot.x}" y1="${f1(ty(v))}" x2="${plot.x + plot.w}" y2="${f1(ty(v))}" stroke="${THEME.grid}" stroke-width="1"/>`);
    out.push(text(plot.x - 6, ty(v) + 4, formatValue(v, p.unit, p.scale), { size: 10, color: THEME.dim, anchor: 'end' }));
  }
  for (const th of p.thresholds ?? []) {
    out.push(`<line x1="${plot.x}" y1="${f1(ty(th.value))}" x2="${plot.x + plot.w}" y2="${f1(ty(th.value))}" stroke="${th.color}" stroke-width="1.2" stroke-dasharray="8 6"/>`);
    if (th.label) out.push(text(plot.x + plot.w - 4, ty(th.value) - 4, th.label, { size: 10, color: th.color, anchor: 'end' }));
  }
  out.push(`<clipPath id="clip${Math.round(box.x)}x${Math.round(box.y)}"><rect x="${plot.x}" y="${plot.y}" width="${plot.w}" height="${plot.h}"/></clipPath>`);
  out.push(`<g clip-path="url(#clip${Math.round(box.x)}x${Math.round(box.y)})">`);
  for (const l of p.lines) {
    const pts = l.points.filter(([, v]) => Number.isFinite(v));
    if (l.band) {
      const back = l.band.to.filter(([, v]) => Number.isFinite(v)).slice().reverse();
      const poly = [...pts, ...back].map(([t, v]) => `${f1(tx(t))},${f1(ty(v))}`).join(' ');
      if (pts.length > 1) out.push(`<polygon points="${poly}" fill="${l.color}" fill-opacity="${l.band.opacity ?? 0.15}" stroke="none"/>`);
      continue;
    }
    if (pts.length === 0) continue;
    const d = pts.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${f1(tx(t))},${f1(ty(v))}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="${l.width ?? 1.5}"${l.dashed ? ' stroke-dasharray="8 6"' : ''} stroke-linejoin="round"/>`);
  }
  out.push('</g>');
  let ly = plot.y + plot.h + 32;
  for (const r of legendRows) {
    let lx = plot.x;
    for (const l of r) {
      out.push(`<line x1="${f1(lx)}" y1="${f1(ly - 4)}" x2="${f1(lx + 18)}" y2="${f1(ly - 4)}" stroke="${l.color}" stroke-width="${Math.max(2, l.width ?? 2)}"${l.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
      out.push(text(lx + 24, ly, l.name, { size: 11 }));
      lx += 26 + textWidth(l.name, 11) + 14;
    }
    ly += 16;
  }
}

function stateTimeline(out: string[], box: Box, p: StatePanel, fig: Figure): void {
  const labelWidth = Math.max(40, ...p.rows.map((r) => textWidth(r.name, 11) + 16));
  const plot = frame(out, box, p.title, fig, { left: labelWidth, top: 30, bottom: 40 });
  const tx = (t: number): number => plot.x + ((t - fig.from) / (fig.to - fig.from)) * plot.w;
  const rowH = plot.h / Math.max(1, p.rows.length);
  p.rows.forEach((r, i) => {
    const y = plot.y + i * rowH;
    out.push(text(plot.x - 8, y + rowH / 2 + 4, r.name, { size: 11, anchor: 'end' }));
    const pts = r.points.filter(([t, v]) => Number.isFinite(v) && t <= fig.to);
    pts.forEach(([t, v], j) => {
      const x0 = Math.max(plot.x, tx(t));
      const x1 = Math.min(plot.x + plot.w, j + 1 < pts.length ? tx(pts[j + 1]![0]) : tx(fig.to));
      if (x1 > x0) out.push(`<rect x="${f1(x0)}" y="${f1(y + rowH * 0.1)}" width="${f1(x1 - x0 + 0.3)}" height="${f1(rowH * 0.8)}" fill="${p.color(v)}"/>`);
    });
  });
  let lx = plot.x;
  for (const l of p.legend) {
    out.push(`<rect x="${f1(lx)}" y="${f1(box.y + box.h - 16)}" width="12" height="10" fill="${l.color}"/>`);
    out.push(text(lx + 17, box.y + box.h - 7, l.label, { size: 11 }));
    lx += 30 + textWidth(l.label, 11);
  }
}

/** The whole figure as one SVG document. */
export function renderFigure(fig: Figure): string {
  const pad = 12;
  const header = 58;
  const colWidth = (fig.width - pad * (fig.columns + 1)) / fig.columns;
  const out: string[] = [];
  let x = 0;
  let y = header;
  let rowHeight = 0;
  for (const p of fig.panels) {
    const span = Math.min(fig.columns, p.span ?? 1);
    if (x + span > fig.columns) {
      y += rowHeight + pad;
      x = 0;
      rowHeight = 0;
    }
    const h = PANEL_HEIGHT[p.kind](p);
    const box = { x: pad + x * (colWidth + pad), y, w: colWidth * span + pad * (span - 1), h };
    if (p.kind === 'timeseries') timeseries(out, box, p, fig);
    else stateTimeline(out, box, p, fig);
    rowHeight = Math.max(rowHeight, h);
    x += span;
  }
  const height = y + rowHeight + pad + 22;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fig.width}" height="${Math.ceil(height)}" viewBox="0 0 ${fig.width} ${Math.ceil(height)}" font-family="${THEME.font}">`,
    `<rect width="100%" height="100%" fill="${THEME.background}"/>`,
    text(pad, 26, fig.title, { size: 18, weight: 'bold' }),
    text(pad, 46, fig.subtitle, { size: 12, color: THEME.dim }),
    ...out,
    text(pad, height - 10, fig.footer, { size: 10, color: THEME.dim }),
    '</svg>',
  ].join('\n');
}
