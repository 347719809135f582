// The fake "Drive export": a spreadsheet of the fake model written as a real .xlsx, the way
// Google's File › Download › Microsoft Excel writes one: shared strings, numbers, dates as
// serial numbers with a date format, formulas with their cached results. The real server reads it.
'use strict';
const zlib = require('node:zlib');
const A1 = require('./a1');
const { isDate } = require('./sheets');

/** The value a formula shows, for the few formulas the add-on and the template write. */
function evaluate(spreadsheet, sheet, formula) {
  let m = /^=SUM\(\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)\)$/i.exec(formula);
  if (m) {
    const p = A1.parse(`${m[1]}${m[2]}:${m[3]}${m[4]}`);
    let sum = 0;
    for (let r = p.row; r < p.row + p.numRows; r++) {
      for (let c = p.col; c < p.col + p.numCols; c++) {
        const v = sheet.peek(r, c).value;
        if (typeof v === 'number') sum += v;
      }
    }
    return sum;
  }
  m = /^=IF\((.+?)="","",(.+)\)$/.exec(formula);
  if (m && m[1] === m[2]) {
    const ref = A1.parse(m[1]);
    const source = ref.sheet === null ? sheet : spreadsheet.getSheetByName(ref.sheet);
    return source ? source.peek(ref.row, ref.col).value : '';
  }
  m = /^=HYPERLINK\("((?:[^"]|"")*)","((?:[^"]|"")*)"\)$/.exec(formula);
  if (m) return m[2].replace(/""/g, '"');
  return null;
}

function escapeXml(s) {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

function serial(date) {
  const days = (Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) - Date.UTC(1899, 11, 30)) / 86400000;
  const seconds = date.getHours() * 3600 + date.getMinutes() * 60 + date.getSeconds();
  return days + seconds / 86400;
}

function sheetXml(spreadsheet, sheet, strings) {
  const rows = new Map();
  for (const [key, cell] of sheet.cells) {
    if (cell.isEmpty()) continue;
    const [r, c] = key.split(',').map(Number);
    if (!rows.has(r)) rows.set(r, []);
    rows.get(r).push([c, cell]);
  }
  const out = [];
  for (const r of [...rows.keys()].sort((a, b) => a - b)) {
    const cells = rows.get(r).sort((a, b) => a[0] - b[0]).map(([c, cell]) => {
      const ref = A1.a1(r, c);
      if (cell.formula) {
        const v = evaluate(spreadsheet, sheet, cell.formula);
        const f = `<f>${escapeXml(cell.formula.slice(1))}</f>`;
        if (typeof v === 'number') return `<c r="${ref}">${f}<v>${v}</v></c>`;
        return `<c r="${ref}" t="str">${f}<v>${escapeXml(v === null ? '' : v)}</v></c>`;
      }
      const v = cell.value;
      if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
      if (typeof v === 'boolean') return `<c r="${ref}" t="b"><v>${v ? 1 : 0}</v></c>`;
      if (isDate(v)) return `<c r="${ref}" s="1"><v>${serial(v)}</v></c>`;
      const text = String(v);
      if (!strings.index.has(text)) {
        strings.index.set(text, strings.list.length);
        strings.list.push(text);
      }
      return `<c r="${ref}" t="s"><v>${strings.index.get(text)}</v></c>`;
    });
    out.push(`<row r="${r}">${cells.join('')}</row>`);
  }
  return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    + `<sheetData>${out.join('')}</sheetData></worksheet>`;
}

function workbookXlsx(spreadsheet) {
  const strings = { list: [], index: new Map() };
  const files = [];
  const sheets = spreadsheet.getSheets();
  sheets.forEach((sheet, i) => files.push([`xl/worksheets/sheet${i + 1}.xml`, sheetXml(spreadsheet, sheet, strings)]));
  const sheetEntries = sheets
    .map((s, i) => `<sheet name="${escapeXml(s.getName())}" sheetId="${i + 1}"${s.isSheetHidden() ? ' state="hidden"' : ''} r:id="rId${i + 1}"/>`)
    .join('');
  files.push(['xl/workbook.xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    + `<sheets>${sheetEntries}</sheets></workbook>`]);
  const rels = sheets
    .map((s, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
    .join('');
  const n = sheets.length;
  files.push(['xl/_rels/workbook.xml.rels', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    + rels
    + `<Relationship Id="rId${n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
    + `<Relationship Id="rId${n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`
    + '</Relationships>']);
  files.push(['xl/sharedStrings.xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    + `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings.list.length}" uniqueCount="${strings.list.length}">`
    + strings.list.map((s) => `<si><t xml:space="preserve">${escapeXml(s)}</t></si>`).join('')
    + '</sst>']);
  files.push(['xl/styles.xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    + '<fonts count="1"><font><sz val="10"/><name val="Arial"/></font></fonts>'
    + '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    + '<borders count="1"><border/></borders>'
    + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    + '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    + '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    + '</styleSheet>']);
  files.push(['_rels/.rels', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    + '</Relationships>']);
  const overrides = sheets
    .map((s, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
    .join('');
  files.unshift(['[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    + '<Default Extension="xml" ContentType="application/xml"/>'
    + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    + overrides
    + '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    + '</Types>']);
  return zip(files);
}

/** A zip archive (deflated entries, no zip64) of [name, text] pairs. */
function zip(files) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [name, text] of files) {
    const data = Buffer.from(text, 'utf8');
    const packed = zlib.deflateRawSync(data);
    const crc = zlib.crc32(data);
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(0, 10);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    parts.push(local, nameBytes, packed);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(0, 12);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const centralBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, centralBytes, end]);
}

module.exports = { workbookXlsx, evaluate };
