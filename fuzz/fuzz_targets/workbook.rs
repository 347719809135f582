//! Any bytes, as an uploaded file: the compliance result, or FORM-1 alone.
//! The promises are in `tests/support/fuzzing.rs`, which the regression test replays.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: provrum_tests::fuzzing::contain_library_panics(),
    |data: &[u8]| provrum_tests::fuzzing::workbook(data)
);
