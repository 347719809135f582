//! The generated documentation is current: `docs/rules.md` is what `provrum rules` prints and
//! `docs/api.md` what `provrum api-docs` prints. When one fails, regenerate it with the command
//! the failure names (or run this test with `PROVRUM_BLESS=1`), and read the diff.

mod common;

use std::path::PathBuf;

fn doc(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../docs")
        .join(name)
}

/// The command's output must equal the file; with `PROVRUM_BLESS=1` the file is rewritten.
fn assert_current(args: &[&str], file: &str, regenerate: &str) {
    let out = common::provrum(args, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "provrum {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).expect("utf-8");
    let path = doc(file);
    if std::env::var_os("PROVRUM_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write the doc");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk != generated {
        let first = on_disk
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| on_disk.lines().count().min(generated.lines().count()));
        panic!(
            "docs/{file} is stale (first difference at line {}: {:?} vs now {:?}). \
             Regenerate it with `{regenerate}` (or PROVRUM_BLESS=1 cargo test -p provrum --test docs).",
            first + 1,
            on_disk.lines().nth(first).unwrap_or(""),
            generated.lines().nth(first).unwrap_or(""),
        );
    }
}

#[test]
fn docs_rules_md_is_what_provrum_rules_prints() {
    assert_current(&["rules"], "rules.md", provrum_rules::catalogue::REGENERATE);
}

#[test]
fn docs_api_md_is_what_provrum_api_docs_prints() {
    assert_current(&["api-docs"], "api.md", provrum_http::apidoc::REGENERATE);
}

#[test]
fn docs_rules_md_lists_every_rule_with_an_example_in_both_languages() {
    let md = provrum::docs::rules();
    for rule in provrum_rules::CATALOGUE {
        let section = md
            .split(&format!("\n## {}\n", rule.id))
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .unwrap_or_else(|| panic!("no section for {}", rule.id));
        assert!(
            section.contains("\n- sv: ") && section.contains("\n- en: "),
            "{} has no example message: {section}",
            rule.id
        );
    }
    assert!(!md.contains("(No example.)"));
}

/// Every operation and every schema of the served document has its section in docs/api.md, and
/// the open routes say so.
#[test]
fn docs_api_md_has_every_operation_and_schema() {
    let doc = provrum::docs::openapi().expect("the document");
    let md = provrum::docs::api().expect("docs/api.md");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 19, "{} paths", paths.len());
    for (path, item) in paths {
        for method in item.as_object().expect("path item").keys() {
            let heading = format!("\n## {} {path}\n", method.to_uppercase());
            assert!(md.contains(&heading), "{heading}");
        }
    }
    for name in doc["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
    {
        assert!(md.contains(&format!("\n### {name}\n")), "{name}");
    }
    assert!(md.contains("| GET | [`/health`](#get-health) | Liveness | none |"));
    assert!(md.contains(
        "| GET | [`/provrum`](#get-provrum) | List provrum in the order they were proposed, a page at a time | bearer token |"
    ));
}

/// The runbook's table of business metrics (infra/README.md) lists exactly the metrics the
/// functions write (`provrum_http::metrics::METRICS`), each with its dimensions.
#[test]
fn the_runbook_lists_every_business_metric_with_its_dimensions() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/README.md");
    let runbook = std::fs::read_to_string(&path).expect("infra/README.md");
    let rows: Vec<(&str, &str)> = runbook
        .lines()
        .filter_map(|line| {
            let mut cells = line.strip_prefix("| `")?.splitn(2, "` |");
            Some((cells.next()?, cells.next()?))
        })
        .collect();
    let listed: Vec<&str> = rows.iter().map(|(name, _)| *name).collect();
    let written: Vec<&str> = provrum_http::metrics::METRICS
        .iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(listed, written, "the metrics table in infra/README.md");
    for (metric, (_, rest)) in provrum_http::metrics::METRICS.iter().zip(&rows) {
        let dimensions = rest.split(" | ").next().unwrap_or_default();
        for dimension in metric.dimensions {
            assert!(
                dimensions.contains(&format!("`{dimension}`")),
                "{}: dimension {dimension} is not in its row",
                metric.name
            );
        }
    }
}
