//! End-to-end: generated workbooks through the real reader and the rules.

mod bench_workloads;
mod formats;
mod fuzz_regressions;
mod helpers;
mod process_rules;
mod robustness;
mod rules;
mod template;
