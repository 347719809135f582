//! `provrum check` and `provrum template` as a user runs them: output, formats, exit codes.

mod common;

use provrum_tests::{Book, V, s};
use std::path::{Path, PathBuf};
use std::process::Output;

fn provrum(args: &[&str]) -> Output {
    common::provrum(args, &[])
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_correct_workbook_exits_0_with_a_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "budget.xlsx", &Book::valid_sv().to_xlsx());
    let out = provrum(&["check", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains(": inga fel. Budget 120 000 kr, varav Reglabs basfinansiering 50 000 kr"),
        "{text}"
    );
}

#[test]
fn a_correct_english_workbook_laid_out_differently_exits_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(
        dir.path(),
        "budget-en.xlsx",
        &Book::valid_en_shuffled().to_xlsx(),
    );
    let out = provrum(&["check", "--lang", "en", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out)
            .contains("no errors. Budget 120 000,50 kr, of which Reglab's base funding 50 000 kr"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn findings_are_one_line_each_like_a_linter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut book = Book::valid_sv();
    book.set("Budget", "C5", Some(s("12.500")))
        .set("Budget", "B3", Some(s("Övrigt")));
    let file = write(dir.path(), "budget.xlsx", &book.to_xlsx());
    let path = file.to_str().expect("utf-8");
    let out = provrum(&["check", path]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(&format!("{path}:Budget!C5: fel BUD-2: Beloppet \"12.500\"")),
        "{text}"
    );
    assert!(
        lines[1].starts_with(&format!("{path}:Budget: varning BUD-7: ")),
        "{text}"
    );
    // The README shows these lines.
    assert_eq!(
        lines[2],
        format!(
            "{path}: 1 fel och 1 varning. Budget 100 000 kr, varav Reglabs basfinansiering 50 000 kr; 3 deltagare (2 regioner). Regelverk provrum-2023."
        )
    );
    assert_eq!(
        lines[0],
        format!(
            "{path}:Budget!C5: fel BUD-2: Beloppet \"12.500\" för \"Resor\" i Budget!C5 är tvetydigt; skriv beloppet i hela kronor med mellanslag mellan tusentalen, t.ex. 12 500."
        )
    );

    let out = provrum(&["check", path, "--lang", "en"]);
    let text = stdout(&out);
    assert!(
        text.contains(": error BUD-2: The amount \"12.500\"")
            && text.contains("1 error and 1 warning"),
        "{text}"
    );
}

#[test]
fn warnings_only_exit_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(
        dir.path(),
        "budget.ods",
        &Book::valid_sv()
            .set("Budget", "B3", Some(s("Övrigt")))
            .to_ods(),
    );
    let out = provrum(&["check", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains(": inga fel, 1 varning. Budget "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn json_is_exactly_the_compliance_result() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut book = Book::valid_sv();
    book.set("Budget", "C2", Some(V::N(29_999.0)));
    let bytes = book.to_xls();
    let file = write(dir.path(), "budget.xls", &bytes);
    let out = provrum(&[
        "check",
        "--format",
        "json",
        "--lang",
        "en",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let printed: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("only JSON on stdout");
    let rs = provrum_rules::RuleSet::provrum_2023();
    let expected = provrum_workbook::check(&bytes, None, provrum_rules::Context::stateless(&rs))
        .report
        .render(provrum_rules::Lang::En);
    assert_eq!(printed, serde_json::to_value(expected).expect("json"));
    assert_eq!(
        printed["findings"][0]["message"],
        "Reglab's base funding is 50 000 kr but may be at most 49 999,50 kr, half of the planned budget (99 999 kr). Reduce it by 0,50 kr."
    );
}

#[test]
fn unreadable_and_missing_files_are_form_1_with_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "budget.xlsx", b"not a workbook");
    let out = provrum(&["check", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("fel FORM-1: Filen är inte en arbetsbok"),
        "{}",
        stdout(&out)
    );
    let missing = dir.path().join("finns-inte.xlsx");
    let out = provrum(&[
        "check",
        "--format",
        "json",
        missing.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(printed["findings"][0]["rule"], "FORM-1");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(provrum(&["check"]).status.code(), Some(2));
    assert_eq!(
        provrum(&["check", "x.xlsx", "--format", "xml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        provrum(&["check", "x.xlsx", "--lang", "de"]).status.code(),
        Some(2)
    );
    assert_eq!(provrum(&["granska", "x.xlsx"]).status.code(), Some(2));
    assert_eq!(provrum(&[]).status.code(), Some(2));
}

#[test]
fn the_template_is_written_and_the_bundled_example_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    for lang in ["sv", "en"] {
        let blank = dir.path().join(format!("mall-{lang}.xlsx"));
        let out = provrum(&["template", blank.to_str().expect("utf-8"), "--lang", lang]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A blank template is not a valid plan: it asks for every required field.
        let out = provrum(&["check", blank.to_str().expect("utf-8"), "--lang", lang]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            stdout(&out).matches("PLAN-1").count(),
            7,
            "{}",
            stdout(&out)
        );

        let example = dir.path().join(format!("exempel-{lang}.xlsx"));
        let out = provrum(&[
            "template",
            "--example",
            example.to_str().expect("utf-8"),
            "--lang",
            lang,
        ]);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(
            provrum(&["check", example.to_str().expect("utf-8")])
                .status
                .code(),
            Some(0)
        );
    }
    // The example checked in for the README is what `template --example` writes, and passes.
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/exempel-provrum.xlsx");
    let out = provrum(&[
        "check",
        "--format",
        "json",
        bundled.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(printed["verdict"], "ok");
    assert_eq!(printed["summary"]["total_budget_ore"], 26_500_000);
}
