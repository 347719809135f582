/**
 * Everything a user reads, in Swedish and English. Swedish unless the user's Google locale is
 * English. `{name}` in a text is replaced by t_(key, {name: ...}).
 */
var STRINGS = {
  sv: {
    'menu.settings': 'Inställningar…',
    'menu.template': 'Skapa mall',
    'menu.check': 'Kontrollera budget',
    'menu.submit': 'Skicka in som ny budgetversion',
    'menu.upload': 'Ladda upp fil…',
    'menu.status': 'Statusöversikt (kansli)',
    'menu.stopStatus': 'Stoppa timuppdatering av status',
    'menu.report': 'Årsrapport (kansli)…',

    'app.name': 'Provrum',
    'error.title': 'Provrum – något gick fel',
    'error.unexpected':
      'Ett oväntat fel inträffade i tillägget. Försök igen; om felet finns kvar, kontakta Reglabs kansli och berätta vad du gjorde. (Teknisk information: {detail})',
    'err.noApi':
      'Tillägget vet inte var Provrum-tjänsten finns. Ange adressen under Provrum › Inställningar.',
    'err.noToken':
      'Du har ingen token sparad. Be Reglabs kansli om en och spara den under Provrum › Inställningar.',
    'err.badUrl':
      'Adressen måste börja med https:// (till exempel https://provrum.example.se). Bara en lokal testserver på den egna datorn får använda http://.',
    'err.network':
      'Kunde inte nå Provrum-tjänsten på {url}. Kontrollera adressen under Provrum › Inställningar och din internetanslutning, och försök igen.',
    'err.401':
      'Din token godkändes inte – den saknas, är felskriven eller har återkallats. Be Reglabs kansli om en ny och spara den under Provrum › Inställningar.',
    'err.403': 'Din organisation får inte göra det här. {detail}',
    'err.404': 'Det du frågade efter finns inte (längre). {detail}',
    'err.409': 'Det gick inte att genomföra. {detail}',
    'err.413': 'Filen är för stor. {detail}',
    'err.415': 'Filen kunde inte tas emot. {detail}',
    'err.server':
      'Provrum-tjänsten svarade med ett fel (HTTP {status}). Försök igen om en stund; om felet finns kvar, kontakta Reglabs kansli.',
    'err.other': 'Provrum-tjänsten svarade oväntat (HTTP {status}). {detail}',
    'err.notJson': 'Provrum-tjänsten svarade med något som inte gick att läsa. Är adressen rätt?',
    'err.export':
      'Kalkylarket kunde inte exporteras till .xlsx (HTTP {status}). Ladda ned det via Arkiv › Ladda ned › Microsoft Excel och använd Provrum › Ladda upp fil.',
    'err.tooLargeLocal': 'Filen är {size} – gränsen är 5 MB. Ta bort bilder eller onödiga blad och försök igen.',
    'err.fileType': 'Välj en arbetsbok: .xlsx, .xlsm, .xls eller .ods.',
    'err.noFile': 'Välj en fil först.',
    'err.year': 'Skriv ett årtal, till exempel {year}.',
    'err.notLinked': 'Kalkylarket är inte kopplat till något provrum.',
    'findings.more': '… och {count} till.',

    'settings.title': 'Provrum – inställningar',
    'settings.api': 'Adress till Provrum-tjänsten',
    'settings.apiHelp': 'Får du av Reglabs kansli, till exempel https://provrum.example.se',
    'settings.token': 'Din token',
    'settings.tokenHelp': 'Personlig nyckel från Reglabs kansli. Den sparas bara för dig.',
    'settings.tokenSaved': 'En token är sparad (slutar på …{tail}). Lämna tomt för att behålla den.',
    'settings.link': 'Koppla kalkylarket till ett provrum',
    'settings.linkHelp':
      'Då kan du skicka in budgeten som en ny budgetversion i provrummet (Skicka in som ny budgetversion); Kontrollera budget sparar aldrig. Bara provrumsledaren kan skicka in.',
    'settings.noLink': 'Inget – bara kontrollera',
    'settings.save': 'Spara och testa anslutningen',
    'settings.close': 'Stäng',
    'settings.saving': 'Sparar och testar …',
    'settings.ok': 'Sparat. Inloggad som {who}. Anslutningen fungerar – du ser {count} provrum.',
    'settings.okLinked': 'Sparat. Inloggad som {who}. Kalkylarket är kopplat till ”{title}”.',
    'settings.who': '{name} ({membership})',
    'membership.member': 'medlem',
    'membership.partner': 'partner',
    'membership.kansli': 'kansliet',
    'settings.savedButFailed': 'Inställningarna sparades, men anslutningen fungerar inte: {message}',

    'template.replaceTitle': 'Ersätta bladen?',
    'template.replace':
      'Bladen {sheets} finns redan och skrivs över med en tom mall. Allt som står i dem försvinner. Fortsätta?',
    'template.done': 'Mallen är klar: fyll i Projektplan, Deltagare och Budget, och välj sedan Kontrollera budget.',

    'check.sheet': 'Kontroll',
    'check.title': 'Kontroll av projektplan och budget',
    'check.result': 'Resultat',
    'check.ok': 'Inga fel',
    'check.warnings': 'Inga fel, {warnings}',
    'check.errors': 'Fel som måste rättas före start',
    'check.when': 'Kontrollerad',
    'check.file': 'Kontrollerat',
    'check.thisSpreadsheet': 'Det här kalkylarket (”{name}”)',
    'check.uploadedFile': 'Uppladdad fil ”{name}”',
    'check.stored': 'Sparad',
    'check.storedYes': 'Som version {version} i provrummet ”{title}”',
    'check.storedNo': 'Nej – bara kontrollerad (Skicka in som ny budgetversion sparar den i provrummet som kalkylarket är kopplat till)',
    'submit.notLinked': 'Kalkylarket är inte kopplat till något provrum. Koppla det under Inställningar, och skicka sedan in budgeten.',
    'submit.toast': 'Sparad som version {version}.',
    'check.total': 'Total budget',
    'check.base': 'Reglabs basfinansiering',
    'check.participants': 'Deltagare',
    'check.participantsValue': '{participants}, varav {regions}',
    'check.ruleset': 'Regelverk',
    'check.rule': 'Regel',
    'check.severity': 'Allvarlighet',
    'check.message': 'Meddelande',
    'check.where': 'Var',
    'check.none': 'Inga anmärkningar – allt stämmer med reglerna för provrum.',
    'check.inFile': '{place} (i filen)',
    'check.toast': '{verdict}. Se bladet {sheet}.',
    'check.toastCounts': '{verdict}: {errors}, {warnings}. Se bladet {sheet}.',
    'count.errors.one': '{n} fel',
    'count.errors.other': '{n} fel',
    'count.warnings.one': '{n} varning',
    'count.warnings.other': '{n} varningar',
    'count.regions.one': '{n} region',
    'count.regions.other': '{n} regioner',
    'severity.error': 'Fel',
    'severity.warning': 'Varning',
    'severity.info': 'Info',
    'note.head': 'Provrum, kontroll {when}:',

    'sidebar.title': 'Provrum – ladda upp fil',
    'sidebar.intro': 'Välj projektplan och budget som arbetsbok (.xlsx, .ods eller .xls) från datorn.',
    'sidebar.choose': 'Välj fil',
    'sidebar.send': 'Kontrollera',
    'sidebar.store': 'Spara som ny budgetversion i ”{title}”',
    'sidebar.notLinked': 'Filen kontrolleras men sparas inte (kalkylarket är inte kopplat till något provrum).',
    'sidebar.sending': 'Kontrollerar ”{name}” …',
    'sidebar.result': 'Resultat för ”{name}”',
    'sidebar.storedAs': 'Sparad som version {version}.',
    'sidebar.seeSheet': 'Alla anmärkningar står också i bladet {sheet}.',
    'sidebar.none': 'Inga anmärkningar.',
    'sidebar.limit': 'Högst 5 MB.',

    'status.sheet': 'Status',
    'status.title': 'Provrum – statusöversikt',
    'status.updated': 'Senast uppdaterad {when} · uppdateras automatiskt varje timme',
    'status.updatedManual': 'Senast uppdaterad {when}',
    'status.failed': 'Uppdateringen {when} misslyckades: {message}',
    'status.empty': 'Inga provrum ännu.',
    'status.toast': 'Statusöversikten är uppdaterad ({count} provrum) och uppdateras nu varje timme.',
    'status.stopped': 'Timuppdateringen är avstängd. Välj Statusöversikt för att starta den igen.',
    'status.notRunning': 'Ingen timuppdatering var igång.',
    'col.title': 'Provrum',
    'col.status': 'Status',
    'col.ready': 'Redo att starta',
    'col.canStart': 'Kan få klartecken',
    'col.canStartWhy': 'Varför inte (enligt reglerna)',
    'col.leader': 'Provrumsledare',
    'col.participants': 'Deltagare',
    'col.regions': 'Regioner',
    'col.start': 'Start',
    'col.end': 'Slut',
    'col.total': 'Total budget',
    'col.base': 'Basfinansiering',
    'col.verdict': 'Budgetkontroll',
    'col.errors': 'Fel',
    'col.warnings': 'Varningar',
    'col.versions': 'Budgetversioner',
    'col.year': 'Kvotår',
    'col.overdue': 'Resultat försenat',
    'col.id': 'Id',
    'status.proposed': 'Föreslaget',
    'status.running': 'Pågår',
    'status.reported': 'Rapporterat',
    'status.withdrawn': 'Återtaget',
    'verdict.ok': 'OK',
    'verdict.warnings': 'Varningar',
    'verdict.errors': 'Fel',
    'verdict.none': 'Ingen budget',
    'yes': 'Ja',
    'no': 'Nej',

    'report.promptTitle': 'Årsrapport',
    'report.prompt': 'Vilket år? Lämna tomt för {year}.',
    'report.sheet': 'Årsrapport {year}',
    'report.title': 'Årsrapport {year} – provrum och Reglabs basfinansiering',
    'report.fetched': 'Hämtad {when} · regelverk {ruleset}',
    'report.provrumBlock': 'Provrum',
    'report.started': 'Startade',
    'report.quota': 'Kvot',
    'report.left': 'Kvar',
    'report.baseBlock': 'Basfinansiering',
    'report.granted': 'Beviljad',
    'report.cap': 'Tak',
    'report.members': 'Medlemmar',
    'report.perMember': 'Kostnad utslaget per medlem',
    'report.reference': 'Modellens kostnad utslaget per medlem',
    'report.phase': 'Utvecklingsfas',
    'report.list': 'Provrum som startat {year}',
    'report.noneStarted': 'Inga provrum har startat {year}.',
    'report.overdue': 'Resultat som dröjer',
    'report.daysOverdue': 'Dagar sedan slut',
    'report.noneOverdue': 'Inga resultat dröjer.',
    'report.chartProvrum': 'Provrum {year}: startade mot kvoten',
    'report.chartBase': 'Basfinansiering {year} (kr): beviljad mot taket',
    'report.toast': 'Årsrapporten för {year} finns i bladet {sheet}.'
  },
  en: {
    'menu.settings': 'Settings…',
    'menu.template': 'Create template',
    'menu.check': 'Check budget',
    'menu.submit': 'Submit as a new budget version',
    'menu.upload': 'Upload file…',
    'menu.status': 'Status overview (kansli)',
    'menu.stopStatus': 'Stop hourly status refresh',
    'menu.report': 'Annual report (kansli)…',

    'app.name': 'Provrum',
    'error.title': 'Provrum – something went wrong',
    'error.unexpected':
      "An unexpected error happened in the add-on. Try again; if it persists, contact Reglab's kansli and say what you did. (Technical detail: {detail})",
    'err.noApi': 'The add-on does not know where the Provrum service is. Enter its address under Provrum › Settings.',
    'err.noToken': "You have no token saved. Ask Reglab's kansli for one and save it under Provrum › Settings.",
    'err.badUrl':
      'The address must start with https:// (for example https://provrum.example.se). Only a local test server on your own computer may use http://.',
    'err.network':
      'Could not reach the Provrum service at {url}. Check the address under Provrum › Settings and your internet connection, and try again.',
    'err.401':
      "Your token was not accepted – it is missing, mistyped or revoked. Ask Reglab's kansli for a new one and save it under Provrum › Settings.",
    'err.403': 'Your organisation may not do this. {detail}',
    'err.404': 'What you asked for does not exist (any more). {detail}',
    'err.409': 'This could not be done. {detail}',
    'err.413': 'The file is too large. {detail}',
    'err.415': 'The file could not be accepted. {detail}',
    'err.server':
      "The Provrum service answered with an error (HTTP {status}). Try again in a while; if it persists, contact Reglab's kansli.",
    'err.other': 'The Provrum service answered unexpectedly (HTTP {status}). {detail}',
    'err.notJson': 'The Provrum service answered with something unreadable. Is the address right?',
    'err.export':
      'The spreadsheet could not be exported as .xlsx (HTTP {status}). Download it with File › Download › Microsoft Excel and use Provrum › Upload file.',
    'err.tooLargeLocal': 'The file is {size} – the limit is 5 MB. Remove images or unneeded sheets and try again.',
    'err.fileType': 'Choose a workbook: .xlsx, .xlsm, .xls or .ods.',
    'err.noFile': 'Choose a file first.',
    'err.year': 'Enter a year, for example {year}.',
    'err.notLinked': 'The spreadsheet is not linked to a provrum.',
    'findings.more': '… and {count} more.',

    'settings.title': 'Provrum – settings',
    'settings.api': 'Address of the Provrum service',
    'settings.apiHelp': "From Reglab's kansli, for example https://provrum.example.se",
    'settings.token': 'Your token',
    'settings.tokenHelp': "Personal key from Reglab's kansli. It is saved for you only.",
    'settings.tokenSaved': 'A token is saved (ends in …{tail}). Leave empty to keep it.',
    'settings.link': 'Link this spreadsheet to a provrum',
    'settings.linkHelp': "You can then submit the budget as a new budget version of the provrum (Submit as a new budget version); Check budget never stores. Only the provrum's leader can submit.",
    'settings.noLink': 'None – only check',
    'settings.save': 'Save and test the connection',
    'settings.close': 'Close',
    'settings.saving': 'Saving and testing …',
    'settings.ok': 'Saved. Signed in as {who}. The connection works – you see {count} provrum.',
    'settings.okLinked': 'Saved. Signed in as {who}. This spreadsheet is linked to “{title}”.',
    'settings.who': '{name} ({membership})',
    'membership.member': 'member',
    'membership.partner': 'partner',
    'membership.kansli': 'the kansli',
    'settings.savedButFailed': 'The settings were saved, but the connection does not work: {message}',

    'template.replaceTitle': 'Replace the sheets?',
    'template.replace': 'The sheets {sheets} exist and will be overwritten with a blank template. Everything in them is lost. Continue?',
    'template.done': 'The template is ready: fill in Project plan, Participants and Budget, then choose Check budget.',

    'check.sheet': 'Check',
    'check.title': 'Check of the project plan and budget',
    'check.result': 'Result',
    'check.ok': 'No errors',
    'check.warnings': 'No errors, {warnings}',
    'check.errors': 'Errors to fix before the start',
    'check.when': 'Checked',
    'check.file': 'Checked',
    'check.thisSpreadsheet': 'This spreadsheet (“{name}”)',
    'check.uploadedFile': 'Uploaded file “{name}”',
    'check.stored': 'Saved',
    'check.storedYes': 'As version {version} of the provrum “{title}”',
    'check.storedNo': 'No – only checked (Submit as a new budget version stores it in the provrum the spreadsheet is linked to)',
    'submit.notLinked': 'The spreadsheet is not linked to a provrum. Link it under Settings, then submit the budget.',
    'submit.toast': 'Stored as version {version}.',
    'check.total': 'Total budget',
    'check.base': "Reglab's base funding",
    'check.participants': 'Participants',
    'check.participantsValue': '{participants}, of which {regions}',
    'check.ruleset': 'Rule set',
    'check.rule': 'Rule',
    'check.severity': 'Severity',
    'check.message': 'Message',
    'check.where': 'Where',
    'check.none': 'No remarks – everything follows the provrum rules.',
    'check.inFile': '{place} (in the file)',
    'check.toast': '{verdict}. See the sheet {sheet}.',
    'check.toastCounts': '{verdict}: {errors}, {warnings}. See the sheet {sheet}.',
    'count.errors.one': '{n} error',
    'count.errors.other': '{n} errors',
    'count.warnings.one': '{n} warning',
    'count.warnings.other': '{n} warnings',
    'count.regions.one': '{n} region',
    'count.regions.other': '{n} regions',
    'severity.error': 'Error',
    'severity.warning': 'Warning',
    'severity.info': 'Info',
    'note.head': 'Provrum, check {when}:',

    'sidebar.title': 'Provrum – upload file',
    'sidebar.intro': 'Choose the project plan and budget workbook (.xlsx, .ods or .xls) from your computer.',
    'sidebar.choose': 'Choose file',
    'sidebar.send': 'Check',
    'sidebar.store': 'Save as a new budget version of “{title}”',
    'sidebar.notLinked': 'The file is checked but not saved (this spreadsheet is not linked to a provrum).',
    'sidebar.sending': 'Checking “{name}” …',
    'sidebar.result': 'Result for “{name}”',
    'sidebar.storedAs': 'Saved as version {version}.',
    'sidebar.seeSheet': 'All remarks are also in the sheet {sheet}.',
    'sidebar.none': 'No remarks.',
    'sidebar.limit': 'At most 5 MB.',

    'status.sheet': 'Status',
    'status.title': 'Provrum – status overview',
    'status.updated': 'Last updated {when} · refreshed automatically every hour',
    'status.updatedManual': 'Last updated {when}',
    'status.failed': 'The refresh at {when} failed: {message}',
    'status.empty': 'No provrum yet.',
    'status.toast': 'The status overview is updated ({count} provrum) and now refreshes every hour.',
    'status.stopped': 'The hourly refresh is off. Choose Status overview to start it again.',
    'status.notRunning': 'No hourly refresh was running.',
    'col.title': 'Provrum',
    'col.status': 'Status',
    'col.ready': 'Ready to start',
    'col.canStart': 'Can be approved',
    'col.canStartWhy': 'Why not (by the rules)',
    'col.leader': 'Leader',
    'col.participants': 'Participants',
    'col.regions': 'Regions',
    'col.start': 'Start',
    'col.end': 'End',
    'col.total': 'Total budget',
    'col.base': 'Base funding',
    'col.verdict': 'Budget check',
    'col.errors': 'Errors',
    'col.warnings': 'Warnings',
    'col.versions': 'Budget versions',
    'col.year': 'Quota year',
    'col.overdue': 'Result overdue',
    'col.id': 'Id',
    'status.proposed': 'Proposed',
    'status.running': 'Running',
    'status.reported': 'Reported',
    'status.withdrawn': 'Withdrawn',
    'verdict.ok': 'OK',
    'verdict.warnings': 'Warnings',
    'verdict.errors': 'Errors',
    'verdict.none': 'No budget',
    'yes': 'Yes',
    'no': 'No',

    'report.promptTitle': 'Annual report',
    'report.prompt': 'Which year? Leave empty for {year}.',
    'report.sheet': 'Annual report {year}',
    'report.title': "Annual report {year} – provrum and Reglab's base funding",
    'report.fetched': 'Fetched {when} · rule set {ruleset}',
    'report.provrumBlock': 'Provrum',
    'report.started': 'Started',
    'report.quota': 'Quota',
    'report.left': 'Left',
    'report.baseBlock': 'Base funding',
    'report.granted': 'Granted',
    'report.cap': 'Cap',
    'report.members': 'Members',
    'report.perMember': 'Cost spread per member',
    'report.reference': "The model's cost spread per member",
    'report.phase': 'Development phase',
    'report.list': 'Provrum started in {year}',
    'report.noneStarted': 'No provrum started in {year}.',
    'report.overdue': 'Results overdue',
    'report.daysOverdue': 'Days since the end',
    'report.noneOverdue': 'No results are overdue.',
    'report.chartProvrum': 'Provrum {year}: started against the quota',
    'report.chartBase': 'Base funding {year} (kr): granted against the cap',
    'report.toast': 'The annual report for {year} is in the sheet {sheet}.'
  }
};

