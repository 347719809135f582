//! Migrations an operator runs once after an upgrade (`provrum migrate`), never a request: each
//! is idempotent, so running it again (or after an interrupted run) writes only what is missing.

use super::DynamoStore;
use super::codec::{Item, get_s, s, sdk_err, token_entry_item};
use super::keys;
use super::table;
use crate::{Result, StoreError, Token, from_json};

/// The most Scan pages (of at most 1 MB each) a backfill reads: far more than Reglab's table
/// holds, and a bound should a server keep answering with a next page.
const MAX_SCAN_PAGES: u32 = 10_000;

impl DynamoStore {
    /// Writes the organisation entry ([`keys::org_token`]) of every token that has none, as
    /// `create_token` writes it: tokens created before the entries existed are not listed by
    /// `tokens_page` until this has run. Returns how many entries it wrote; 0 when every token
    /// already has its entry.
    ///
    /// This is the one Scan of the store (the table's design otherwise has none): an operator's
    /// one-off migration, not a request path, so reading the whole table once is acceptable.
    /// It is strongly consistent, paginated, and bounded by [`MAX_SCAN_PAGES`].
    pub async fn backfill_token_entries(&self) -> Result<u32> {
        let mut written = 0;
        let mut start: Option<Item> = None;
        for _ in 0..MAX_SCAN_PAGES {
            let out = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("#sk = :sk AND begins_with(#pk, :tokens)")
                .expression_attribute_names("#pk", table::PK)
                .expression_attribute_names("#sk", table::SK)
                .expression_attribute_values(":sk", s(keys::TOKEN_SK))
                .expression_attribute_values(":tokens", s(keys::TOKENS))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(sdk_err)?;
            for item in out.items.unwrap_or_default() {
                let token: Token = from_json(get_s(&item, "data")?)?;
                if self.put_token_entry(&token).await? {
                    written += 1;
                }
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(written),
            }
        }
        Err(StoreError::Backend(format!(
            "the token backfill stopped after {MAX_SCAN_PAGES} Scan pages without reaching the \
             end of the table ({written} entries written)"
        )))
    }

    /// Writes a token's organisation entry unless it exists; `true` when it was written.
    async fn put_token_entry(&self, token: &Token) -> Result<bool> {
        self.put_new(token_entry_item(token)).await
    }
}
