//! Each workbook rule fires alone on a workbook that breaks only it, at the right cell; and a
//! workbook at the rule's boundary passes.

use crate::helpers::{assert_fired, check, check_bytes, check_registered, fired, message};
use provrum_rules::{Registered, RegisteredOrg, Severity, Verdict};
use provrum_tests::{Book, V, d, s};

const P: &str = "Projektplan";
const D: &str = "Deltagare";
const B: &str = "Budget";

#[test]
fn the_valid_swedish_workbook_passes_with_its_numbers() {
    let c = check(&Book::valid_sv());
    assert_fired(&c, &[]);
    assert_eq!(c.summary.total_budget_ore.ore(), 12_000_000);
    assert_eq!(c.summary.base_funding_ore.ore(), 5_000_000);
    assert_eq!((c.summary.participants, c.summary.regions), (3, 2));
    assert_eq!(c.ruleset, "provrum-2023");
}

#[test]
fn the_english_workbook_laid_out_differently_passes() {
    let c = check(&Book::valid_en_shuffled());
    assert_fired(&c, &[]);
    assert_eq!(c.summary.total_budget_ore.ore(), 12_000_050);
    assert_eq!(c.summary.base_funding_ore.ore(), 5_000_000);
    assert_eq!((c.summary.participants, c.summary.regions), (3, 2));
}

#[test]
fn form_1_non_workbooks() {
    for (bytes, name) in [
        (b"%PDF-1.7 not a sheet".to_vec(), "budget.xlsx"),
        (b"Kostnadspost;Belopp\nResor;100\n".to_vec(), "budget.ods"),
        (Vec::new(), "empty.xlsx"),
    ] {
        let c = check_bytes(&bytes, name);
        assert_fired(&c, &["FORM-1"]);
        assert!(
            c.findings[0].message.contains("inte en arbetsbok"),
            "{}",
            c.findings[0].message
        );
    }
}

#[test]
fn form_2_missing_sheet() {
    let c = check(Book::valid_sv().rename(B, "Kostnader"));
    assert_fired(&c, &["FORM-2"]);
    assert!(message(&c).contains("Budget"));
    assert!(
        message(&c).contains("Kostnader"),
        "names the sheets that are there"
    );
}

#[test]
fn form_3_missing_header() {
    let c = check(Book::valid_sv().set(B, "B1", None));
    assert_fired(&c, &["FORM-3@Budget"]);
    assert!(message(&c).contains("Kategori"));
    let c = check(Book::valid_sv().set(D, "C1", Some(s("Funktion"))));
    assert_fired(&c, &["FORM-3@Deltagare"]);
}

#[test]
fn headers_tolerate_case_space_colons_and_position() {
    let mut book = Book::valid_sv();
    book.set(B, "C1", Some(s("  BELOPP (KR): ")));
    assert_fired(&check(&book), &[]);
}

#[test]
fn plan_1_each_required_field() {
    for (cell, label) in [
        ("B5", "Syfte"),
        ("B6", "Förväntat resultat"),
        ("B7", "Huvudfrågeställning"),
        ("B8", "Avgränsningar"),
        ("B9", "Startdatum"),
        ("B10", "Slutdatum"),
        ("B11", "Resurser"),
    ] {
        let c = check(Book::valid_sv().set(P, cell, None));
        assert_fired(&c, &[format!("PLAN-1@Projektplan!{cell}").as_str()]);
        assert!(message(&c).starts_with(label), "{}", message(&c));
    }
    // A label row that is missing entirely is located at the sheet.
    let c = check(Book::valid_sv().clear_row(P, 8));
    assert_fired(&c, &["PLAN-1@Projektplan"]);
}

#[test]
fn plan_2_criteria_and_indicators() {
    let c = check(Book::valid_sv().set(P, "B12", None));
    assert_fired(&c, &["PLAN-2@Projektplan!B12"]);
    let c = check(Book::valid_sv().set(P, "B13", None));
    assert_fired(&c, &["PLAN-2@Projektplan!B13"]);
    assert_eq!(c.findings[0].severity, Severity::Warning);
}

