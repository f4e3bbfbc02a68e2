// Small formatters shared by the pages.

export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function usd(n: number | undefined): string {
  return n === undefined ? "" : `$${n.toFixed(n < 1 ? 4 : 2)}`;
}

export function when(ms: number | undefined): string {
  return ms === undefined ? "" : `${new Date(ms).toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
