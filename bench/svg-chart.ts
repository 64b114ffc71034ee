// A small dependency-free SVG line chart for benchmark reports.
export interface Series { name: string, points: Array<[number, number]>, colour?: string }

const COLOURS = ['#4f46e5', '#0891b2', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#475569']

function panel (title: string, unit: string, series: Series[], x0: number, y0: number, w: number, h: number): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]))
  const ys = series.flatMap((s) => s.points.map((p) => p[1]))
  const xMax = Math.max(1, ...xs)
  const yMax = Math.max(1, ...ys) * 1.1
  const sx = (x: number): number => x0 + 50 + (x / xMax) * (w - 60)
  const sy = (y: number): number => y0 + h - 25 - (y / yMax) * (h - 50)
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = sy(f * yMax)
    return `<line x1="${x0 + 50}" x2="${x0 + w - 10}" y1="${y}" y2="${y}" stroke="#e5e7eb"/><text x="${x0 + 45}" y="${y + 4}" text-anchor="end" font-size="10" fill="#6b7280">${(f * yMax).toFixed(yMax < 10 ? 1 : 0)}</text>`
  }).join('')
  const lines = series.map((s, i) => {
    const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ')
    return `<path d="${d}" fill="none" stroke="${s.colour ?? COLOURS[i % COLOURS.length]}" stroke-width="1.8"/>`
  }).join('')
  const legend = series.map((s, i) => `<g transform="translate(${x0 + 60 + i * 120},${y0 + h - 5})"><rect width="10" height="3" y="-4" fill="${s.colour ?? COLOURS[i % COLOURS.length]}"/><text x="14" font-size="10" fill="#374151">${s.name}</text></g>`).join('')
  return `<text x="${x0 + 50}" y="${y0 + 14}" font-size="12" font-weight="600" fill="#111827">${title} (${unit})</text>${grid}` +
    `<text x="${x0 + w - 10}" y="${y0 + h - 12}" text-anchor="end" font-size="10" fill="#6b7280">${xMax.toFixed(0)} s</text>${lines}${legend}`
}

/** Two stacked panels sharing the time axis. */
export function twoPanelChart (top: { title: string, unit: string, series: Series[] }, bottom: { title: string, unit: string, series: Series[] }): string {
  const w = 720
  const h = 220
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${2 * h + 10}" viewBox="0 0 ${w} ${2 * h + 10}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="#fff"/>${panel(top.title, top.unit, top.series, 0, 0, w, h)}${panel(bottom.title, bottom.unit, bottom.series, 0, h + 10, w, h)}</svg>\n`
}
