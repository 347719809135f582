//! The template: what a person gets, and that filling it in correctly passes.

use crate::helpers::{assert_fired, check_bytes};
use provrum_rules::{Lang, RuleSet};
use provrum_tests::zip_part;
use provrum_workbook::template::{build, example};

#[test]
fn a_filled_in_template_passes_in_both_languages() {
    for lang in [Lang::Sv, Lang::En] {
        let bytes = build(lang, &RuleSet::provrum_2023(), Some(&example(lang))).expect("template");
        let c = check_bytes(&bytes, "exempel.xlsx");
        assert_fired(&c, &[]);
        assert_eq!(c.summary.total_budget_ore.ore(), 26_500_000);
        assert_eq!(c.summary.base_funding_ore.ore(), 9_300_000);
    }
}

#[test]
fn the_blank_template_asks_for_everything_and_nothing_else() {
    let c = check_bytes(
        &build(Lang::Sv, &RuleSet::provrum_2023(), None).expect("template"),
        "mall.xlsx",
    );
    let rules: Vec<&str> = c.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(
        rules,
        [
            "PLAN-1", "PLAN-1", "PLAN-1", "PLAN-1", "PLAN-1", "PLAN-1", "PLAN-1", "PLAN-2",
            "PLAN-2", "DELT-1", "DELT-3", "DELT-5", "BUD-1"
        ]
    );
    // Each PLAN-1 points at the empty value cell next to its label.
    assert_eq!(
        c.findings[0]
            .location
            .as_ref()
            .and_then(|l| l.cell.as_deref()),
        Some("B6")
    );
}

#[test]
fn the_template_has_dropdowns_formats_and_help_in_swedish() {
    let bytes = build(Lang::Sv, &RuleSet::provrum_2023(), None).expect("template");
    let workbook = zip_part(&bytes, "xl/workbook.xml");
    for sheet in ["Projektplan", "Deltagare", "Budget"] {
        assert!(workbook.contains(&format!("name=\"{sheet}\"")), "{sheet}");
    }
    let participants = zip_part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(
        participants.contains("\"Region,Medlem,Partner\""),
        "kind dropdown"
    );
    assert!(
        participants.contains("\"Ledare,Deltagare\""),
        "role dropdown"
    );
    let budget = zip_part(&bytes, "xl/worksheets/sheet3.xml");
    assert!(
        budget.contains("Expertstöd") && budget.contains("Kommunikation och spridning"),
        "category dropdown"
    );
    assert!(budget.contains("Listor!$A$1:$A$21"), "funder dropdown");
    let styles = zip_part(&bytes, "xl/styles.xml");
    assert!(styles.contains("#,##0 &quot;kr&quot;"), "kronor format");
    assert!(styles.contains("yyyy-mm-dd"), "date format");
    let notes = zip_part(&bytes, "xl/comments1.xml");
    assert!(notes.contains("måste fyllas i"), "explanatory notes");
    let en = build(Lang::En, &RuleSet::provrum_2023(), None).expect("template");
    assert!(zip_part(&en, "xl/workbook.xml").contains("name=\"Project plan\""));
}

#[test]
fn the_template_asks_for_whole_kronor_and_names_things_as_the_rules_do() {
    let bytes = build(Lang::Sv, &RuleSet::provrum_2023(), None).expect("template");
    let strings = zip_part(&bytes, "xl/sharedStrings.xml");
    for text in [
        "En rad per kostnadspost, belopp i hela kronor.",
        "Kriterier för ett lyckat resultat",
        "Reglabs basfinansiering",
        "Exakt en ska ha rollen Ledare, och provrumsledaren får inte ha typen Partner.",
    ] {
        assert!(strings.contains(text), "{text}");
    }
    let budget = zip_part(&bytes, "xl/worksheets/sheet3.xml");
    assert!(budget.contains("Skriv ett belopp större än noll, i hela kronor."));
    let en = build(Lang::En, &RuleSet::provrum_2023(), None).expect("template");
    let strings = zip_part(&en, "xl/sharedStrings.xml");
    assert!(strings.contains("One row per cost item, amounts in whole kronor."));
    assert!(
        strings.contains("Reglab&apos;s base funding") || strings.contains("Reglab's base funding")
    );
    assert!(zip_part(&en, "xl/worksheets/sheet3.xml").contains("in whole kronor."));
}
