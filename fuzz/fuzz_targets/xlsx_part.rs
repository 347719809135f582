//! The valid workbook with one zip part replaced by the input: the XML itself, mutated.
//! The promises are in `tests/support/fuzzing.rs`, which the regression test replays.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: provrum_tests::fuzzing::contain_library_panics(),
    |data: &[u8]| provrum_tests::fuzzing::xlsx_part(data)
);
