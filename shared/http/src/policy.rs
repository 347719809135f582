//! Who may read and administer what: the authorisation of every route that is not a step of
//! the provrum process, in one table. The process's own steps (propose, interest, leader, budget,
//! approve, withdraw, result) are decided, roles included, by
//! [`provrum_rules::process::permit`], which also lists them as each caller's `actions`. Reading
//! organisations and provrum, and checking a workbook, needs only a valid token (the `Actor`
//! extractor).

use crate::{Actor, ApiError};
use provrum_rules::Text;
use provrum_rules::model::Membership;
use provrum_rules::process::Caller;
use provrum_store::Provrum;

/// Whether `caller` may read `provrum`'s budget — its versions, figures, files and findings:
/// the participants and the kansli. `GET /provrum/{id}/budget` and every view of the provrum
/// (which carry the latest and the approved version's figures) ask this one question.
pub fn may_read_budget(caller: Caller<'_>, provrum: &Provrum) -> bool {
    caller.membership == Membership::Kansli || provrum.takes_part(caller.org)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `POST /orgs`, `POST`/`GET /orgs/{org}/tokens`, `DELETE /tokens/{id}`.
    Administer,
    /// `GET /provrum/{id}/budget`: the participants and the kansli.
    ReadBudget,
    /// `GET /provrum/{id}/events` (the audit trail): the participants and the kansli.
    ReadEvents,
    /// `GET /status`, `GET /reports/{year}`: the kansli.
    Oversee,
}

fn deny(sv: &str, en: &str) -> Result<(), ApiError> {
    Err(ApiError::forbidden(Text::new(sv, en)))
}

/// 403 unless `actor` may do `action`, on `provrum` where the action concerns one.
pub fn authorize(action: Action, actor: &Actor, provrum: Option<&Provrum>) -> Result<(), ApiError> {
    let kansli = actor.is_kansli();
    let participant = provrum.is_some_and(|p| p.takes_part(&actor.org.id));
    let budget_reader = provrum.is_some_and(|p| may_read_budget(actor.caller(), p));
    match action {
        Action::Administer | Action::Oversee if kansli => Ok(()),
        Action::Administer | Action::Oversee => deny(
            "Bara Reglabs kansli får göra detta.",
            "Only Reglab's kansli may do this.",
        ),
        Action::ReadBudget if budget_reader => Ok(()),
        Action::ReadBudget => deny(
            "Budgeten visas för provrummets deltagare och kansliet.",
            "The budget is shown to the provrum's participants and the kansli.",
        ),
        Action::ReadEvents if kansli || participant => Ok(()),
        Action::ReadEvents => deny(
            "Provrummets händelselogg visas för dess deltagare och kansliet.",
            "The provrum's event log is shown to its participants and the kansli.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provrum_rules::model::{Membership, OrgKind};
    use provrum_store::Org;

    fn member() -> Actor {
        Actor {
            org: Org {
                id: "region-a".into(),
                name: "Region A".into(),
                kind: OrgKind::Region,
                membership: Membership::Member,
                created_at: chrono::DateTime::UNIX_EPOCH,
            },
            token_id: "t".into(),
            token_label: String::new(),
        }
    }

    #[test]
    fn the_kansli_administers_and_participants_read_their_budget() {
        let someone = || {
            provrum_rules::provrum::Provrum::proposed(
                "pr_1".into(),
                "t".into(),
                "region-b",
                chrono::DateTime::UNIX_EPOCH,
            )
        };
        let refused = authorize(Action::Administer, &member(), None).expect_err("a member");
        assert_eq!(refused.detail.sv, "Bara Reglabs kansli får göra detta.");
        let outsider = authorize(Action::ReadBudget, &member(), Some(&someone()));
        assert!(outsider.is_err());
        let mut joined = someone();
        joined
            .participants
            .push(provrum_rules::provrum::Participant {
                org: "region-a".into(),
                wants_to_lead: false,
                joined_at: chrono::DateTime::UNIX_EPOCH,
            });
        assert!(authorize(Action::ReadBudget, &member(), Some(&joined)).is_ok());
        assert!(authorize(Action::ReadEvents, &member(), Some(&joined)).is_ok());
    }
}
