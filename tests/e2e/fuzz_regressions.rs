//! The fuzz targets' promises (`tests/support/fuzzing.rs`), held on every input a fuzz run ever
//! broke them with (`fuzz/regressions/<target>/`, each with its story in `fuzz/README.md`) and
//! on the starting corpus `scripts/fuzz` begins from.

use provrum_tests::fuzzing::{TARGETS, write_seeds};
use std::path::{Path, PathBuf};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"));
    files.sort();
    files
}

fn replay(root: &Path) -> usize {
    let mut replayed = 0;
    for (target, run) in TARGETS {
        for file in inputs(&root.join(target)) {
            let data = std::fs::read(&file).expect("input");
            eprintln!("{target}: {}", file.display());
            run(&data);
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn every_saved_crash_input_now_keeps_the_targets_promises() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
    assert!(root.is_dir(), "{} is missing", root.display());
    for (target, _) in TARGETS {
        assert!(
            root.join(target).is_dir(),
            "no regressions folder for {target}"
        );
    }
    replay(&root);
}

#[test]
fn the_starting_corpus_keeps_the_targets_promises() {
    let dir = tempfile::tempdir().expect("tempdir");
    let written = write_seeds(dir.path()).expect("seeds");
    assert_eq!(replay(dir.path()), written);
    for (target, _) in TARGETS {
        assert!(
            !inputs(&dir.path().join(target)).is_empty(),
            "no seeds for {target}"
        );
    }
}

#[test]
fn the_upload_harness_tells_senders_apart() {
    use axum::http::StatusCode;
    use provrum_tests::fuzzing::upload_status;
    let valid = provrum_tests::Book::valid_sv().to_xlsx();
    let with = |route: u8, frame: u8| [&[route, frame][..], &valid].concat();
    // The leader's upload is stored (the harness checks its hash), as a raw body or a form.
    assert_eq!(upload_status(&with(2, 0)), Some(StatusCode::CREATED));
    assert_eq!(upload_status(&with(2, 8)), Some(StatusCode::CREATED));
    // Another participant, the kansli and a stranger are refused, and nothing is stored.
    assert_eq!(upload_status(&with(2 | 4, 0)), Some(StatusCode::FORBIDDEN));
    assert_eq!(upload_status(&with(2 | 8, 0)), Some(StatusCode::FORBIDDEN));
    assert_eq!(
        upload_status(&with(2 | 12, 0)),
        Some(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(upload_status(&with(3, 0)), Some(StatusCode::NOT_FOUND));
    assert_eq!(
        upload_status(&with(0, 5)),
        Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)
    );
    assert_eq!(upload_status(&with(0, 11)), Some(StatusCode::BAD_REQUEST));
    assert_eq!(upload_status(&with(0, 0)), Some(StatusCode::OK));
}