#[test]
fn plan_3_unreadable_date_and_end_before_start() {
    let c = check(Book::valid_sv().set(P, "B9", Some(s("1 mars"))));
    assert_fired(&c, &["PLAN-3@Projektplan!B9"]);
    assert!(message(&c).contains("1 mars"));
    let c = check(Book::valid_sv().set(P, "B10", Some(d(2025, 2, 1))));
    assert_fired(&c, &["PLAN-3@Projektplan!B10"]);
    assert!(message(&c).contains("2025-02-01") && message(&c).contains("2025-03-01"));
    // ISO text dates and Excel date serials are dates.
    let mut book = Book::valid_sv();
    book.set(P, "B9", Some(s("2025-03-01")))
        .set(P, "B10", Some(V::N(45_838.0))); // 2025-06-30
    assert_fired(&check(&book), &[]);
}

#[test]
fn tid_1_duration_outside_two_to_six_months() {
    let c = check(Book::valid_sv().set(P, "B10", Some(d(2025, 12, 31))));
    assert_fired(&c, &["TID-1@Projektplan!B10"]);
    assert!(message(&c).contains("2025-03-01") && message(&c).contains("2–6"));
    let c = check(Book::valid_sv().set(P, "B10", Some(d(2025, 4, 29))));
    assert_fired(&c, &["TID-1@Projektplan!B10"]);
    // Exactly two and exactly six months pass.
    assert_fired(
        &check(Book::valid_sv().set(P, "B10", Some(d(2025, 4, 30)))),
        &[],
    );
    assert_fired(
        &check(Book::valid_sv().set(P, "B10", Some(d(2025, 8, 31)))),
        &[],
    );
}

fn add_participant(book: &mut Book, row: u32, name: &str, kind: &str) {
    book.set(D, &format!("A{row}"), Some(s(name)))
        .set(D, &format!("B{row}"), Some(s(kind)))
        .set(D, &format!("C{row}"), Some(s("Deltagare")));
}

#[test]
fn delt_1_seven_organisations_and_six_pass() {
    let mut book = Book::valid_sv();
    for (i, name) in [
        "Region Jämtland Härjedalen",
        "Region Gävleborg",
        "Region Dalarna",
    ]
    .into_iter()
    .enumerate()
    {
        add_participant(&mut book, 5 + i as u32, name, "Region");
    }
    assert_fired(&check(&book), &[]);
    add_participant(&mut book, 8, "Region Kalmar län", "Region");
    let c = check(&book);
    assert_fired(&c, &["DELT-1@Deltagare"]);
    assert!(message(&c).contains('7') && message(&c).contains('6'));
}

#[test]
fn delt_2_fewer_than_half_regions_and_exactly_half_passes() {
    let mut book = Book::valid_sv();
    add_participant(&mut book, 5, "Linköpings kommun", "Medlem");
    assert_fired(&check(&book), &[]); // 2 of 4
    add_participant(&mut book, 6, "Länsstyrelsen Östergötland", "Medlem");
    let c = check(&book);
    assert_fired(&c, &["DELT-2@Deltagare"]);
    assert!(message(&c).starts_with("2 av 5"));
}

#[test]
fn delt_3_no_leader_and_two_leaders() {
    let c = check(Book::valid_sv().set(D, "C2", Some(s("Deltagare"))));
    assert_fired(&c, &["DELT-3@Deltagare"]);
    let c = check(Book::valid_sv().set(D, "C3", Some(s("ledare"))));
    assert_fired(&c, &["DELT-3@Deltagare!C3"]);
    assert!(message(&c).contains("Region Östergötland") && message(&c).contains("Region Skåne"));
}

#[test]
fn delt_4_partner_leader() {
    let mut book = Book::valid_sv();
    book.set(D, "B2", Some(s("Partner")));
    add_participant(&mut book, 5, "Region Jönköpings län", "Region");
    let c = check(&book);
    assert_fired(&c, &["DELT-4@Deltagare!B2"]);
    assert!(message(&c).contains("Region Östergötland"));
}

#[test]
fn delt_5_one_region_is_not_ready() {
    let mut book = Book::valid_sv();
    book.clear_row(D, 3)
        .set(B, "D5", Some(s("Norrköpings kommun")));
    let c = check(&book);
    assert_fired(&c, &["DELT-5@Deltagare"]);
    assert!(message(&c).contains("1 deltagande region") || message(&c).contains("har 1"));
}

