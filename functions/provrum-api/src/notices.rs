//! What the members' chat hears, in Swedish: a new proposal, a provrum that becomes ready to
//! start, and a start. Sent in the background by `AppState::notify`.

use provrum_http::views::ProvrumView;
use provrum_notify::Message;
use provrum_rules::lang::count;
use provrum_rules::{Lang, RuleSet};

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

/// The numbers asked of those who join come from `rules`.
pub fn proposed(view: &ProvrumView, proposer: &str, rules: &RuleSet) -> Message {
    let about = view
        .theme
        .as_deref()
        .map(|t| format!(" inom temat {t}"))
        .unwrap_or_default();
    let mut m = Message::new(format!("Nytt förslag till provrum: ”{}”", view.title))
        .line(format!("{proposer} föreslår ett provrum{about}."));
    if let Some(description) = view.description.as_deref().filter(|d| !d.trim().is_empty()) {
        m = m.line(shortened(description.trim(), 300));
    }
    m.line(format!(
        "Vill er organisation vara med? Anmäl intresse i Provrum: {} organisationer, minst {} regioner.",
        rules.participants_span(),
        rules.min_region_share.words(Lang::Sv)
    ))
}

pub fn ready(view: &ProvrumView) -> Message {
    Message::new(format!("”{}” är redo att starta", view.title))
        .line(format!(
            "Provrumsledare: {}. {} deltagare, varav {}.",
            leader_name(view),
            view.participants.len(),
            count(view.regions(), "region", "regioner")
        ))
        .line("Nu behövs en budget utan fel och klartecken från Reglabs kansli.")
}

pub fn started(view: &ProvrumView) -> Message {
    let mut m =
        Message::new(format!("”{}” har fått klartecken och startar", view.title)).line(format!(
            "Lett av {}, med {} deltagare, varav {}.",
            leader_name(view),
            view.participants.len(),
            count(view.regions(), "region", "regioner")
        ));
    if let Some(year) = view.quota_year {
        m = m.fact("Kvotår", year.to_string());
    }
    if let Some(base) = view.granted_base_funding_ore {
        m = m.fact("Reglabs basfinansiering", base.to_string());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use provrum_http::views::{ParticipantView, Readiness};
    use provrum_rules::model::{ParticipantKind, Status};

    fn view(kinds: &[ParticipantKind]) -> ProvrumView {
        ProvrumView {
            id: "p1".into(),
            title: "Nattbussar".into(),
            theme: None,
            description: None,
            status: Status::Proposed,
            proposer: "org-0".into(),
            leader: Some("org-0".into()),
            participants: kinds
                .iter()
                .enumerate()
                .map(|(i, kind)| ParticipantView {
                    org: format!("org-{i}"),
                    name: format!("Org {i}"),
                    kind: Some(*kind),
                    wants_to_lead: i == 0,
                })
                .collect(),
            ready: true,
            readiness: Readiness {
                ready: true,
                findings: Vec::new(),
            },
            latest_budget: None,
            approved_budget: None,
            start: None,
            end: None,
            approved_at: None,
            phase: provrum_rules::phase::Phase::Proposed,
            result_due: None,
            phase_text: provrum_rules::Text::new("Föreslaget", "Proposed"),
            result: None,
            quota_year: None,
            granted_base_funding_ore: None,
            budget_versions: 0,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
            version: 1,
            actions: Vec::new(),
        }
    }

    #[test]
    fn a_proposal_asks_for_the_numbers_of_the_rule_set() {
        let proposal = view(&[ParticipantKind::Region]);
        let rules = provrum_rules::RuleSet::provrum_2023();
        assert!(
            proposed(&proposal, "Org 0", &rules)
                .text()
                .ends_with("Anmäl intresse i Provrum: 2–6 organisationer, minst hälften regioner.")
        );
        let other = provrum_rules::RuleSet {
            min_participants: 3,
            max_participants: 5,
            min_region_share: provrum_rules::ruleset::Share { num: 2, den: 3 },
            ..rules
        };
        assert!(
            proposed(&proposal, "Org 0", &other)
                .text()
                .ends_with("Anmäl intresse i Provrum: 3–5 organisationer, minst 2/3 regioner.")
        );
    }

    #[test]
    fn notices_quote_the_swedish_way_and_count_regions_in_agreement() {
        let one = view(&[ParticipantKind::Region, ParticipantKind::Member]);
        assert_eq!(
            ready(&one).text(),
            "”Nattbussar” är redo att starta\nProvrumsledare: Org 0. 2 deltagare, varav 1 region.\nNu behövs en budget utan fel och klartecken från Reglabs kansli."
        );
        let two = view(&[ParticipantKind::Region, ParticipantKind::Region]);
        assert!(
            started(&two)
                .text()
                .starts_with("”Nattbussar” har fått klartecken och startar\nLett av Org 0, med 2 deltagare, varav 2 regioner."),
            "{}",
            started(&two).text()
        );
    }
}
