//! PROC: who may do what in the selection process (Urvalsprocess).

use crate::finding::{Finding, Rule, Severity};
use crate::lang::Text;
use crate::model::{Membership, Status};

/// PROC-1 · a partner tried to propose a provrum.
pub const PROC_1: Rule = Rule {
    id: "PROC-1",
    severity: Severity::Error,
    source: Some("Partner kan inte föreslå provrum, men kan anmäla intresse för att delta."),
};

/// PROC-2 · start approved by anyone but the kansli, or from a state that cannot start.
pub const PROC_2: Rule = Rule {
    id: "PROC-2",
    severity: Severity::Error,
    source: Some("Reglabs kansli ger klartecken för start."),
};

/// PROC-1: "Alla Reglab-medlemmar har möjlighet att föreslå nya provrum."
pub fn may_propose(membership: Membership) -> Result<(), Vec<Finding>> {
    match membership {
        Membership::Member => Ok(()),
        Membership::Partner => Err(vec![Finding::new(
            &PROC_1,
            Text::new(
                "Partner kan inte föreslå provrum, men kan anmäla intresse för att delta i ett.",
                "A partner cannot propose a provrum, but can register interest in taking part in one.",
            ),
        )]),
        Membership::Kansli => Err(vec![Finding::new(
            &PROC_1,
            Text::new(
                "Provrum föreslås av Reglabs medlemmar, inte av kansliet.",
                "Provrum are proposed by Reglab's members, not by the kansli.",
            ),
        )]),
    }
}

/// PROC-2: only the kansli gives the go-ahead, and only to a proposed provrum.
pub fn may_approve(actor: Membership, status: Status) -> Result<(), Vec<Finding>> {
    if actor != Membership::Kansli {
        return Err(vec![Finding::new(
            &PROC_2,
            Text::new(
                "Bara Reglabs kansli kan ge klartecken för start.",
                "Only Reglab's kansli can approve a start.",
            ),
        )]);
    }
    if status != Status::Proposed {
        return Err(vec![Finding::new(
            &PROC_2,
            Text::new(
                format!(
                    "Ett provrum med status ”{}” kan inte startas; bara föreslagna provrum kan få klartecken.",
                    status.sv()
                ),
                format!(
                    "A provrum with status {} cannot be started; only proposed provrum can be approved.",
                    status.as_str()
                ),
            ),
        )]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_quoted_the_swedish_way() {
        let f = may_approve(Membership::Kansli, Status::Running).expect_err("running");
        assert_eq!(
            f[0].text.sv,
            "Ett provrum med status ”pågår” kan inte startas; bara föreslagna provrum kan få klartecken."
        );
    }
}