#[test]
fn delt_6_unknown_kind_and_role() {
    let c = check(Book::valid_sv().set(D, "B4", Some(s("Kommun"))));
    assert_fired(&c, &["DELT-6@Deltagare!B4"]);
    assert!(message(&c).contains("Kommun"));
    let c = check(Book::valid_sv().set(D, "C4", Some(s("Observatör"))));
    assert_fired(&c, &["DELT-6@Deltagare!C4"]);
}

/// The stored provrum `Book::valid_sv` belongs to, with `orgs` taking part and led by
/// Region Östergötland.
fn owner(orgs: &[RegisteredOrg]) -> Registered<'_> {
    Registered {
        title: "Drönare – nya frågeställningar",
        orgs,
        leader: Some("ostergotland"),
    }
}

fn org(id: &str, name: &str) -> RegisteredOrg {
    RegisteredOrg {
        id: id.into(),
        name: name.into(),
    }
}

#[test]
fn delt_7_a_participant_missing_from_the_workbook() {
    let same = [
        org("ostergotland", "Region Östergötland"),
        org("skane", "Region Skåne"),
        org("norrkoping", "norrköpings kommun"),
    ];
    assert_fired(&check_registered(&Book::valid_sv(), owner(&same)), &[]);
    // Matching by id works too.
    let by_id = [
        org("Region Östergötland", "RÖ"),
        org("skane", "Region Skåne"),
        org("norrkoping", "Norrköpings kommun"),
    ];
    let mut led = owner(&by_id);
    led.leader = Some("Region Östergötland");
    assert_fired(&check_registered(&Book::valid_sv(), led), &[]);
    let joined = [
        org("ostergotland", "Region Östergötland"),
        org("skane", "Region Skåne"),
        org("norrkoping", "Norrköpings kommun"),
        org("linkoping", "Linköpings kommun"),
    ];
    let c = check_registered(&Book::valid_sv(), owner(&joined));
    assert_fired(&c, &["DELT-7@Deltagare"]);
    assert!(c.findings[0].message.contains("Linköpings kommun"));
    assert_eq!(c.verdict, Verdict::Warnings);
    // A stateless check never raises it.
    assert_fired(&check(&Book::valid_sv()), &[]);
}

#[test]
fn delt_8_another_provrums_workbook_is_an_error_at_its_cells() {
    // Someone in the workbook who does not take part, located to the cell, named.
    let other = [
        org("ostergotland", "Region Östergötland"),
        org("skane", "Region Skåne"),
        org("linkoping", "Linköpings kommun"),
    ];
    let c = check_registered(&Book::valid_sv(), owner(&other));
    assert_fired(&c, &["DELT-8@Deltagare!A4", "DELT-7@Deltagare"]);
    assert!(c.findings[0].message.contains("Norrköpings kommun"));
    assert!(c.findings[1].message.contains("Linköpings kommun"));
    assert_eq!(c.verdict, Verdict::Errors);
    // Another leader than the provrum's: at the role cell, naming both.
    let same = [
        org("ostergotland", "Region Östergötland"),
        org("skane", "Region Skåne"),
        org("norrkoping", "Norrköpings kommun"),
    ];
    let mut book = Book::valid_sv();
    book.set(D, "C2", Some(s("Deltagare")))
        .set(D, "C3", Some(s("Ledare")));
    let c = check_registered(&book, owner(&same));
    assert_fired(&c, &["DELT-8@Deltagare!C3"]);
    assert_eq!(
        c.findings[0].message,
        "Arbetsboken anger Region Skåne som provrumsledare, men provrummets ledare är Region Östergötland."
    );
    // A workbook of another provrum altogether: every stranger named, every member missing.
    let mut strangers = Book::valid_sv();
    strangers
        .set(D, "A2", Some(s("Region Uppsala")))
        .set(D, "A3", Some(s("Region Gävleborg")))
        .set(D, "A4", Some(s("Uppsala kommun")));
    let c = check_registered(&strangers, owner(&same));
    let ids: Vec<String> = fired(&c);
    assert_eq!(
        ids,
        [
            "DELT-8@Deltagare!A2",
            "DELT-8@Deltagare!A3",
            "DELT-8@Deltagare!A4",
            "DELT-8@Deltagare!C2",
            "DELT-7@Deltagare",
            "DELT-7@Deltagare",
            "DELT-7@Deltagare",
        ]
    );
}

