//! What the members' chat hears, in Swedish: a new proposal, a provrum that becomes ready to
//! start, and a start. Sent in the background by `AppState::notify`.

use provrum_http::views::ProvrumView;
use provrum_notify::Message;

fn leader_name(view: &ProvrumView) -> String {
    view.leader
        .as_ref()
        .map(|id| {
            view.participants
                .iter()
                .find(|p| &p.org == id)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| id.clone())
        })
        .unwrap_or_default()
}

fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

pub fn proposed(view: &ProvrumView, proposer: &str) -> Message {
    let about = view
        .theme
        .as_deref()
        .map(|t| format!(" inom temat {t}"))
        .unwrap_or_default();
    let mut m = Message::new(format!("Nytt förslag till provrum: «{}»", view.title))
        .line(format!("{proposer} föreslår ett provrum{about}."));
    if let Some(description) = view.description.as_deref().filter(|d| !d.trim().is_empty()) {
        m = m.line(shortened(description.trim(), 300));
    }
    m.line("Vill er organisation vara med? Anmäl intresse i Provrum: 2–6 organisationer, minst hälften regioner.")
}

pub fn ready(view: &ProvrumView) -> Message {
    Message::new(format!("«{}» är redo att starta", view.title))
        .line(format!(
            "Ledare: {}. {} deltagare, varav {} regioner.",
            leader_name(view),
            view.participants.len(),
            view.regions()
        ))
        .line("Nu behövs en budget utan fel och klartecken från Reglabs kansli.")
}

pub fn started(view: &ProvrumView) -> Message {
    let mut m =
        Message::new(format!("«{}» har fått klartecken och startar", view.title)).line(format!(
            "Lett av {}, med {} deltagare, varav {} regioner.",
            leader_name(view),
            view.participants.len(),
            view.regions()
        ));
    if let Some(year) = view.quota_year {
        m = m.fact("Kvotår", year.to_string());
    }
    if let Some(base) = view.granted_base_funding_ore {
        m = m.fact("Reglabs basfinansiering", base.to_string());
    }
    m
}
