//! End-to-end: generated workbooks through the real reader and the rules.

mod bench_workloads;
mod formats;
mod helpers;
mod process_rules;
mod robustness;
mod rules;
mod template;
