//! provrum-api over real HTTP: its own router on port 0 with its own embedded store, driven
//! through the shared API test kit ([`provrum_tests::app`]).

mod orgs_and_tokens;
mod workflow;
