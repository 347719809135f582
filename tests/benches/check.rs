//! `cargo bench -p provrum-tests`: the in-process check alone, on the benchmark's realistic
//! (60 lines) and stress (100 000 lines) workbooks. scripts/bench measures the same beside the
//! Python and JavaScript tools and writes BENCHMARKS.md; this is the quick loop for working on
//! the reader and the rules.

use provrum_tests::bench::{budget_book, time_check};

fn main() {
    for (name, lines, runs) in [("realistic", 60, 500), ("stress", 100_000, 10)] {
        let bytes = budget_book(lines).to_xlsx();
        let (mut times, checked) = time_check(&bytes, Some("bench.xlsx"), runs, runs / 10 + 1);
        times.sort_unstable();
        let ms = |ns: u64| ns as f64 / 1e6;
        println!(
            "{name:>9}: {lines:>6} lines, {:>5} KiB: median {:.3} ms, p10 {:.3} ms, p90 {:.3} ms ({runs} runs, {} findings)",
            bytes.len() / 1024,
            ms(times[times.len() / 2]),
            ms(times[times.len() / 10]),
            ms(times[times.len() * 9 / 10]),
            checked.report.findings.len(),
        );
    }
}