/**
 * 'en' when the user's Google locale is English, 'sv' otherwise. A time-driven trigger may not
 * know the locale; it then uses the language the user last worked in.
 */
function lang_() {
  var locale = '';
  try {
    locale = String(Session.getActiveUserLocale() || '');
  } catch (e) {
    locale = '';
  }
  if (!locale) {
    return PropertiesService.getUserProperties().getProperty('provrum.lang') === 'en' ? 'en' : 'sv';
  }
  return locale.toLowerCase().indexOf('en') === 0 ? 'en' : 'sv';
}

/** Remembers the user's language for the hourly refresh, which runs without a locale. */
function rememberLang_() {
  PropertiesService.getUserProperties().setProperty('provrum.lang', lang_());
}

/** The text `key` in the user's language, with `{name}` replaced from `params`. */
function t_(key, params) {
  var table = STRINGS[lang_()];
  var text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : STRINGS.sv[key];
  if (text === undefined) {
    throw new Error('no text for ' + key);
  }
  return text.replace(/\{(\w+)\}/g, function (whole, name) {
    return params && params[name] !== undefined && params[name] !== null ? String(params[name]) : whole;
  });
}

/**
 * The word for a value the API sends (`status.running`, `verdict.ok`); a value this version of
 * the add-on does not know yet is shown as the API wrote it, rather than failing.
 */
