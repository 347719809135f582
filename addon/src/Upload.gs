/**
 * Ladda upp fil: a sidebar where a leader picks a workbook (.xlsx, .ods, .xls) from disk. It is
 * checked (and, for a linked provrum, stored) like the open spreadsheet; the result is shown in
 * the sidebar and written to the Kontroll sheet. The cells are in the file, not in this
 * spreadsheet, so nothing here is marked.
 */

function showUploadSidebar() {
  run_(function () {
    var html = HtmlService.createTemplateFromFile('Sidebar').evaluate().setTitle(t_('sidebar.title'));
    SpreadsheetApp.getUi().showSidebar(html);
  });
}

/** What the sidebar needs before the user picks a file. */
function sidebarInfo() {
  return forDialog_(function () {
    return {
      lang: lang_(),
      strings: strings_(['sidebar.', 'err.', 'check.', 'severity.']),
      linked: linkedProvrum_(),
      maxBytes: MAX_UPLOAD_BYTES
    };
  });
}

/**
 * Checks a file the sidebar read from disk: `file` is {name, base64, store}. Returns what the
 * sidebar shows: the verdict in words, the key figures and the findings.
 */
function checkUploadedFile(file) {
  return forDialog_(function () {
    if (!file || !file.name || typeof file.base64 !== 'string') {
      throw new ProvrumError(t_('err.noFile'));
    }
    var type = workbookType_(file.name);
    if (!type) {
      throw new ProvrumError(t_('err.fileType'));
    }
    // Base64 is 4 characters per 3 bytes: refuse an oversized file before decoding it.
    if (file.base64.length > Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 4) {
      throw new ProvrumError(t_('err.tooLargeLocal', { size: megabytes_((file.base64.length * 3) / 4) }));
    }
    var blob = Utilities.newBlob(Utilities.base64Decode(file.base64), type, String(file.name));
    var linked = linkedProvrum_();
    var target = linked && file.store !== false ? linked : null;
    var result = submitWorkbook_(blob, target && target.id);
    var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
    writeResult_(spreadsheet, result, {
      file: t_('check.uploadedFile', { name: file.name }),
      linked: target,
      inFile: true
    });
    var c = result.compliance;
    return {
      name: String(file.name),
      verdict: c.verdict,
      verdictText: verdictText_(c),
      version: result.version,
      facts: [
        [t_('check.total'), kronor_(c.summary && c.summary.total_budget_ore)],
        [t_('check.base'), kronor_(c.summary && c.summary.base_funding_ore)]
      ].filter(function (f) { return f[1]; }),
      findings: c.findings.map(function (f) {
        return {
          rule: f.rule,
          // The rule's short name, in the server's words ("För hög basfinansiering").
          title: f.title || '',
          severity: f.severity,
          severityText: severityText_(f.severity),
          message: f.message,
          where: place_(f.location)
        };
      }),
      sheet: t_('check.sheet')
    };
  });
}
