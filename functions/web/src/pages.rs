//! The pages, as maud templates: one layout (language, skip link, header, footer with the
//! accessibility statement), and errors shown the way GOV.UK's error summary shows them.

use crate::words::words;
use maud::{DOCTYPE, Markup, html};
use provrum_rules::model::{Membership, OrgKind, ParticipantKind, Status};
use provrum_rules::{Lang, Verdict};

/// `path` in `lang`: Swedish is the default and needs no parameter.
pub fn href(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Sv => path.to_string(),
        Lang::En => format!("{path}?lang=en"),
    }
}

/// `path?query` in `lang`.
pub fn href_query(path: &str, query: &str, lang: Lang) -> String {
    match lang {
        Lang::Sv => format!("{path}?{query}"),
        Lang::En => format!("{path}?{query}&lang=en"),
    }
}

pub(crate) fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::Sv => "sv",
        Lang::En => "en",
    }
}

fn other(lang: Lang) -> Lang {
    match lang {
        Lang::Sv => Lang::En,
        Lang::En => Lang::Sv,
    }
}

/// The page around `body`: its title (with "Fel: " when it shows errors), language, skip link,
/// the link to the other language at `path`, and the statement in the footer.
/// Who a page is shown to: the signed-in organisation, for the header's "Inloggad som" and
/// its sign-out button; `None` on the pages before signing in.
pub(crate) type Who<'a> = Option<&'a provrum_store::Org>;

pub(crate) fn layout(
    lang: Lang,
    path: &str,
    title: &str,
    errors: bool,
    who: Who<'_>,
    body: Markup,
) -> Markup {
    let w = words(lang);
    let switch = match other(lang) {
        Lang::Sv => format!("{path}?lang=sv"),
        Lang::En => format!("{path}?lang=en"),
    };
    html! {
        (DOCTYPE)
        html lang=(code(lang)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { @if errors { (w.error_prefix) } (title) " – Provrum" }
                link rel="stylesheet" href="/webb/stil.css";
                link rel="icon" href="/webb/ikon.svg" type="image/svg+xml";
            }
            body {
                a.skip href="#innehall" { (w.skip) }
                header.site {
                    a.brand href=(href(crate::BASE, lang)) { "Provrum" }
                    div.tools {
                        @if let Some(org) = who {
                            div.who {
                                p {
                                    (w.signed_in_as) " " strong { (org.name) }
                                    @if org.membership != Membership::Kansli { " (" (membership_word(lang, org.membership)) ")" }
                                }
                                form method="post" action=(href("/webb/logga-ut", lang)) {
                                    button.secondary type="submit" { (w.sign_out) }
                                }
                            }
                        }
                        a href=(switch) lang=(code(other(lang))) { (w.other_language) }
                    }
                }
                // The status table gets the width of the screen; every other page a column.
                main #innehall.wide[path == "/webb/status"] tabindex="-1" { (body) }
                footer.site {
                    a href=(href("/webb/tillganglighet", lang)) { (w.statement_link) }
                }
            }
        }
    }
}

/// GOV.UK's error summary: a heading, then each error linking to its place, as (`#place`,
/// message). It takes the focus when the page opens.
pub(crate) fn summary(heading: &str, entries: &[(String, String)]) -> Markup {
    html! {
        div.error-summary role="alert" aria-labelledby="fel-rubrik" tabindex="-1" autofocus {
            h2 #fel-rubrik { (heading) }
            ul {
                @for (place, message) in entries {
                    li { a href=(place) { (message) } }
                }
            }
        }
    }
}

