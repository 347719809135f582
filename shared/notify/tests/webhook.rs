//! Posting to a real local receiver: the payloads, the retries and their bound.

use provrum_notify::{Format, Message, NotifyError, Retry, Webhook};
use provrum_tests::receiver::Receiver;
use std::time::Duration;

fn quick() -> Retry {
    Retry {
        attempts: 4,
        first_wait: Duration::from_millis(20),
        timeout: Duration::from_millis(500),
    }
}

fn message() -> Message {
    Message::new("Årsrapport 2025 för Reglabs provrum")
        .line("1 av 2 provrum startade.")
        .fact("Basfinansiering", "93 000 kr av 200 000 kr")
}

#[tokio::test]
async fn teams_gets_an_adaptive_card_and_slack_gets_text() {
    let r = Receiver::start().await;
    let teams = Webhook::new(&r.url, Some(Format::Teams), quick()).expect("webhook");
    assert_eq!(teams.post(&message()).await.expect("post"), 1);
    let slack = Webhook::new(&r.url, Some(Format::Slack), quick()).expect("webhook");
    slack.post(&message()).await.expect("post");
    let posts = r.posts();
    let card = &posts[0]["attachments"][0];
    assert_eq!(posts[0]["type"], "message");
    assert_eq!(
        card["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(card["content"]["type"], "AdaptiveCard");
    assert_eq!(
        card["content"]["body"][0]["text"],
        "Årsrapport 2025 för Reglabs provrum"
    );
    assert_eq!(
        card["content"]["body"][1]["text"],
        "1 av 2 provrum startade."
    );
    assert_eq!(
        card["content"]["body"][2]["facts"][0]["value"],
        "93 000 kr av 200 000 kr"
    );
    assert_eq!(
        posts[1]["text"],
        "*Årsrapport 2025 för Reglabs provrum*\n1 av 2 provrum startade.\n• Basfinansiering: 93 000 kr av 200 000 kr"
    );
}

#[tokio::test]
async fn a_busy_receiver_is_retried_until_it_takes_the_message() {
    let r = Receiver::start().await;
    r.fail_next(2, None);
    let hook = Webhook::new(&r.url, None, quick()).expect("webhook");
    assert_eq!(hook.post(&message()).await.expect("post"), 3);
    assert_eq!(r.posts().len(), 3);
}

#[tokio::test]
async fn retries_are_bounded_in_number_and_time() {
    // The receiver never answers: only the webhook's own timeout can end an attempt.
    let r = Receiver::start().await;
    r.hold();
    let hook = Webhook::new(&r.url, None, quick()).expect("webhook");
    // 4 timeouts of 0.5 s and waits of 20 + 40 + 80 ms: about 2.1 s. The guard is no performance
    // bound (machines here are shared and noisy) but the difference between "gives up by itself"
    // and "waits for an answer that never comes", so it is wide.
    let error = tokio::time::timeout(Duration::from_secs(60), hook.post(&message()))
        .await
        .expect("a post to a receiver that never answers must give up by itself")
        .expect_err("gives up");
    assert!(
        matches!(error, NotifyError::GaveUp { attempts: 4, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("timed out"), "{error}");
    assert_eq!(r.posts().len(), 4);
    r.release();
}

#[tokio::test]
async fn a_refusal_is_final() {
    let r = Receiver::start().await;
    r.answer(Some(400));
    let hook = Webhook::new(&r.url, None, quick()).expect("webhook");
    assert!(matches!(
        hook.post(&message()).await,
        Err(NotifyError::Refused { status: 400 })
    ));
    assert_eq!(r.posts().len(), 1);
    // 429 is "later", not "no".
    r.answer(Some(429));
    assert!(matches!(
        hook.post(&message()).await,
        Err(NotifyError::GaveUp { attempts: 4, .. })
    ));
}

#[test]
fn addresses_and_formats() {
    assert!(Webhook::new("http://example.org/hook", None, quick()).is_err());
    assert!(Webhook::new("http://localhost.evil.example/hook", None, quick()).is_err());
    assert!(Webhook::new("ftp://x", None, quick()).is_err());
    let slack = Webhook::new("https://hooks.slack.com/services/T/B/X", None, quick()).expect("ok");
    assert_eq!(slack.format(), Format::Slack);
    let teams = Webhook::new(
        "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke",
        None,
        quick(),
    )
    .expect("ok");
    assert_eq!(teams.format(), Format::Teams);
    assert_eq!(Format::parse(" Slack "), Some(Format::Slack));
}

#[test]
fn the_longest_a_notice_can_take() {
    // 3 attempts of 1.5 s, and waits of 0.2 s and 0.4 s: what the Lambda extension waits for.
    assert_eq!(Retry::NOTICE.worst_case(), Duration::from_millis(5100));
}

#[tokio::test]
async fn members_texts_reach_the_chat_as_text_not_as_mentions_or_links() {
    let r = Receiver::start().await;
    let hostile = "<!channel> [Logga in här](https://evil.example) *brådskande* <https://evil.example|Reglab>";
    let message = Message::new(hostile).line(hostile).fact("Titel", hostile);
    for format in [Format::Slack, Format::Teams] {
        Webhook::new(&r.url, Some(format), quick())
            .expect("webhook")
            .post(&message)
            .await
            .expect("post");
    }
    let posts = r.posts();
    let slack = posts[0]["text"].as_str().expect("text");
    assert!(
        !slack.contains("<!channel>") && !slack.contains("<https://"),
        "{slack}"
    );
    assert!(slack.contains("&lt;!channel&gt;"), "{slack}");
    let body = &posts[1]["attachments"][0]["content"]["body"];
    for text in [
        body[0]["text"].as_str(),
        body[1]["text"].as_str(),
        body[2]["facts"][0]["value"].as_str(),
    ] {
        let text = text.expect("text");
        assert!(
            text.contains(r"\[Logga in här\](https://evil.example)"),
            "{text}"
        );
        assert!(
            text.contains(r"\*brådskande\*") && text.contains(r"\<!channel\>"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A receiver that sends every post elsewhere: to a second one, which must never hear of it.
    let elsewhere = Receiver::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let location = elsewhere.url.clone();
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = asked.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buffer = [0u8; 64 * 1024];
            let _ = stream.read(&mut buffer).await;
            let answer = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    let retry = quick();
    let result = Webhook::new(&url, Some(Format::Slack), retry)
        .expect("webhook")
        .post(&message())
        .await;
    assert!(result.is_err(), "{result:?}");
    assert!(elsewhere.posts().is_empty(), "the redirect was followed");
    let asked = asked.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (1..=retry.attempts as usize).contains(&asked),
        "{asked} tries"
    );
}