#[test]
fn plan_4_another_title_is_a_warning_at_the_name() {
    let same = [
        org("ostergotland", "Region Östergötland"),
        org("skane", "Region Skåne"),
        org("norrkoping", "Norrköpings kommun"),
    ];
    // Case and spacing aside, the same title.
    let mut book = Book::valid_sv();
    book.set(P, "B3", Some(s("  drönare –  nya frågeställningar ")));
    assert_fired(&check_registered(&book, owner(&same)), &[]);
    book.set(P, "B3", Some(s("Fossilfria tjänsteresor")));
    let c = check_registered(&book, owner(&same));
    assert_fired(&c, &["PLAN-4@Projektplan!B3"]);
    assert!(c.findings[0].message.contains("”Fossilfria tjänsteresor”"));
    assert_eq!(c.verdict, Verdict::Warnings);
}

#[test]
fn bud_1_no_cost_lines() {
    let mut book = Book::valid_sv();
    for row in 2..=6 {
        book.clear_row(B, row);
    }
    assert_fired(&check(&book), &["BUD-1@Budget"]);
}

#[test]
fn bud_2_amounts_that_cannot_be_used() {
    for (value, words) in [
        (s("12.500"), "tvetydigt"),
        (s("12,500"), "tvetydigt"),
        (s("tolv tusen"), "inte ett tal"),
        (V::N(0.0), "inte större än noll"),
        (V::N(-500.0), "inte större än noll"),
        (V::B(true), "inte ett tal"),
    ] {
        let c = check(Book::valid_sv().set(B, "C5", Some(value.clone())));
        assert_fired(&c, &["BUD-2@Budget!C5"]);
        assert!(
            message(&c).contains(words) && message(&c).contains("Budget!C5"),
            "{value:?}: {}",
            message(&c)
        );
    }
    // The suggestion is in whole kronor, as the template asks.
    let c = check(Book::valid_sv().set(B, "C5", Some(s("12.500"))));
    assert_eq!(
        message(&c),
        "Beloppet \"12.500\" för \"Resor\" i Budget!C5 är tvetydigt; skriv beloppet i hela kronor med mellanslag mellan tusentalen, t.ex. 12 500."
    );
    let c = check(Book::valid_sv().set(B, "C5", None));
    assert_fired(&c, &["BUD-2@Budget!C5"]);
    assert!(message(&c).contains("saknas"));
    // Swedish text amounts are read, not refused.
    let c = check(Book::valid_sv().set(B, "C5", Some(s("20 000,50 kr"))));
    assert_fired(&c, &[]);
    assert_eq!(c.summary.total_budget_ore.ore(), 12_000_050);
}

#[test]
fn bud_3_unknown_category() {
    let c = check(Book::valid_sv().set(B, "B5", Some(s("Fika"))));
    assert_fired(&c, &["BUD-3@Budget!B5"]);
    assert!(message(&c).contains("Fika") && message(&c).contains("Expertstöd"));
    // Case and English names are accepted.
    assert_fired(
        &check(Book::valid_sv().set(B, "B5", Some(s(" travel ")))),
        &[],
    );
}

#[test]
fn bud_4_base_funding_above_100_000_kr() {
    let mut book = Book::valid_sv();
    book.set(B, "C2", Some(V::N(250_000.0)))
        .set(B, "C3", Some(V::N(90_000.0)));
    assert_fired(&check(&book), &[]); // exactly 100 000 kr
    book.set(B, "C3", Some(V::N(90_000.5)));
    let c = check(&book);
    assert_fired(&c, &["BUD-4@Budget!C3"]);
    assert!(
        message(&c).contains("100 000,50 kr") && message(&c).contains("100 000 kr"),
        "{}",
        message(&c)
    );
}

