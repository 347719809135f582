//! DELT: the participants (Deltagare, Urvalsprocess).

use crate::finding::{Finding, Location, Rule, Severity, Title};
use crate::form::Table;
use crate::lang::{Text, count as counted};
use crate::layout::Column;
use crate::model::{ParticipantKind, Role, org_key};
use crate::ruleset::RuleSet;
use crate::sheet::Value;
use serde::{Deserialize, Serialize};

/// DELT-1 · fewer than 2 or more than 6 participating organisations.
pub const DELT_1: Rule = Rule {
    id: "DELT-1",
    title: Title::new(
        "Fel antal organisationer",
        "The wrong number of organisations",
    ),
    severity: Severity::Error,
    source: Some("Provrummet måste ha minst två, och maximalt sex, deltagande organisationer."),
};

/// DELT-2 · fewer than half of the participants are regions.
pub const DELT_2: Rule = Rule {
    id: "DELT-2",
    title: Title::new(
        "För få regioner bland deltagarna",
        "Too few regions among the participants",
    ),
    severity: Severity::Warning,
    source: Some("Minst hälften bör vara regioner."),
};

/// DELT-3 · not exactly one leader.
pub const DELT_3: Rule = Rule {
    id: "DELT-3",
    title: Title::new("Inte exakt en provrumsledare", "Not exactly one leader"),
    severity: Severity::Error,
    source: Some("En organisation är ledare och sammankallande."),
};

/// DELT-4 · the leader is a partner (only members lead).
pub const DELT_4: Rule = Rule {
    id: "DELT-4",
    title: Title::new("Partner kan inte leda", "A partner cannot lead"),
    severity: Severity::Error,
    source: Some(
        "Reglabs medlemmar är involverade i ledning, styrning och genomförande av ett provrum.",
    ),
};

/// DELT-5 · fewer than two participating regions: not ready to start.
pub const DELT_5: Rule = Rule {
    id: "DELT-5",
    title: Title::new("Färre än två regioner", "Fewer than two regions"),
    severity: Severity::Error,
    source: Some(
        "När ett provrum har en ledare och minst två deltagande regioner, är det redo att köra igång.",
    ),
};

/// DELT-6 · a participant row has an unknown kind or role.
pub const DELT_6: Rule = Rule {
    id: "DELT-6",
    title: Title::new("Okänd typ eller roll", "Unknown kind or role"),
    severity: Severity::Error,
    source: None,
};

/// DELT-7 · the workbook's participants differ from the organisations registered for the stored
/// provrum (uploads to a stored provrum only): an organisation registered for it is missing from
/// the workbook (one that joined after the plan was written; the plan should name it).
pub const DELT_7: Rule = Rule {
    id: "DELT-7",
    title: Title::new(
        "En deltagare saknas i arbetsboken",
        "A participant is missing from the workbook",
    ),
    severity: Severity::Warning,
    source: None,
};

/// DELT-8 · the workbook is not this provrum's: it names an organisation that does not take part
/// in the stored provrum, or another leader than the provrum's (uploads to a stored provrum
/// only). Such a workbook is refused at upload, not stored as a version of this provrum
/// ([`crate::process::decide`]).
pub const DELT_8: Rule = Rule {
    id: "DELT-8",
    title: Title::new(
        "Arbetsboken gäller inte provrummet",
        "The workbook is not this provrum's",
    ),
    severity: Severity::Error,
    source: None,
};

/// A participant as the workbook lists it. `kind` or `role` is `None` where DELT-6 fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub name: String,
    pub kind: Option<ParticipantKind>,
    pub role: Option<Role>,
    #[serde(skip)]
    pub cells: ParticipantCells,
}

/// Where a participant's cells are, for locating findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipantCells {
    pub organisation: Option<Location>,
    pub kind: Option<Location>,
    pub role: Option<Location>,
}

/// An organisation registered for a stored provrum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredOrg {
    pub id: String,
    pub name: String,
}

/// The stored provrum a workbook is uploaded to, as it is registered: its title, the
/// organisations taking part and the one that leads it (DELT-7, DELT-8, PLAN-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registered<'a> {
    pub title: &'a str,
    pub orgs: &'a [RegisteredOrg],
    /// The leader's id, one of `orgs`.
    pub leader: Option<&'a str>,
}

