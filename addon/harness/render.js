// Draws a sheet of the fake model as HTML that looks like Google Sheets, so the screenshots in
// docs/ show what the add-on wrote: values through their number formats, colours, conditional
// formatting, merges, notes (the corner mark, and one note opened), frozen rows and charts.
// It is the test harness's drawing of the model, not Google's own rendering.
'use strict';
const A1 = require('./a1');
const { isDate } = require('./sheets');
const { evaluate } = require('./xlsx');

const DEFAULT_WIDTH = 100;
const DEFAULT_HEIGHT = 21;

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function grouped(n) {
  return String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** What Sheets shows for a value under a number format (the formats the add-on uses). */
function shown(value, format, locale) {
  if (value === '' || value === null || value === undefined) return '';
  if (isDate(value)) return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (format && /kr/.test(format)) {
      const sep = /^\[>=/.test(format) || locale.startsWith('sv') ? ' ' : ',';
      return `${value < 0 ? '-' : ''}${grouped(value).replace(/ /g, sep)} kr`;
    }
    if (format === '0') return String(Math.round(value));
    const text = String(Math.round(value * 100) / 100);
    return locale.startsWith('sv') ? text.replace('.', ',') : text;
  }
  return String(value);
}

function conditional(sheet, row, col, text) {
  for (const rule of sheet.getConditionalFormatRules()) {
    const inRange = rule.ranges.some((r) => row >= r.row && row < r.row + r.numRows && col >= r.col && col < r.col + r.numCols);
    if (inRange && rule.when === 'TEXT_EQUAL_TO' && text === rule.text) return rule;
  }
  return null;
}

function chartSvg(sheet, chart) {
  const range = chart.getRanges()[0];
  const values = range.getValues();
  const series = values[0].slice(1);
  const rows = values.slice(1);
  const colours = chart.options.colors || ['#4285f4', '#db4437', '#f4b400'];
  const all = rows.flatMap((r) => r.slice(1)).filter((v) => typeof v === 'number');
  const max = Math.max(1, ...all) * 1.15;
  const W = 440;
  const H = 260;
  const left = 70;
  const bottom = 50;
  const top = 40;
  const plotH = H - top - bottom;
  const plotW = W - left - 20;
  const groupW = plotW / Math.max(1, rows.length);
  const barW = Math.min(70, (groupW * 0.7) / Math.max(1, series.length));
  let bars = '';
  rows.forEach((r, i) => {
    series.forEach((name, j) => {
      const v = typeof r[j + 1] === 'number' ? r[j + 1] : 0;
      const h = (v / max) * plotH;
      const x = left + i * groupW + (groupW - barW * series.length) / 2 + j * barW;
      const y = top + plotH - h;
      const label = chart.options.vAxis && chart.options.vAxis.format === '0' ? String(v) : grouped(v);
      bars += `<rect x="${x}" y="${y}" width="${barW - 6}" height="${h}" fill="${colours[j % colours.length]}"/>`;
      bars += `<text x="${x + (barW - 6) / 2}" y="${y - 5}" text-anchor="middle" font-size="12">${esc(label)}</text>`;
    });
    bars += `<text x="${left + i * groupW + groupW / 2}" y="${top + plotH + 18}" text-anchor="middle" font-size="12">${esc(r[0])}</text>`;
  });
  let ticks = '';
  for (let k = 0; k <= 4; k++) {
    const v = (max / 1.15) * (k / 4);
    const y = top + plotH - (v / max) * plotH;
    const label = chart.options.vAxis && chart.options.vAxis.format === '0' ? (Number.isInteger(v) ? String(v) : '') : grouped(v);
    ticks += `<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="#e0e0e0"/>`;
    ticks += `<text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="#5f6368">${esc(label)}</text>`;
  }
  const legend = series
    .map((name, j) => `<rect x="${left + j * 120}" y="${H - 20}" width="10" height="10" fill="${colours[j % colours.length]}"/><text x="${left + j * 120 + 14}" y="${H - 11}" font-size="12">${esc(name)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" style="background:#fff;border:1px solid #dadce0">`
    + `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(chart.options.title || '')}</text>`
    + ticks + bars + legend + '</svg>';
}

/**
 * The HTML page for `sheet` of `ss`: `rows`×`cols` cells from A1, the sheet tabs below, and
 * optionally one note opened (`openNote: 'C7'`).
 */
function renderSheet(ss, sheet, { rows, cols, openNote = null } = {}) {
  const locale = ss.locale || 'sv_SE';
  const lastRow = rows || Math.max(sheet.getLastRow() + 3, 12);
  const lastCol = cols || Math.max(sheet.getLastColumn() + 1, 6);
  const widths = [];
  for (let c = 1; c <= lastCol; c++) widths.push(sheet.columnWidths[c] || DEFAULT_WIDTH);
  const covered = new Set();
  const spans = new Map();
  for (const m of sheet.merges) {
    spans.set(`${m.row},${m.col}`, m);
    for (let r = m.row; r < m.row + m.numRows; r++) {
      for (let c = m.col; c < m.col + m.numCols; c++) if (r !== m.row || c !== m.col) covered.add(`${r},${c}`);
    }
  }
  let body = '';
  for (let r = 1; r <= lastRow; r++) {
    const height = sheet.rowHeights[r] || DEFAULT_HEIGHT;
    const frozen = sheet.getFrozenRows() === r ? ' frozen' : '';
    body += `<tr style="height:${height}px"><th class="rowhead${frozen}">${r}</th>`;
    for (let c = 1; c <= lastCol; c++) {
      if (covered.has(`${r},${c}`)) continue;
      const cell = sheet.peek(r, c);
      let value = cell.value;
      let link = false;
      if (cell.formula) {
        value = evaluate(ss, sheet, cell.formula);
        link = /^=HYPERLINK/i.test(cell.formula);
        if (value === null) value = cell.formula;
      }
      const text = shown(value, cell.numberFormat, locale);
      const rule = conditional(sheet, r, c, text);
      const style = [];
      const bg = (rule && rule.background) || cell.background;
      if (bg) style.push(`background:${bg}`);
      const colour = (rule && rule.fontColor) || cell.fontColor;
      if (colour) style.push(`color:${colour}`);
      if (cell.fontWeight === 'bold') style.push('font-weight:bold');
      if (cell.fontStyle === 'italic') style.push('font-style:italic');
      if (cell.fontSize) style.push(`font-size:${Math.round(cell.fontSize * 1.33)}px`);
      if (cell.wrap) style.push('white-space:pre-wrap;word-break:break-word');
      const align = cell.hAlign || (typeof value === 'number' ? 'right' : 'left');
      style.push(`text-align:${align}`);
      if (cell.vAlign === 'top') style.push('vertical-align:top');
      if (cell.border) style.push('box-shadow:inset 0 0 0 1px #999');
      const span = spans.get(`${r},${c}`);
      const spanAttr = span ? ` colspan="${span.numCols}" rowspan="${span.numRows}"` : '';
      const ref = A1.a1(r, c);
      const note = cell.note ? '<span class="note"></span>' : '';
      const popup = cell.note && openNote === ref ? `<div class="popup">${esc(cell.note)}</div>` : '';
      const inner = link ? `<span class="link">${esc(text)}</span>` : esc(text);
      // Text that does not wrap runs on over empty cells to its right, as in Sheets.
      const next = sheet.peek(r, c + 1);
      if (!cell.wrap && text && !span && next.isEmpty() && !covered.has(`${r},${c + 1}`)) style.push('overflow:visible;z-index:2');
      body += `<td${spanAttr} style="${style.join(';')}"><div class="c${cell.wrap ? ' wrap' : ''}">${inner}</div>${note}${popup}</td>`;
    }
    body += '</tr>';
  }
  const colgroup = `<col style="width:46px">${widths.map((w) => `<col style="width:${w}px">`).join('')}`;
  let head = '<tr><th class="corner"></th>';
  for (let c = 1; c <= lastCol; c++) head += `<th class="colhead">${A1.columnLetters(c)}</th>`;
  head += '</tr>';
  const charts = sheet.getCharts().map((chart) => {
    const p = chart.position || { row: 1, col: 1 };
    let x = 46;
    for (let c = 1; c < p.col; c++) x += sheet.columnWidths[c] || DEFAULT_WIDTH;
    let y = 22;
    for (let r = 1; r < p.row; r++) y += sheet.rowHeights[r] || DEFAULT_HEIGHT;
    return `<div class="chart" style="left:${x}px;top:${y}px">${chartSvg(sheet, chart)}</div>`;
  }).join('');
  const tabs = ss.getSheets().filter((s) => !s.isSheetHidden())
    .map((s) => `<span class="tab${s === sheet ? ' active' : ''}">${esc(s.getName())}</span>`).join('');
  const total = 46 + widths.reduce((a, b) => a + b, 0);
  return `<!DOCTYPE html><html lang="${locale.slice(0, 2)}"><head><meta charset="utf-8"><style>
  body { margin:0; font-family: Arial, Helvetica, sans-serif; font-size:13px; background:#f8f9fa; }
  .bar { background:#fff; padding:8px 12px; border-bottom:1px solid #dadce0; display:flex; gap:18px; align-items:center; }
  .bar .name { font-size:17px; }
  .bar .menu { color:#444; font-size:13px; }
  .grid { position:relative; width:${total}px; background:#fff; }
  table { border-collapse:collapse; table-layout:fixed; width:${total}px; }
  th { background:#f8f9fa; color:#5f6368; font-weight:normal; font-size:11px; border:1px solid #e0e0e0; }
  th.rowhead.frozen { border-bottom:3px solid #bdc1c6; }
  td { border:1px solid #e2e3e3; padding:0 3px; position:relative; overflow:hidden; white-space:nowrap; }
  td .c { overflow:hidden; text-overflow:clip; }
  td[style*="overflow:visible"] .c { overflow:visible; }
  .link { color:#1155cc; text-decoration:underline; }
  .note { position:absolute; top:0; right:0; border-left:6px solid transparent; border-top:6px solid #000; }
  .popup { position:absolute; z-index:5; left:60%; top:70%; width:320px; background:#fff; border:1px solid #bbb;
           box-shadow:0 2px 6px rgba(0,0,0,.3); padding:8px; white-space:pre-wrap; font-weight:normal; text-align:left; color:#202124; }
  td:has(.popup) { overflow:visible; }
  .chart { position:absolute; z-index:3; }
  .tabs { background:#f1f3f4; border-top:1px solid #dadce0; padding:6px 12px; display:flex; gap:4px; }
  .tab { padding:6px 14px; color:#444; }
  .tab.active { background:#fff; color:#188038; font-weight:bold; border-bottom:3px solid #188038; }
</style></head><body>
<div class="bar"><span class="name">${esc(ss.getName())}</span><span class="menu">${locale.startsWith('en')
    ? 'File&nbsp;&nbsp;Edit&nbsp;&nbsp;View&nbsp;&nbsp;Insert&nbsp;&nbsp;Format&nbsp;&nbsp;Data&nbsp;&nbsp;Tools&nbsp;&nbsp;Extensions&nbsp;›&nbsp;Provrum'
    : 'Arkiv&nbsp;&nbsp;Redigera&nbsp;&nbsp;Visa&nbsp;&nbsp;Infoga&nbsp;&nbsp;Format&nbsp;&nbsp;Data&nbsp;&nbsp;Verktyg&nbsp;&nbsp;Tillägg&nbsp;›&nbsp;Provrum'}</span></div>
<div class="grid"><table><colgroup>${colgroup}</colgroup>${head}${body}</table>${charts}</div>
<div class="tabs">${tabs}</div>
</body></html>`;
}

module.exports = { renderSheet, shown };