#[test]
fn bud_5_base_funding_above_half() {
    let mut book = Book::valid_sv();
    book.set(B, "C2", Some(V::N(30_000.0)));
    assert_fired(&check(&book), &[]); // 50 000 of 100 000: exactly half
    book.set(B, "C2", Some(V::N(29_999.0)));
    let c = check(&book);
    assert_fired(&c, &["BUD-5@Budget!C3"]);
    assert!(
        message(&c).contains("50 000 kr") && message(&c).contains("49 999,50 kr"),
        "{}",
        message(&c)
    );
}

#[test]
fn bud_6_base_funding_for_working_time() {
    let mut book = Book::valid_sv();
    book.set(B, "D2", Some(s("Reglab")))
        .set(B, "C2", Some(V::N(5_000.0)))
        .set(B, "C5", Some(V::N(60_000.0)));
    let c = check(&book);
    assert_fired(&c, &["BUD-6@Budget!B2"]);
    assert!(message(&c).contains("Projektledning"));
}

#[test]
fn bud_7_no_expert_support() {
    let c = check(Book::valid_sv().set(B, "B3", Some(s("Övrigt"))));
    assert_fired(&c, &["BUD-7@Budget"]);
    assert_eq!(c.findings[0].severity, Severity::Warning);
}

#[test]
fn bud_8_unknown_funder() {
    let c = check(Book::valid_sv().set(B, "D5", Some(s("Konsultbolaget AB"))));
    assert_fired(&c, &["BUD-8@Budget!D5"]);
    assert!(message(&c).contains("Konsultbolaget AB"));
    let c = check(Book::valid_sv().set(B, "D5", None));
    assert_fired(&c, &["BUD-8@Budget!D5"]);
    // Funders match participants ignoring case and surrounding space.
    assert_fired(
        &check(Book::valid_sv().set(B, "D5", Some(s("  REGION SKÅNE ")))),
        &[],
    );
}

#[test]
fn english_messages_on_request() {
    let rs = provrum_rules::RuleSet::provrum_2023();
    let mut book = Book::valid_sv();
    book.set(B, "C2", Some(V::N(29_999.0)));
    let report = provrum_workbook::check(
        &book.to_xlsx(),
        None,
        provrum_rules::Context::stateless(&rs),
    )
    .report;
    let en = report.render(provrum_rules::Lang::En);
    assert_eq!(
        en.findings[0].message,
        "Reglab's base funding is 50 000 kr but may be at most 49 999,50 kr, half of the planned budget (99 999 kr). Reduce it by 0,50 kr."
    );
    let sv = report.render(provrum_rules::Lang::Sv);
    assert_eq!(
        sv.findings[0].message,
        "Reglabs basfinansiering är 50 000 kr men får vara högst 49 999,50 kr, hälften av den planerade budgeten (99 999 kr). Minska den med 0,50 kr."
    );
    assert_eq!(
        sv.findings[0].source.as_deref(),
        Some("Basfinansieringen ska inte utgöra mer än hälften av den planerade budgeten.")
    );
}

#[test]
fn compliance_json_has_the_contract_shape() {
    let c = check(Book::valid_sv().set(B, "B5", Some(s("Fika"))));
    let text = serde_json::to_string(&c).expect("json");
    let at = |key: &str| text.find(&format!("\"{key}\":")).expect(key);
    assert!(
        at("verdict") < at("ruleset")
            && at("ruleset") < at("summary")
            && at("summary") < at("findings"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(json["verdict"], "errors");
    assert_eq!(json["summary"]["total_budget_ore"], 12_000_000);
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "BUD-3");
    assert_eq!(finding["severity"], "error");
    assert_eq!(
        finding["location"],
        serde_json::json!({"sheet": "Budget", "cell": "B5"})
    );
    assert!(
        finding.get("source").is_none(),
        "BUD-3 states no seed sentence"
    );
    let c = check(Book::valid_sv().set(B, "B3", Some(s("Övrigt"))));
    let json = serde_json::to_value(&c).expect("json");
    assert_eq!(json["verdict"], "warnings");
    assert_eq!(
        json["findings"][0]["location"],
        serde_json::json!({"sheet": "Budget"})
    );
}
