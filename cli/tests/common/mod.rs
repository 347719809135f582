//! What the CLI's test binaries share: running the built `provrum`, and the kansli's organisation
//! as an administrator adds it.
// Each test binary uses only part of this.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::process::{Command, Output};

/// Runs `provrum ARGS` with `env` added to the environment.
pub fn provrum<S: AsRef<OsStr>>(args: &[S], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_provrum"));
    command.args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run provrum")
}

/// `provrum org add` for Reglab's kansli (store options follow).
pub const ADD_KANSLI: [&str; 9] = [
    "org",
    "add",
    "reglab",
    "--name",
    "Reglabs kansli",
    "--kind",
    "other",
    "--membership",
    "kansli",
];
