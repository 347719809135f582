//! The pages, as maud templates: one layout (language, skip link, header, footer with the
//! accessibility statement), and errors shown the way GOV.UK's error summary shows them.

use crate::words::{Words, words};
use maud::{DOCTYPE, Markup, html};
use provrum_http::views::ProvrumView;
use provrum_rules::Lang;
use provrum_store::Org;

/// `path` in `lang`: Swedish is the default and needs no parameter.
pub fn href(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Sv => path.to_string(),
        Lang::En => format!("{path}?lang=en"),
    }
}

fn code(lang: Lang) -> &'static str {
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
fn layout(lang: Lang, path: &str, title: &str, errors: bool, body: Markup) -> Markup {
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
                    a href=(switch) lang=(code(other(lang))) { (w.other_language) }
                }
                main #innehall tabindex="-1" { (body) }
                footer.site {
                    a href=(href("/webb/tillganglighet", lang)) { (w.statement_link) }
                }
            }
        }
    }
}

/// GOV.UK's error summary: a heading, then each error linking to its field.
fn error_summary(w: &Words, errors: &[(&str, &str)]) -> Markup {
    html! {
        div.error-summary role="alert" aria-labelledby="fel-rubrik" tabindex="-1" autofocus {
            h2 #fel-rubrik { (w.errors_heading) }
            ul {
                @for (field, message) in errors {
                    li { a href={ "#" (field) } { (message) } }
                }
            }
        }
    }
}

/// The sign-in form, with `error` (about the token field) summarised at the top.
pub fn sign_in(lang: Lang, error: Option<&str>) -> Markup {
    let w = words(lang);
    let body = html! {
        @if let Some(message) = error { (error_summary(w, &[("token", message)])) }
        h1 { (w.sign_in_title) }
        p { (w.sign_in_intro) }
        form method="post" action="/webb/logga-in" novalidate {
            input type="hidden" name="lang" value=(code(lang));
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
    layout(lang, crate::BASE, w.sign_in_title, true, body)
}

/// The start page: who is signed in, a sign-out button, and the provrum the organisation sees.
pub fn home(lang: Lang, org: &Org, list: &[ProvrumView]) -> Markup {
    let w = words(lang);
    let body = html! {
        h1 { (w.home_title) }
        div.who {
            p { (w.signed_in_as) " " strong { (org.name) } }
            form method="post" action=(href("/webb/logga-ut", lang)) {
                button.secondary type="submit" { (w.sign_out) }
            }
        }
        @if list.is_empty() {
            p { (w.none) }
        } @else {
            table {
                caption { (w.caption) }
                thead { tr {
                    th scope="col" { (w.col_title) }
                    th scope="col" { (w.col_status) }
                    th scope="col" { (w.col_leader) }
                    th scope="col" { (w.col_ready) }
                    th scope="col" { (w.col_yours) }
                } }
                tbody {
                    @for p in list {
                        tr {
                            th scope="row" { (p.title) }
                            td { (status_word(lang, p)) }
                            td { (leader_name(p).unwrap_or(w.no_leader)) }
                            td { (if p.ready { w.yes } else { w.no }) }
                            td { (if p.participants.iter().any(|x| x.org == org.id) { w.yes } else { w.no }) }
                        }
                    }
                }
            }
        }
    };
    layout(lang, crate::BASE, w.home_title, false, body)
}

/// The status as the model's word for it, with a capital (`Pågår`, `Running`).
fn status_word(lang: Lang, p: &ProvrumView) -> String {
    let word = match lang {
        Lang::Sv => p.status.sv(),
        Lang::En => p.status.as_str(),
    };
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn leader_name(p: &ProvrumView) -> Option<&str> {
    let leader = p.leader.as_deref()?;
    p.participants
        .iter()
        .find(|x| x.org == leader)
        .map(|x| x.name.as_str())
        .or(Some(leader))
}

/// The accessibility statement (tillgänglighetsredogörelse) the law asks for.
pub fn statement(lang: Lang) -> Markup {
    let w = words(lang);
    let body = html! {
        h1 { (w.statement_title) }
        @for paragraph in w.statement { p { (paragraph) } }
    };
    layout(lang, "/webb/tillganglighet", w.statement_title, false, body)
}