impl RegisteredOrg {
    /// Whether the workbook's `name` means this organisation (its name or its id).
    fn is_named(&self, name: &str) -> bool {
        let key = org_key(name);
        key == org_key(&self.name) || key == org_key(&self.id)
    }
}

fn parse_kind(value: &Value) -> Option<ParticipantKind> {
    let Value::Text(t) = value else { return None };
    ParticipantKind::named(t)
}

fn parse_role(value: &Value) -> Option<Role> {
    let Value::Text(t) = value else { return None };
    Role::named(t)
}

/// Reads the Deltagare rows (DELT-6 for a row whose kind or role is not one of the template's).
/// The same organisation listed twice counts once.
pub fn read(table: &Table<'_>, findings: &mut Vec<Finding>) -> Vec<Participant> {
    let mut participants: Vec<Participant> = Vec::new();
    for row in table.data_rows() {
        let org = row.get(Column::Organisation);
        let kind = row.get(Column::Kind);
        let role = row.get(Column::Role);
        let name = org.value.display();
        if name.is_empty() {
            findings.push(
                Finding::new(
                    &DELT_6,
                    Text::new(
                        format!(
                            "Raden {} har typ eller roll men ingen organisation ({}).",
                            row.row + 1,
                            org.location().reference()
                        ),
                        format!(
                            "Row {} has a kind or role but no organisation ({}).",
                            row.row + 1,
                            org.location().reference()
                        ),
                    ),
                )
                .at(org.location()),
            );
            continue;
        }
        let parsed_kind = parse_kind(kind.value);
        if parsed_kind.is_none() {
            let shown = kind.value.display();
            findings.push(
                Finding::new(
                    &DELT_6,
                    Text::new(
                        format!(
                            "Typen \"{shown}\" för {name} i {} är okänd; välj Region, Medlem eller Partner.",
                            kind.location().reference()
                        ),
                        format!(
                            "The kind \"{shown}\" of {name} in {} is unknown; choose Region, Member or Partner.",
                            kind.location().reference()
                        ),
                    ),
                )
                .at(kind.location()),
            );
        }
        let parsed_role = parse_role(role.value);
        if parsed_role.is_none() {
            let shown = role.value.display();
            findings.push(
                Finding::new(
                    &DELT_6,
                    Text::new(
                        format!("Rollen \"{shown}\" för {name} i {} är okänd; välj Ledare eller Deltagare.", role.location().reference()),
                        format!("The role \"{shown}\" of {name} in {} is unknown; choose Leader or Participant.", role.location().reference()),
                    ),
                )
                .at(role.location()),
            );
        }
        if participants
            .iter()
            .any(|p| org_key(&p.name) == org_key(&name))
        {
            continue;
        }
        participants.push(Participant {
            name,
            kind: parsed_kind,
            role: parsed_role,
            cells: ParticipantCells {
                organisation: Some(org.location()),
                kind: Some(kind.location()),
                role: Some(role.location()),
            },
        });
    }
    participants
}

