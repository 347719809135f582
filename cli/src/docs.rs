//! The project's generated documentation: `docs/rules.md` (`provrum rules`) and `docs/api.md`
//! (`provrum api-docs`). A test in `cli/tests/docs.rs` fails when either file is stale.

use provrum_rules::catalogue::{self, Example};
use provrum_rules::{Context, RuleSet, form};
use provrum_workbook::{Limits, ReadError};

/// `docs/rules.md`: the rule catalogue of the rule set in force, with FORM-1's messages from the
/// workbook reader added to the rules crate's own examples.
pub fn rules() -> String {
    let rs = RuleSet::provrum_2023();
    let mut examples = unreadable_examples(&rs);
    examples.extend(catalogue::examples(&rs));
    catalogue::markdown(&rs, &examples)
}

/// `docs/api.md`: the reference rendered from the document served at `GET /openapi.json`.
pub fn api() -> anyhow::Result<String> {
    Ok(provrum_http::apidoc::markdown(&openapi()?))
}

/// The OpenAPI document served at `GET /openapi.json` (`provrum openapi`).
pub fn openapi() -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::to_value(provrum_api::openapi())?)
}

/// FORM-1 as the reader gives it: a PDF read for real, and two of its refusals.
fn unreadable_examples(rs: &RuleSet) -> Vec<Example> {
    let pdf = provrum_workbook::check(
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        Some("budget.pdf"),
        Context::stateless(rs),
    );
    let limit = Limits::default().max_file_bytes;
    let refused = [
        (
            "A file over the upload limit".to_string(),
            ReadError::TooLarge {
                size: limit + limit / 5,
                limit,
            },
        ),
        (
            "A password-protected workbook".to_string(),
            ReadError::Encrypted,
        ),
    ];
    pdf.report
        .findings
        .into_iter()
        .map(|finding| Example {
            situation: "A PDF uploaded as the workbook".into(),
            finding,
        })
        .chain(refused.into_iter().map(|(situation, e)| Example {
            situation,
            finding: form::unreadable(e.text()),
        }))
        .collect()
}
