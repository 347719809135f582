//! The rules that need stored state (KVOT, PROC, RES) and readiness, as the store will call them.

use chrono::NaiveDate;
use provrum_rules::kvot::{QuotaYear, admit, quota_year};
use provrum_rules::model::{Membership, ParticipantKind, Status};
use provrum_rules::{Ore, RuleSet, delt, process, res};

fn ids(r: Result<(), Vec<provrum_rules::Finding>>) -> Vec<String> {
    r.err()
        .unwrap_or_default()
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn proc_1_only_members_propose() {
    assert!(process::may_propose(Membership::Member).is_ok());
    assert_eq!(ids(process::may_propose(Membership::Partner)), ["PROC-1"]);
    assert_eq!(ids(process::may_propose(Membership::Kansli)), ["PROC-1"]);
}

#[test]
fn proc_2_only_the_kansli_starts_a_proposed_provrum() {
    assert!(process::may_approve(Membership::Kansli, Status::Proposed).is_ok());
    assert_eq!(
        ids(process::may_approve(Membership::Member, Status::Proposed)),
        ["PROC-2"]
    );
    for status in [Status::Running, Status::Reported, Status::Withdrawn] {
        assert_eq!(
            ids(process::may_approve(Membership::Kansli, status)),
            ["PROC-2"]
        );
    }
}

#[test]
fn kvot_the_quota_year_is_the_start_year() {
    let rs = RuleSet::provrum_2023();
    let start = NaiveDate::from_ymd_opt(2025, 12, 15).expect("date");
    assert_eq!(quota_year(start), 2025);
    let used = QuotaYear {
        year: 2025,
        started: 2,
        base_funding: Ore::kr(200_000),
    };
    let findings = admit(&used, Ore::kr(1), &rs).expect_err("over quota");
    assert_eq!(
        findings.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
        ["KVOT-1", "KVOT-2"]
    );
    assert!(
        findings[1].text.sv.contains("200 001 kr") && findings[1].text.sv.contains("200 000 kr"),
        "{}",
        findings[1].text.sv
    );
}

#[test]
fn readiness_needs_a_leader_and_two_regions() {
    let rs = RuleSet::provrum_2023();
    use ParticipantKind::{Member, Partner, Region};
    assert!(delt::readiness(&[Region, Region], true, &rs).is_ok());
    assert_eq!(
        ids(delt::readiness(&[Region, Member, Partner], true, &rs)),
        ["DELT-5"]
    );
    assert_eq!(
        ids(delt::readiness(&[Region, Region], false, &rs)),
        ["DELT-3"]
    );
}

#[test]
fn delt_1_and_delt_4_when_joining_and_choosing_a_leader() {
    let rs = RuleSet::provrum_2023();
    assert!(delt::admit_participant(5, &rs).is_ok());
    assert_eq!(ids(delt::admit_participant(6, &rs)), ["DELT-1"]);
    assert!(delt::leader_allowed("Region Skåne", ParticipantKind::Region).is_ok());
    assert_eq!(
        ids(delt::leader_allowed(
            "Forskningsinstitutet",
            ParticipantKind::Partner
        )),
        ["DELT-4"]
    );
}

#[test]
fn res_1_result_overdue() {
    let end = NaiveDate::from_ymd_opt(2025, 6, 30);
    let today = NaiveDate::from_ymd_opt(2025, 9, 1).expect("date");
    let f = res::result_overdue(Status::Running, end, today).expect("overdue");
    assert_eq!(f.rule, "RES-1");
    assert!(f.text.sv.contains("2025-06-30") && f.text.sv.contains("63 dagar"));
}