function word_(prefix, value) {
  var key = prefix + '.' + value;
  return Object.prototype.hasOwnProperty.call(STRINGS.sv, key) ? t_(key) : String(value);
}

/**
 * A count with its noun in agreement, in the user's language: count_('warnings', 1) is
 * `1 varning`, count_('warnings', 2) is `2 varningar`. Every count a user reads goes through here.
 */
function count_(what, n) {
  return t_('count.' + what + (Number(n) === 1 ? '.one' : '.other'), { n: n });
}

/** The texts whose keys start with one of `prefixes`, for the HTML dialogs. */
function strings_(prefixes) {
  var table = STRINGS[lang_()];
  var out = {};
  Object.keys(table).forEach(function (key) {
    if (prefixes.some(function (p) { return key.indexOf(p) === 0; })) {
      out[key] = table[key];
    }
  });
  return out;
}

/** `100 000 kr` from öre, the way amounts are shown to Reglab's users, in either language. */
function kronor_(ore) {
  if (ore === null || ore === undefined) {
    return '';
  }
  var negative = ore < 0;
  var whole = Math.floor(Math.abs(ore) / 100);
  var cents = Math.abs(ore) % 100;
  var digits = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return (negative ? '-' : '') + digits + (cents ? ',' + (cents < 10 ? '0' : '') + cents : '') + ' kr';
}

/**
 * The number format for whole kronor that shows `100 000 kr` whatever the spreadsheet's locale
 * (a `#,##0` format would show `100,000` in an English-locale spreadsheet).
 */
var KRONOR_FORMAT = '[>=1000000]0" "000" "000" kr";[>=1000]0" "000" kr";0" kr"';
var DATE_FORMAT = 'yyyy-mm-dd';
