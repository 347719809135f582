//! An HTTP request to budget-import: never a 5xx, errors as problems, whole budget versions.
//! The promises are in `tests/support/fuzzing.rs`, which the regression test replays.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: provrum_tests::fuzzing::contain_library_panics(),
    |data: &[u8]| provrum_tests::fuzzing::upload(data)
);
