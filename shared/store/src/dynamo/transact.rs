//! Every `TransactWriteItems` goes through [`DynamoStore::transact`], which reads a cancellation
//! once, the same way for every operation:
//!
//! - a failed condition (`ConditionalCheckFailed` on some item) is the operation's to explain
//!   ([`TransactError::Condition`], with each item's reason): it already exists, is stale, the
//!   quota is full;
//! - `TransactionConflict` (another transaction held one of the items at that moment) and
//!   `ThrottlingError` / `ProvisionedThroughputExceeded` wrote nothing, so the transaction is
//!   sent again after a jittered, doubling wait, at most [`Patience::transaction_tries`] times and
//!   never past [`Patience::operation`]; then a conflict is [`StoreError::Contended`] (409, "try
//!   again") and throttling [`StoreError::Unavailable`] (503 with Retry-After);
//! - any other reason (`ValidationError`, `ItemCollectionSizeLimitExceeded`, …) is a bug or a
//!   limit of ours: [`StoreError::Backend`] (500), logged with the reasons.

use super::DynamoStore;
use super::codec::sdk_err;
use super::patience::{Patience, jittered};
use crate::StoreError;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use std::time::Instant;

/// A transaction that did not happen.
#[derive(Debug)]
pub(super) enum TransactError {
    /// Some item's condition failed: the reason code of every item, in order (`None` for the
    /// items that were fine).
    Condition(Vec<String>),
    /// Anything else, already mapped.
    Store(StoreError),
}

impl TransactError {
    /// Whether item `i`'s condition failed.
    pub fn failed(&self, i: usize) -> bool {
        matches!(self, TransactError::Condition(r) if r.get(i).is_some_and(|c| c == CONDITION))
    }

    /// Whether the condition of any item from `i` on failed.
    pub fn failed_from(&self, i: usize) -> bool {
        matches!(self, TransactError::Condition(r) if r.iter().skip(i).any(|c| c == CONDITION))
    }

    /// The error, for an operation that gives this cancellation no meaning of its own: a
    /// condition it did not expect to fail is a bug, not the client's conflict.
    pub fn into_store(self) -> StoreError {
        match self {
            TransactError::Condition(reasons) => {
                tracing::error!(?reasons, "transaction cancelled on an unexpected condition");
                StoreError::Backend(format!("transaction cancelled: {reasons:?}"))
            }
            TransactError::Store(e) => e,
        }
    }
}

const CONDITION: &str = "ConditionalCheckFailed";

/// What a cancellation's reasons amount to.
#[derive(Debug, PartialEq, Eq)]
enum Cancellation {
    Condition,
    Contended,
    Throttled,
    Other,
}

fn classify(reasons: &[String]) -> Cancellation {
    let any = |code: &str| reasons.iter().any(|r| r == code);
    if any(CONDITION) {
        Cancellation::Condition
    } else if any("TransactionConflict") {
        Cancellation::Contended
    } else if any("ThrottlingError") || any("ProvisionedThroughputExceeded") {
        Cancellation::Throttled
    } else {
        Cancellation::Other
    }
}

impl DynamoStore {
    /// Runs a transaction, retrying it while DynamoDB cancels it for a conflict or throttling
    /// (see the module's documentation).
    pub(super) async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> std::result::Result<(), TransactError> {
        let started = Instant::now();
        let tries = self.patience.transaction_tries.max(1);
        let mut attempt = 1;
        loop {
            let error = match self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await
            {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
                error.as_service_error()
            else {
                return Err(TransactError::Store(sdk_err(error)));
            };
            let reasons: Vec<String> = cancelled
                .cancellation_reasons()
                .iter()
                .map(|r| r.code().unwrap_or("None").to_string())
                .collect();
            let kind = classify(&reasons);
            match kind {
                Cancellation::Condition => return Err(TransactError::Condition(reasons)),
                Cancellation::Other => {
                    let text = DisplayErrorContext(&error).to_string();
                    tracing::error!(?reasons, error = %text, "transaction cancelled");
                    return Err(TransactError::Store(StoreError::Backend(format!(
                        "transaction cancelled: {reasons:?}"
                    ))));
                }
                Cancellation::Contended | Cancellation::Throttled => {}
            }
            let wait = jittered(Patience::transaction_wait(attempt));
            if attempt < tries && started.elapsed() + wait < self.patience.operation {
                tracing::info!(
                    ?reasons,
                    attempt,
                    ?wait,
                    "transaction cancelled; trying again"
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
                continue;
            }
            let text = DisplayErrorContext(&error).to_string();
            tracing::warn!(?reasons, attempts = attempt, error = %text, "transaction cancelled; giving up");
            let what = format!("transaction cancelled {attempt} times: {reasons:?}");
            return Err(TransactError::Store(if kind == Cancellation::Contended {
                StoreError::Contended(what)
            } else {
                StoreError::Unavailable(what)
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Cancellation, classify};

    fn reasons(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn cancellations_are_read_by_their_reasons() {
        let of = |codes: &[&str]| classify(&reasons(codes));
        assert_eq!(
            of(&["None", "ConditionalCheckFailed"]),
            Cancellation::Condition
        );
        // A failed condition decides even next to a conflict: retrying would fail it again.
        assert_eq!(
            of(&["TransactionConflict", "ConditionalCheckFailed"]),
            Cancellation::Condition
        );
        assert_eq!(
            of(&["TransactionConflict", "None"]),
            Cancellation::Contended
        );
        assert_eq!(
            of(&["None", "ThrottlingError", "TransactionConflict"]),
            Cancellation::Contended
        );
        assert_eq!(of(&["ThrottlingError", "None"]), Cancellation::Throttled);
        assert_eq!(
            of(&["ProvisionedThroughputExceeded"]),
            Cancellation::Throttled
        );
        assert_eq!(of(&["ValidationError", "None"]), Cancellation::Other);
        assert_eq!(of(&["None", "None"]), Cancellation::Other);
        assert_eq!(of(&[]), Cancellation::Other);
    }
}