/// DELT-1 to DELT-5 on the workbook's participants; DELT-7 and DELT-8 against the stored
/// provrum.
pub fn check(
    participants: &[Participant],
    sheet: &str,
    registered: Option<Registered<'_>>,
    rs: &RuleSet,
    findings: &mut Vec<Finding>,
) {
    let count = participants.len() as u32;
    let regions = participants
        .iter()
        .filter(|p| p.kind.is_some_and(ParticipantKind::is_region))
        .count() as u32;
    let at_sheet = Location::sheet(sheet);

    // DELT-1
    if count < rs.min_participants || count > rs.max_participants {
        findings.push(
            Finding::new(
                &DELT_1,
                Text::new(
                    format!(
                        "Provrummet har {}; det måste ha minst {} och högst {}.",
                        counted(
                            count,
                            "deltagande organisation",
                            "deltagande organisationer"
                        ),
                        rs.min_participants,
                        rs.max_participants
                    ),
                    format!(
                        "The provrum has {}; it must have at least {} and at most {}.",
                        counted(
                            count,
                            "participating organisation",
                            "participating organisations"
                        ),
                        rs.min_participants,
                        rs.max_participants
                    ),
                ),
            )
            .at(at_sheet.clone()),
        );
    }

    // DELT-2
    let share = rs.min_region_share;
    if count > 0
        && u64::from(regions) * u64::from(share.den) < u64::from(count) * u64::from(share.num)
    {
        findings.push(
            Finding::new(
                &DELT_2,
                Text::new(
                    format!("{regions} av {count} deltagare är regioner; minst hälften bör vara regioner."),
                    format!("{regions} of {count} participants are regions; at least half should be regions."),
                ),
            )
            .at(at_sheet.clone()),
        );
    }

    // DELT-3 and DELT-4
    let leaders: Vec<&Participant> = participants
        .iter()
        .filter(|p| p.role == Some(Role::Leader))
        .collect();
    match leaders.as_slice() {
        [] => findings.push(
            Finding::new(
                &DELT_3,
                Text::new(
                    "Ingen organisation är provrumsledare; exakt en ska ha rollen Ledare.",
                    "No organisation is the leader; exactly one must have the role Leader.",
                ),
            )
            .at(at_sheet.clone()),
        ),
        [leader] => {
            if leader.kind == Some(ParticipantKind::Partner) {
                let mut finding = Finding::new(
                    &DELT_4,
                    Text::new(
                        format!(
                            "Provrumsledaren {} är partner; bara medlemmar kan leda ett provrum.",
                            leader.name
                        ),
                        format!(
                            "The leader {} is a partner; only members can lead a provrum.",
                            leader.name
                        ),
                    ),
                );
                finding.location = leader.cells.kind.clone();
                findings.push(finding);
            }
        }
        many => {
            let names: Vec<&str> = many.iter().map(|p| p.name.as_str()).collect();
            let mut finding = Finding::new(
                &DELT_3,
                Text::new(
                    format!(
                        "{} organisationer är provrumsledare ({}); exakt en ska vara det.",
                        many.len(),
                        names.join(", ")
                    ),
                    format!(
                        "{} organisations are the leader ({}); exactly one must be.",
                        many.len(),
                        names.join(", ")
                    ),
                ),
            );
            finding.location = many[1].cells.role.clone();
            findings.push(finding);
        }
    }

    // DELT-5
    if regions < rs.regions_to_start {
        findings.push(not_ready(regions, rs).at(at_sheet.clone()));
    }

    if let Some(registered) = registered {
        belongs(participants, registered, &at_sheet, findings);
    }
}

/// DELT-8 and DELT-7: the workbook is held against the stored provrum it is uploaded to. An
/// organisation the workbook names that does not take part, or a leader other than the
/// provrum's, is an error at its cell (DELT-8); an organisation that takes part but is missing
/// from the workbook is a warning (DELT-7).
fn belongs(
    participants: &[Participant],
    registered: Registered<'_>,
    at_sheet: &Location,
    findings: &mut Vec<Finding>,
) {
    let orgs = registered.orgs;
    // DELT-8: someone who does not take part.
    for p in participants
        .iter()
        .filter(|p| !orgs.iter().any(|o| o.is_named(&p.name)))
    {
        let mut finding = Finding::new(
            &DELT_8,
            Text::new(
                format!(
                    "{} står i arbetsboken men deltar inte i provrummet ”{}”; arbetsboken \
                     måste gälla det här provrummet.",
                    p.name, registered.title
                ),
                format!(
                    "{} is in the workbook but does not take part in the provrum \"{}\"; the \
                     workbook must be this provrum's.",
                    p.name, registered.title
                ),
            ),
        );
        finding.location = p.cells.organisation.clone().or(Some(at_sheet.clone()));
        findings.push(finding);
    }
    // DELT-8: another leader than the provrum's.
    let leader = registered
        .leader
        .and_then(|id| orgs.iter().find(|o| o.id == id));
    if let Some(leader) = leader {
        for p in participants
            .iter()
            .filter(|p| p.role == Some(Role::Leader) && !leader.is_named(&p.name))
        {
            let mut finding = Finding::new(
                &DELT_8,
                Text::new(
                    format!(
                        "Arbetsboken anger {} som provrumsledare, men provrummets ledare är {}.",
                        p.name, leader.name
                    ),
                    format!(
                        "The workbook names {} as the leader, but the provrum's leader is {}.",
                        p.name, leader.name
                    ),
                ),
            );
            finding.location = p.cells.role.clone().or(Some(at_sheet.clone()));
            findings.push(finding);
        }
    }
    // DELT-7: someone who takes part but is not in the workbook.
    for o in orgs
        .iter()
        .filter(|o| !participants.iter().any(|p| o.is_named(&p.name)))
    {
        findings.push(
            Finding::new(
                &DELT_7,
                Text::new(
                    format!(
                        "{} deltar i provrummet men saknas i arbetsboken; lägg till organisationen \
                         i bladet {}.",
                        o.name, at_sheet.sheet
                    ),
                    format!(
                        "{} takes part in the provrum but is missing from the workbook; add the \
                         organisation to the sheet {}.",
                        o.name, at_sheet.sheet
                    ),
                ),
            )
            .at(at_sheet.clone()),
        );
    }
}

