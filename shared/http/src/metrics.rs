//! Business metrics, in CloudWatch's Embedded Metric Format (EMF): each is counted in process and
//! written to stdout as one JSON log line per set of dimensions when an invocation ends, so
//! CloudWatch Logs turns the function's own log lines into metrics — no call to CloudWatch, no
//! agent. `metrics_cloudwatch_embedded` writes the format; this module names what is counted.
//!
//! Only under Lambda is a recorder installed ([`init`]); elsewhere (`provrum serve`, tests) the
//! counters are no-ops.
//!
//! Every metric is in the namespace [`NAMESPACE`] with the dimension `Stack` (the CloudFormation
//! stack, so a test stack's numbers never mix with production's) and the ones listed in
//! [`METRICS`]. Each line also carries the function, the invocation's request id and its X-Ray
//! trace id as properties, so a number can be followed to the requests that made it.

use std::io::Write;
use std::sync::OnceLock;

/// The CloudWatch namespace of every business metric.
pub const NAMESPACE: &str = "Provrum";

/// A business metric: its CloudWatch name, its dimensions besides `Stack`, and what it counts.
pub struct Metric {
    pub name: &'static str,
    pub dimensions: &'static [&'static str],
    pub counts: &'static str,
}

pub const WORKBOOKS_CHECKED: Metric = Metric {
    name: "WorkbooksChecked",
    dimensions: &["Verdict", "Format"],
    counts: "workbooks checked (POST /check, uploads, the web page), by verdict (ok, warnings, \
             errors) and format (xlsx, ods, xls, unknown: not a workbook)",
};
pub const BUDGET_VERSIONS_STORED: Metric = Metric {
    name: "BudgetVersionsStored",
    dimensions: &[],
    counts: "budget versions stored by leaders",
};
pub const APPROVALS_STARTED: Metric = Metric {
    name: "ApprovalsStarted",
    dimensions: &[],
    counts: "provrum the kansli started (klartecken)",
};
pub const APPROVALS_REFUSED: Metric = Metric {
    name: "ApprovalsRefused",
    dimensions: &["Rule"],
    counts: "starts refused, once for each rule that refused it (`none` when the refusal names \
             no rule)",
};
pub const REPORTS_POSTED: Metric = Metric {
    name: "ReportsPosted",
    dimensions: &[],
    counts: "yearly quota reports posted to the members' webhook",
};
pub const NOTICES_GIVEN_UP: Metric = Metric {
    name: "NoticesGivenUp",
    dimensions: &[],
    counts: "notices to the members' webhook given up after their retries",
};

/// Every business metric, for the documentation and the infrastructure check.
pub const METRICS: [&Metric; 6] = [
    &WORKBOOKS_CHECKED,
    &BUDGET_VERSIONS_STORED,
    &APPROVALS_STARTED,
    &APPROVALS_REFUSED,
    &REPORTS_POSTED,
    &NOTICES_GIVEN_UP,
];

static COLLECTOR: OnceLock<&'static metrics_cloudwatch_embedded::Collector> = OnceLock::new();

/// Installs the EMF recorder for this process (once; later calls do nothing). `stack` is the
/// `Stack` dimension of every metric.
pub fn init(stack: &str) {
    if COLLECTOR.get().is_some() {
        return;
    }
    match metrics_cloudwatch_embedded::Builder::new()
        .cloudwatch_namespace(NAMESPACE)
        .with_dimension("Stack", stack.to_string())
        .init()
    {
        Ok(collector) => {
            let _ = COLLECTOR.set(collector);
            for metric in METRICS {
                metrics::describe_counter!(metric.name, metrics::Unit::Count, metric.counts);
            }
        }
        Err(e) => tracing::warn!(error = %e, "no business metrics: the recorder did not start"),
    }
}

/// A Lambda invocation's business metrics: written, with its function, request id and trace id
/// as properties, when this is dropped — after the invocation answered, failed or panicked.
pub(crate) struct Invocation {
    function: String,
    request_id: String,
    trace_id: Option<String>,
}

impl Invocation {
    pub(crate) fn of(context: &lambda_http::Context) -> Invocation {
        Invocation {
            function: context.env_config.function_name.clone(),
            request_id: context.request_id.clone(),
            trace_id: context.xray_trace_id.clone(),
        }
    }
}

impl Drop for Invocation {
    fn drop(&mut self) {
        let Some(collector) = COLLECTOR.get() else {
            return;
        };
        collector
            .set_property("function", self.function.clone())
            .set_property("requestId", self.request_id.clone());
        match &self.trace_id {
            Some(trace) => collector.set_property("traceId", trace.clone()),
            None => collector.remove_property("traceId"),
        };
        flush();
    }
}

/// Writes what was counted since the last flush to stdout, one EMF line per set of dimensions,
/// and starts counting from zero. Nothing is written when nothing was counted. The lines go out
/// in one write, so they never interleave with a log line.
pub fn flush() {
    let Some(collector) = COLLECTOR.get() else {
        return;
    };
    let mut lines = Vec::new();
    if let Err(e) = collector.flush(&mut lines) {
        tracing::warn!(error = %e, "business metrics not written");
        return;
    }
    if !lines.is_empty()
        && let Err(e) = std::io::stdout().write_all(&lines)
    {
        tracing::warn!(error = %e, "business metrics not written");
    }
}

fn count(metric: &Metric, labels: &[(&'static str, String)]) {
    let labels: Vec<metrics::Label> = labels
        .iter()
        .map(|(k, v)| metrics::Label::new(*k, v.clone()))
        .collect();
    metrics::counter!(metric.name, labels).increment(1);
}

/// A workbook was read and checked; `format` is what its content was found to be (none: no
/// workbook at all, counted as `unknown`).
pub fn workbook_checked(
    verdict: provrum_rules::finding::Verdict,
    format: Option<provrum_workbook::Format>,
) {
    let format = format.map_or("unknown", provrum_workbook::Format::name);
    count(
        &WORKBOOKS_CHECKED,
        &[
            ("Verdict", verdict.as_str().into()),
            ("Format", format.into()),
        ],
    );
}

/// A leader's budget version was stored.
pub fn budget_version_stored() {
    count(&BUDGET_VERSIONS_STORED, &[]);
}

/// The kansli started a provrum.
pub fn approval_started() {
    count(&APPROVALS_STARTED, &[]);
}

/// A start was refused: counted once under each distinct rule among `findings`' errors (or
/// under `none`).
pub fn approval_refused(findings: &[provrum_rules::Finding]) {
    let mut rules: Vec<&str> = findings
        .iter()
        .filter(|f| f.severity == provrum_rules::finding::Severity::Error)
        .map(|f| f.rule.as_str())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    if rules.is_empty() {
        rules.push("none");
    }
    for rule in rules {
        count(&APPROVALS_REFUSED, &[("Rule", rule.to_string())]);
    }
}

/// The yearly report was posted to the members' webhook.
pub fn report_posted() {
    count(&REPORTS_POSTED, &[]);
}

/// A notice to the members' webhook was given up.
pub fn notice_given_up() {
    count(&NOTICES_GIVEN_UP, &[]);
}
