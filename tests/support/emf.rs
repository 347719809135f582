//! CloudWatch Embedded Metric Format (EMF) lines, checked as CloudWatch Logs would take them.
//!
//! `emf-schema.json` is the JSON schema AWS publishes in "Specification: Embedded metric format"
//! (CloudWatch User Guide,
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>),
//! copied as published. The schema covers the `_aws` metadata only; the specification's rules
//! about the members it points at (each dimension a string at the root, each metric a number or
//! an array of at most 100 numbers at the root) are checked here too.

use serde_json::Value;
use std::sync::LazyLock;

static SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value =
        serde_json::from_str(include_str!("emf-schema.json")).expect("the EMF schema is JSON");
    // Written for draft 7 (its `$id`s are JSON pointers, which later drafts do not allow).
    jsonschema::draft7::new(&schema).expect("the EMF schema compiles")
});

/// The EMF lines of a process's stdout: the lines that are JSON objects with `_aws`.
pub fn lines(stdout: &[String]) -> Vec<Value> {
    stdout
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line.get("_aws").is_some())
        .collect()
}

/// Why `line` is not an EMF document CloudWatch would turn into metrics, if it is not.
pub fn problems(line: &Value) -> Vec<String> {
    let mut problems: Vec<String> = SCHEMA
        .iter_errors(line)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    let directives = line["_aws"]["CloudWatchMetrics"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for directive in directives {
        for set in directive["Dimensions"].as_array().into_iter().flatten() {
            for dimension in set
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !line[dimension].is_string() {
                    problems.push(format!("dimension {dimension} is not a string at the root"));
                }
            }
        }
        let metrics = directive["Metrics"].as_array().map(Vec::as_slice);
        let metrics = metrics.unwrap_or_default();
        if metrics.len() > 100 {
            problems.push(format!(
                "{} metrics in one directive (at most 100)",
                metrics.len()
            ));
        }
        for name in metrics.iter().filter_map(|m| m["Name"].as_str()) {
            match &line[name] {
                Value::Number(_) => {}
                Value::Array(values)
                    if values.len() <= 100 && values.iter().all(Value::is_number) => {}
                other => problems.push(format!(
                    "metric {name} is {other}, not a number at the root"
                )),
            }
        }
    }
    problems
}

/// The metrics of the EMF lines as `(name, dimensions, value)`, dimensions as `name=value`.
pub fn values(lines: &[Value]) -> Vec<(String, Vec<String>, f64)> {
    let mut out = Vec::new();
    for line in lines {
        for directive in line["_aws"]["CloudWatchMetrics"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let dimensions: Vec<String> = directive["Dimensions"][0]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|d| format!("{d}={}", line[d].as_str().unwrap_or("?")))
                .collect();
            for metric in directive["Metrics"].as_array().into_iter().flatten() {
                let name = metric["Name"].as_str().unwrap_or("?");
                let value = line[name].as_f64().unwrap_or(f64::NAN);
                out.push((name.to_string(), dimensions.clone(), value));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn good() -> Value {
        json!({
            "_aws": {"Timestamp": 1795500000000u64, "CloudWatchMetrics": [{
                "Namespace": "Provrum", "Dimensions": [["Stack", "Rule"]],
                "Metrics": [{"Name": "ApprovalsRefused", "Unit": "Count"}]}]},
            "Stack": "provrum", "Rule": "KVOT-1", "ApprovalsRefused": 1
        })
    }

    #[test]
    fn a_valid_line_has_no_problems() {
        assert_eq!(problems(&good()), Vec::<String>::new());
    }

    #[test]
    fn the_schema_and_the_members_it_points_at_are_both_checked() {
        let mut no_timestamp = good();
        no_timestamp["_aws"]
            .as_object_mut()
            .map(|aws| aws.remove("Timestamp"));
        assert!(!problems(&no_timestamp).is_empty());
        let mut bad_unit = good();
        bad_unit["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] = json!("Pieces");
        assert!(!problems(&bad_unit).is_empty());
        let mut no_dimension_value = good();
        no_dimension_value
            .as_object_mut()
            .map(|line| line.remove("Rule"));
        assert!(!problems(&no_dimension_value).is_empty());
        let mut text_value = good();
        text_value["ApprovalsRefused"] = json!("one");
        assert!(!problems(&text_value).is_empty());
    }
}