/// DELT-5 as a finding: `regions` participating regions are fewer than the rule set needs.
pub fn not_ready(regions: u32, rs: &RuleSet) -> Finding {
    Finding::new(
        &DELT_5,
        Text::new(
            format!(
                "Provrummet har {}; det behöver minst {} för att vara redo att starta.",
                counted(regions, "deltagande region", "deltagande regioner"),
                rs.regions_to_start
            ),
            format!(
                "The provrum has {}; it needs at least {} to be ready to start.",
                counted(regions, "participating region", "participating regions"),
                rs.regions_to_start
            ),
        ),
    )
}

/// Whether a stored provrum is ready to start: a leader and at least two participating regions
/// (the leader counts if it is a region). Derived, never stored.
pub fn readiness(
    kinds: &[ParticipantKind],
    has_leader: bool,
    rs: &RuleSet,
) -> Result<(), Vec<Finding>> {
    let regions = kinds.iter().filter(|k| k.is_region()).count() as u32;
    let mut findings = Vec::new();
    if !has_leader {
        findings.push(Finding::new(
            &DELT_3,
            Text::new(
                "Provrummet har ingen provrumsledare ännu.",
                "The provrum has no leader yet.",
            ),
        ));
    }
    if regions < rs.regions_to_start {
        findings.push(not_ready(regions, rs));
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(findings)
    }
}

/// DELT-1 when one more organisation registers interest: refused once the provrum is full.
pub fn admit_participant(current: u32, rs: &RuleSet) -> Result<(), Vec<Finding>> {
    if current < rs.max_participants {
        return Ok(());
    }
    Err(vec![Finding::new(
        &DELT_1,
        Text::new(
            format!(
                "Provrummet har redan {current} deltagande organisationer; högst {} får delta.",
                rs.max_participants
            ),
            format!(
                "The provrum already has {current} participating organisations; at most {} may take part.",
                rs.max_participants
            ),
        ),
    )])
}

/// DELT-4 when a leader is chosen: a partner may take part but not lead.
pub fn leader_allowed(name: &str, kind: ParticipantKind) -> Result<(), Vec<Finding>> {
    if kind != ParticipantKind::Partner {
        return Ok(());
    }
    Err(vec![Finding::new(
        &DELT_4,
        Text::new(
            format!(
                "{name} är partner och kan inte vara provrumsledare; bara medlemmar leder provrum."
            ),
            format!("{name} is a partner and cannot be the leader; only members lead a provrum."),
        ),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_of_organisations_and_regions_agree() {
        let rs = RuleSet::provrum_2023();
        let one = not_ready(1, &rs);
        assert_eq!(
            (one.text.sv.as_str(), one.text.en.as_str()),
            (
                "Provrummet har 1 deltagande region; det behöver minst 2 för att vara redo att starta.",
                "The provrum has 1 participating region; it needs at least 2 to be ready to start."
            )
        );
        assert!(
            not_ready(0, &rs)
                .text
                .sv
                .starts_with("Provrummet har 0 deltagande regioner;")
        );
    }

    #[test]
    fn the_leader_is_the_provrumsledare() {
        let rs = RuleSet::provrum_2023();
        let missing = readiness(
            &[ParticipantKind::Region, ParticipantKind::Region],
            false,
            &rs,
        )
        .expect_err("no leader");
        assert_eq!(
            missing[0].text.sv,
            "Provrummet har ingen provrumsledare ännu."
        );
        let partner = leader_allowed("Konsult AB", ParticipantKind::Partner).expect_err("partner");
        assert_eq!(
            partner[0].text.sv,
            "Konsult AB är partner och kan inte vara provrumsledare; bara medlemmar leder provrum."
        );
    }
}
