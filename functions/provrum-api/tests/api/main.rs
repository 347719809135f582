//! provrum-api over real HTTP: the app on port 0 with its own embedded store.

mod helpers;
mod orgs_and_tokens;
mod workflow;
