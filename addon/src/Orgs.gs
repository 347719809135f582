/**
 * Organisationer och tokens (the kansli's dialog): Reglab's organisations, adding one, and each
 * organisation's tokens: list them, create one (its secret is shown once, in the dialog), revoke
 * one. The API decides who may do this and what is valid (docs/api.md: /orgs, /orgs/{org}/tokens,
 * /tokens/{id}); the dialog sends what was typed and shows the server's answer.
 */

function showOrgs() {
  run_(function () {
    var html = HtmlService.createTemplateFromFile('Orgs').evaluate().setWidth(720).setHeight(620);
    SpreadsheetApp.getUi().showModalDialog(html, t_('orgs.title'));
  });
}

/** What the dialog shows first: its texts and every organisation. */
function orgsInfo() {
  return forDialog_(function () {
    return {
      lang: lang_(),
      strings: strings_(['orgs.', 'err.', 'kind.', 'membership.']),
      // Whether the user may add organisations and handle tokens, as GET /me says (with why not).
      administer: myActions_(request_('GET', '/me')).administer || { allowed: false, reason: '', findings: [] },
      orgs: orgList_()
    };
  });
}

/**
 * Adds an organisation: `form` is {id, name, kind, membership}, sent as typed (trimmed).
 * Returns {org, orgs}: the new organisation and the list as it is now.
 */
function addOrg(form) {
  return forDialog_(function () {
    form = form || {};
    var created = request_('POST', '/orgs', {
      json: {
        id: String(form.id || '').trim(),
        name: String(form.name || '').trim(),
        kind: String(form.kind || ''),
        membership: String(form.membership || '')
      }
    });
    return { org: orgView_(created), orgs: orgList_() };
  });
}

/** An organisation's tokens, oldest first, revoked ones too; never their secrets. */
function orgTokens(orgId) {
  return forDialog_(function () {
    return requestAll_(orgTokensPath_(orgId)).map(tokenView_);
  });
}

/**
 * Creates a token for `orgId`, labelled `label` (who or what it is for). Returns {id, label,
 * token}: `token` is the secret, which the server shows this once and never again.
 */
function createToken(orgId, label) {
  return forDialog_(function () {
    var created = request_('POST', orgTokensPath_(orgId), { json: { label: String(label || '').trim() } });
    return { id: created.id, label: created.label, token: created.token };
  });
}

/** Revokes the token `tokenId` (its id, `tok_…`, not its secret); it stops working at once. */
function revokeToken(tokenId) {
  return forDialog_(function () {
    request_('DELETE', '/tokens/' + encodeURIComponent(String(tokenId || '')));
    return true;
  });
}

function orgTokensPath_(orgId) {
  return '/orgs/' + encodeURIComponent(String(orgId || '')) + '/tokens';
}

/** Every organisation, as the dialog lists it. */
function orgList_() {
  return requestAll_('/orgs').map(orgView_);
}

function orgView_(org) {
  return {
    id: org.id,
    name: org.name,
    kind: org.kind,
    kindText: word_('kind', org.kind),
    membership: org.membership,
    membershipText: word_('membership', org.membership)
  };
}

function tokenView_(token) {
  return {
    id: token.id,
    label: token.label,
    created: stockholmTime_(token.created_at),
    lastUsed: token.last_used_at ? stockholmTime_(token.last_used_at) : t_('orgs.never'),
    revoked: token.revoked_at ? stockholmTime_(token.revoked_at) : ''
  };
}

/** A time from the API (RFC 3339) as Reglab reads it: `2025-03-01 14:05`, Swedish time. */
function stockholmTime_(iso) {
  if (!iso) {
    return '';
  }
  var date = new Date(iso);
  return isNaN(date.getTime()) ? String(iso) : Utilities.formatDate(date, 'Europe/Stockholm', 'yyyy-MM-dd HH:mm');
}