/// The sign-in form, with `error` (about the token field) summarised at the top.
pub fn sign_in(lang: Lang, error: Option<&str>, back_to: Option<&str>) -> Markup {
    let w = words(lang);
    let body = html! {
        @if let Some(message) = error {
            (summary(w.errors_heading, &[("#token".into(), message.into())]))
        }
        h1 { (w.sign_in_title) }
        p { (w.sign_in_intro) }
        form method="post" action="/webb/logga-in" novalidate {
            input type="hidden" name="lang" value=(code(lang));
            @if let Some(path) = back_to { input type="hidden" name="till" value=(path); }
            div.field.error[error.is_some()] {
                label for="token" { (w.token_label) }
                p.hint #token-hint { (w.token_hint) }
                @if let Some(message) = error {
                    p.error-message #token-error { (message) }
                }
                input #token type="password" name="token" autocomplete="off" spellcheck="false"
                    aria-describedby=(if error.is_some() { "token-hint token-error" } else { "token-hint" })
                    aria-invalid=(if error.is_some() { "true" } else { "false" });
            }
            button type="submit" { (w.sign_in_button) }
        }
    };
    layout(
        lang,
        "/webb/logga-in",
        w.sign_in_title,
        error.is_some(),
        None,
        body,
    )
}

/// A state-changing request from another site: not carried out.
pub fn refused(lang: Lang) -> Markup {
    let w = words(lang);
    let body = html! {
        h1 { (w.sign_in_title) }
        p { (w.cross_site) }
        p { a href=(href(crate::BASE, lang)) { "Provrum" } }
    };
    layout(lang, crate::BASE, w.sign_in_title, true, None, body)
}

/// The accessibility statement (tillgänglighetsredogörelse) the law asks for.
pub fn statement(lang: Lang) -> Markup {
    let w = words(lang);
    let body = html! {
        h1 { (w.statement_title) }
        @for paragraph in w.statement { p { (paragraph) } }
    };
    layout(
        lang,
        "/webb/tillganglighet",
        w.statement_title,
        false,
        None,
        body,
    )
}

/// `sv` or `en`, as the page's language asks.
/// A table's column headings (the header row every plain table of the page has).
pub(crate) fn column_heads(heads: &[&str]) -> Markup {
    html! {
        thead { tr {
            @for head in heads { th scope="col" { (head) } }
        } }
    }
}

pub(crate) fn t(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}

/// A word of the model's with a capital first letter (`Pågår`, `Running`).
pub(crate) fn capital(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A time as Reglab's clocks show it (Stockholm), to the minute.
pub(crate) fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&provrum_rules::calendar::REGLAB_TIME_ZONE)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A message that something was done (`role="status"`, read out by screen readers).
pub(crate) fn done_banner(message: &str) -> Markup {
    html! { div.done role="status" { p { (message) } } }
}

/// A provrum's status in the model's word, with a capital (`Pågår`, `Running`).
pub(crate) fn status_word(lang: Lang, status: Status) -> String {
    capital(match lang {
        Lang::Sv => status.sv(),
        Lang::En => status.as_str(),
    })
}

pub(crate) fn verdict_word(lang: Lang, verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ok => t(lang, "Inga fel", "No errors"),
        Verdict::Warnings => t(lang, "Bara varningar", "Warnings only"),
        Verdict::Errors => t(lang, "Fel", "Errors"),
    }
}

/// A participant's kind in the workbook's word for it (`Typ`), in lower case.
pub(crate) fn participant_word(lang: Lang, kind: Option<ParticipantKind>) -> String {
    kind.map_or_else(
        || t(lang, "okänd", "unknown").to_string(),
        |k| k.name().get(lang).to_lowercase(),
    )
}

pub(crate) fn membership_word(lang: Lang, m: Membership) -> &'static str {
    match m {
        Membership::Member => t(lang, "medlem", "member"),
        Membership::Partner => t(lang, "partner", "partner"),
        Membership::Kansli => t(lang, "Reglabs kansli", "Reglab's kansli"),
    }
}

pub(crate) fn kind_word(lang: Lang, k: OrgKind) -> &'static str {
    match k {
        OrgKind::Region => t(lang, "region", "region"),
        OrgKind::Other => t(lang, "annan organisation", "other organisation"),
    }
}
