//! How long one store call may take and how often it is tried, so that a DynamoDB that stops
//! answering, or keeps cancelling a transaction, costs a request seconds, not the Lambda's whole
//! timeout.

use std::time::Duration;

/// The bounds on one store call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patience {
    /// Tries of one call, the first included (the SDK's standard retry mode, with jittered
    /// exponential backoff, for throttling, timeouts and dropped connections).
    pub max_attempts: u32,
    /// Setting up a connection.
    pub connect: Duration,
    /// One try, from sending to the last byte of the answer.
    pub attempt: Duration,
    /// All tries of one call together; also the most a transaction's own retries (below) may
    /// spend: no retry starts past it.
    pub operation: Duration,
    /// Tries of a transaction that DynamoDB cancels because another one held the same item at
    /// the same moment (`TransactionConflict`) or throttled it (`ThrottlingError`), the first
    /// included; the waits between them are [`Patience::transaction_wait`]. The SDK does not
    /// retry these: a cancelled transaction wrote nothing and is sent again as a new one.
    pub transaction_tries: u32,
}

/// The first wait before a cancelled transaction is sent again (each next one doubles, up to
/// [`MAX_TRANSACTION_WAIT`]); the wait is jittered down to half of it, so two transactions that
/// collided do not collide again in step.
pub const FIRST_TRANSACTION_WAIT: Duration = Duration::from_millis(25);
pub const MAX_TRANSACTION_WAIT: Duration = Duration::from_millis(400);

impl Patience {
    /// For the functions: one call at most 7 s, within the API functions' 10 s timeout.
    pub const LAMBDA: Patience = Patience {
        max_attempts: 3,
        connect: Duration::from_secs(1),
        attempt: Duration::from_millis(2_500),
        operation: Duration::from_secs(7),
        transaction_tries: 4,
    };

    /// For a local server (moto, DynamoDB Local) that a whole test suite shares and that may
    /// queue requests for seconds: as many tries, more time for each.
    pub const LOCAL: Patience = Patience {
        max_attempts: 3,
        connect: Duration::from_secs(2),
        attempt: Duration::from_secs(30),
        operation: Duration::from_secs(90),
        transaction_tries: 4,
    };

    /// The longest wait before try `retry` (1 = the first retry) of a cancelled transaction.
    pub fn transaction_wait(retry: u32) -> Duration {
        FIRST_TRANSACTION_WAIT
            .saturating_mul(1 << retry.saturating_sub(1).min(16))
            .min(MAX_TRANSACTION_WAIT)
    }

    /// All waits of a transaction tried `transaction_tries` times, at their longest.
    pub fn transaction_waits(&self) -> Duration {
        (1..self.transaction_tries.max(1))
            .map(Patience::transaction_wait)
            .sum()
    }

    pub(super) fn retry(&self) -> aws_sdk_dynamodb::config::retry::RetryConfig {
        aws_sdk_dynamodb::config::retry::RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(1))
    }

    pub(super) fn timeouts(&self) -> aws_sdk_dynamodb::config::timeout::TimeoutConfig {
        aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }
}

/// `wait` jittered: somewhere between half of it and all of it.
pub(super) fn jittered(wait: Duration) -> Duration {
    let fraction = getrandom::u32().unwrap_or(u32::MAX / 2) as f64 / u32::MAX as f64;
    wait.mul_f64(0.5 + fraction / 2.0)
}

#[cfg(test)]
mod tests {
    use super::Patience;
    use std::time::Duration;

    /// Every function in the SAM template (the global default and each function's own) outlives
    /// one store call's patience, so a DynamoDB that stops answering gives a 503, not a timeout.
    #[test]
    fn every_function_outlives_one_store_calls_patience() {
        let template = include_str!("../../../../infra/template.yaml");
        let timeouts: Vec<u64> = template
            .lines()
            .filter_map(|line| line.trim().strip_prefix("Timeout:"))
            .map(|value| value.trim().parse().expect("a Timeout in whole seconds"))
            .collect();
        assert!(timeouts.len() >= 3, "the global and two functions' own");
        for seconds in timeouts {
            assert!(
                std::time::Duration::from_secs(seconds) > Patience::LAMBDA.operation,
                "a function times out after {seconds} s, within one store call's {:?}",
                Patience::LAMBDA.operation
            );
        }
    }

    /// A transaction's retries wait a small part of one call's patience, and are bounded.
    #[test]
    fn transaction_retries_wait_well_within_the_patience() {
        for p in [Patience::LAMBDA, Patience::LOCAL] {
            assert!((2..=6).contains(&p.transaction_tries), "{p:?}");
            assert!(p.transaction_waits() * 10 < p.operation, "{p:?}");
        }
        assert_eq!(Patience::transaction_wait(1), Duration::from_millis(25));
        assert_eq!(Patience::transaction_wait(3), Duration::from_millis(100));
        assert_eq!(Patience::transaction_wait(30), Duration::from_millis(400));
        for _ in 0..100 {
            let j = super::jittered(Duration::from_millis(100));
            assert!((Duration::from_millis(50)..=Duration::from_millis(100)).contains(&j));
        }
    }
}
