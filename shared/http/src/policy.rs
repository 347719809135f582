//! Who may do what: every authorisation decision of every function, in one table.
//!
//! A role comes from the caller's organisation (kansli, member, partner); a relationship from
//! the provrum (its proposer, its leader, its participants). Whether a change fits the model's
//! rules and the provrum's state is decided after this, by the rules crate and the store.

use crate::{Actor, ApiError};
use provrum_rules::model::Membership;
use provrum_rules::{Text, process};
use provrum_store::Provrum;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `GET /orgs`, `GET /provrum`, `GET /provrum/{id}`, `POST /check`: any valid token.
    Read,
    /// `POST /orgs`, `POST /orgs/{org}/tokens`, `DELETE /tokens/{id}`.
    Administer,
    /// `POST /provrum`: members (PROC-1 for anyone else).
    Propose,
    /// `POST`/`DELETE /provrum/{id}/interest`: members and partners take part.
    TakePart,
    /// `PUT /provrum/{id}/leader`: the kansli or the proposer.
    ChooseLeader,
    /// `POST /provrum/{id}/withdraw`: the proposer, the leader or the kansli.
    Withdraw,
    /// `POST /provrum/{id}/approve`: the kansli (PROC-2 for anyone else).
    Approve,
    /// `POST /provrum/{id}/budget` and `/result`: the leader.
    Lead,
    /// `GET /provrum/{id}/budget`: the participants and the kansli.
    ReadBudget,
    /// `GET /status`, `GET /reports/{year}`: the kansli.
    Oversee,
}

fn deny(sv: &str, en: &str) -> Result<(), ApiError> {
    Err(ApiError::forbidden(Text::new(sv, en)))
}

/// 403 (with PROC-1/PROC-2 findings where the model states the rule) unless `actor` may do
/// `action`, on `provrum` where the action concerns one.
pub fn authorize(action: Action, actor: &Actor, provrum: Option<&Provrum>) -> Result<(), ApiError> {
    let me = actor.org.id.as_str();
    let kansli = actor.is_kansli();
    let proposer = provrum.is_some_and(|p| p.proposer == me);
    let leader = provrum.is_some_and(|p| p.leader.as_deref() == Some(me));
    let participant = provrum.is_some_and(|p| p.participants.iter().any(|x| x.org == me));
    match action {
        Action::Read => Ok(()),
        Action::Administer | Action::Oversee if kansli => Ok(()),
        Action::Administer | Action::Oversee => deny(
            "Bara Reglabs kansli får göra detta.",
            "Only Reglab's kansli may do this.",
        ),
        Action::Propose => process::may_propose(actor.membership()).map_err(|findings| {
            ApiError::forbidden(Text::new(
                "Bara Reglabs medlemmar kan föreslå provrum.",
                "Only Reglab's members can propose a provrum.",
            ))
            .with_findings(findings)
        }),
        Action::TakePart
            if matches!(actor.membership(), Membership::Member | Membership::Partner) =>
        {
            Ok(())
        }
        Action::TakePart => deny(
            "Bara medlemmar och partner anmäler intresse.",
            "Only members and partners register interest.",
        ),
        Action::ChooseLeader if kansli || proposer => Ok(()),
        Action::ChooseLeader => deny(
            "Provrumsledaren väljs av kansliet eller av den som föreslog provrummet.",
            "The leader is chosen by the kansli or by the proposer.",
        ),
        Action::Withdraw if kansli || proposer || leader => Ok(()),
        Action::Withdraw => deny(
            "Ett provrum dras tillbaka av förslagsställaren, provrumsledaren eller kansliet.",
            "A provrum is withdrawn by its proposer, its leader or the kansli.",
        ),
        Action::Approve if kansli => Ok(()),
        Action::Approve => Err(ApiError::forbidden(Text::new(
            "Bara Reglabs kansli ger klartecken för start.",
            "Only Reglab's kansli approves a start.",
        ))
        .with_findings(
            process::may_approve(actor.membership(), provrum_rules::model::Status::Proposed)
                .err()
                .unwrap_or_default(),
        )),
        Action::Lead if leader => Ok(()),
        Action::Lead => deny(
            "Bara provrumsledaren får göra detta.",
            "Only the provrum's leader may do this.",
        ),
        Action::ReadBudget if kansli || participant => Ok(()),
        Action::ReadBudget => deny(
            "Budgeten visas för provrummets deltagare och kansliet.",
            "The budget is shown to the provrum's participants and the kansli.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provrum_rules::model::OrgKind;
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
        }
    }

    fn refusal(action: Action) -> String {
        let e = authorize(action, &member(), None).expect_err("refused");
        e.detail.sv.clone()
    }

    #[test]
    fn the_leader_is_called_provrumsledaren() {
        assert_eq!(
            refusal(Action::Lead),
            "Bara provrumsledaren får göra detta."
        );
        assert_eq!(
            refusal(Action::ChooseLeader),
            "Provrumsledaren väljs av kansliet eller av den som föreslog provrummet."
        );
        assert_eq!(
            refusal(Action::Withdraw),
            "Ett provrum dras tillbaka av förslagsställaren, provrumsledaren eller kansliet."
        );
    }
}
