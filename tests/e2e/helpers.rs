use provrum_rules::{Checked, Compliance, Context, Lang, Registered, RuleSet, Verdict};
use provrum_tests::Book;

/// The check of an upload as the service runs it, held to the check of the workbook read whole
/// ([`provrum_tests::check_streamed_as_whole`]): every rule test below goes through it.
pub fn checked(bytes: &[u8], name: &str, ctx: Context<'_>) -> Checked {
    provrum_tests::check_streamed_as_whole(bytes, name, ctx).1
}

pub fn check_bytes(bytes: &[u8], name: &str) -> Compliance {
    let rs = RuleSet::provrum_2023();
    checked(bytes, name, Context::stateless(&rs))
        .report
        .render(Lang::Sv)
}

pub fn check(book: &Book) -> Compliance {
    check_bytes(&book.to_xlsx(), "test.xlsx")
}

pub fn check_registered(book: &Book, registered: Registered<'_>) -> Compliance {
    let rs = RuleSet::provrum_2023();
    let ctx = Context {
        ruleset: &rs,
        registered: Some(registered),
    };
    checked(&book.to_xlsx(), "test.xlsx", ctx)
        .report
        .render(Lang::Sv)
}

/// The findings as `RULE@Sheet!A1` (or `RULE@Sheet`), in order.
pub fn fired(c: &Compliance) -> Vec<String> {
    c.findings
        .iter()
        .map(|f| match &f.location {
            Some(l) => format!("{}@{}", f.rule, l.reference()),
            None => f.rule.clone(),
        })
        .collect()
}

/// Asserts exactly these findings and the verdict they imply.
#[track_caller]
pub fn assert_fired(c: &Compliance, expected: &[&str]) {
    let got = fired(c);
    assert_eq!(got, expected, "findings: {:#?}", c.findings);
    let verdict = if c.findings.is_empty() {
        Verdict::Ok
    } else if c
        .findings
        .iter()
        .any(|f| f.severity == provrum_rules::Severity::Error)
    {
        Verdict::Errors
    } else {
        Verdict::Warnings
    };
    assert_eq!(c.verdict, verdict);
}

/// The message of the only finding.
pub fn message(c: &Compliance) -> &str {
    assert_eq!(c.findings.len(), 1, "{:#?}", c.findings);
    &c.findings[0].message
}
