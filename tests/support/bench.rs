//! The benchmark's workloads (`scripts/bench`), here so that tests keep them honest: budget
//! workbooks of any length on the valid template workbook, and a store holding many provrum in
//! every state.

use crate::{Book, V, s};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use provrum_rules::finding::Verdict;
use provrum_rules::model::{Category, Membership, OrgKind, Status};
use provrum_rules::ruleset::RuleSet;
use provrum_rules::{Checked, Context, Ore};
use provrum_store::{AuditEvent, BudgetSummary, Org, Participant, Provrum, ResultReport, Store};

/// The workbook's participants, who fund everything that is not base funding.
const FUNDERS: [&str; 3] = ["Region Östergötland", "Region Skåne", "Norrköpings kommun"];
const ITEMS: [&str; 8] = [
    "Projektledning",
    "Workshop",
    "Extern expert",
    "Resor till möten",
    "Enkätverktyg",
    "Analys av data",
    "Webbinarium",
    "Trycksaker",
];
/// Base funding lines and their amount: 4 × 20 000 kr = 80 000 kr, within BUD-4's 100 000 kr.
const BASE_LINES: usize = 4;
const BASE_KR: f64 = 20_000.0;

/// A deterministic amount in kronor for line `i`: 2 000 to 41 000 kr, every seventh with öre.
fn amount(i: usize) -> f64 {
    let kr = 2_000 + (i * 7_919 % 40) * 1_000;
    if i % 7 == 3 {
        kr as f64 + 0.5
    } else {
        kr as f64
    }
}

/// The valid Swedish workbook ([`Book::valid_sv`]) with `lines` budget lines and a `Summa` row.
/// Every line is readable and correctly categorised; the first four are Reglab's base funding
/// (80 000 kr, never for working time), the rest are the participants'. With 60 or more lines
/// the base funding is under half the budget and the budget has expert support, so the
/// workbook passes every rule.
pub fn budget_book(lines: usize) -> Book {
    let mut book = Book::valid_sv();
    let budget = book.sheet("Budget");
    budget.cells.retain(|(row, _, _)| *row == 0);
    let mut total = 0.0;
    for i in 0..lines {
        let row = i as u32 + 1;
        let (category, funder, kr) = if i < BASE_LINES {
            let category = [Category::Expertstod, Category::MotenOchLokaler][i % 2];
            (category, "Reglab basfinansiering", BASE_KR)
        } else {
            (
                Category::ALL[i % Category::ALL.len()],
                FUNDERS[i % 3],
                amount(i),
            )
        };
        total += kr;
        budget
            .cells
            .push((row, 0, s(&format!("{} {}", ITEMS[i % ITEMS.len()], i + 1))));
        budget.cells.push((row, 1, V::S(category.name().sv)));
        budget.cells.push((row, 2, V::N(kr)));
        budget.cells.push((row, 3, s(funder)));
        if i % 3 == 0 {
            budget
                .cells
                .push((row, 4, s(&format!("Enligt offert {}", 1_000 + i))));
        }
    }
    let sum_row = lines as u32 + 1;
    budget.cells.push((sum_row, 0, s("Summa")));
    budget
        .cells
        .push((sum_row, 2, V::F(format!("SUM(C2:C{})", lines + 1), total)));
    book
}

/// The sums every implementation in the benchmark must agree on: cost lines, total and base
/// funding in öre, of [`budget_book`].
pub fn budget_sums(lines: usize) -> (usize, Ore, Ore) {
    let mut total = 0i64;
    let mut base = 0i64;
    for i in 0..lines {
        if i < BASE_LINES {
            base += (BASE_KR * 100.0) as i64;
            total += (BASE_KR * 100.0) as i64;
        } else {
            total += (amount(i) * 100.0).round() as i64;
        }
    }
    (lines, Ore::from_ore(total), Ore::from_ore(base))
}

/// A [`budget_book`] whose .xlsx is at most `bytes` and within 1 % of it (or one line when
/// even that is larger), and its line count.
pub fn budget_xlsx_near(bytes: usize) -> (Vec<u8>, usize) {
    // The file grows linearly with its lines: fit a line through two sizes, aim, then step by
    // 0.5 % to the last size that fits.
    let size = |lines: usize| budget_book(lines).to_xlsx().len() as f64;
    let (small, large) = (size(1_000), size(3_000));
    let per_line = (large - small) / 2_000.0;
    let fixed = small - 1_000.0 * per_line;
    let mut lines = ((bytes as f64 - fixed) / per_line).max(1.0) as usize;
    let mut best: Option<(Vec<u8>, usize)> = None;
    loop {
        let file = budget_book(lines).to_xlsx();
        let step = lines / 200 + 1;
        if file.len() <= bytes {
            best = Some((file, lines));
            lines += step;
        } else if let Some(best) = best {
            return best;
        } else if lines == 1 {
            return (file, 1);
        } else {
            lines = lines.saturating_sub(step).max(1);
        }
    }
}

/// Times `run`: one untimed run and `warmup` more, then `runs` timed ones, in nanoseconds, and
/// the last result; the first error ends it.
pub fn time_runs<T, E>(
    runs: usize,
    warmup: usize,
    mut run: impl FnMut() -> Result<T, E>,
) -> Result<(Vec<u64>, T), E> {
    let mut times = Vec::with_capacity(runs);
    let mut last = run()?;
    for i in 0..warmup + runs {
        let start = std::time::Instant::now();
        last = std::hint::black_box(run()?);
        if i >= warmup {
            times.push(start.elapsed().as_nanos() as u64);
        }
    }
    Ok((times, last))
}

/// Times the in-process check (the bounded reader and every rule) of one workbook: `warmup`
/// untimed runs, then `runs` timed ones, in nanoseconds, and the last result.
pub fn time_check(
    bytes: &[u8],
    name: Option<&str>,
    runs: usize,
    warmup: usize,
) -> (Vec<u64>, Checked) {
    let ruleset = RuleSet::provrum_2023();
    let check = || {
        Ok::<_, std::convert::Infallible>(provrum_workbook::check(
            bytes,
            name,
            Context::stateless(&ruleset),
        ))
    };
    match time_runs(runs, warmup, check) {
        Ok(timed) => timed,
        Err(never) => match never {},
    }
}

fn at(day: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::days(day)
}

fn event(entity: &str, action: &str) -> AuditEvent {
    AuditEvent::new(entity, "bench", action, serde_json::Value::Null)
}

/// Sweden's 21 regions and 9 other members, for [`seed_provrum`].
pub async fn seed_orgs(store: &dyn Store) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..30 {
        let (id, kind) = if i < 21 {
            (format!("region-{i:02}"), OrgKind::Region)
        } else {
            (format!("kommun-{i:02}"), OrgKind::Other)
        };
        let org = Org {
            id: id.clone(),
            name: format!("Organisation {i:02}"),
            kind,
            membership: Membership::Member,
            created_at: at(0),
        };
        store
            .create_org(&org, &event(&format!("org/{id}"), "org.created"))
            .await
            .expect("org");
        ids.push(id);
    }
    ids
}

/// `n` provrum as the status sheet meets them after some years: proposed, running, reported and
/// withdrawn ones, two to six participants each, most with a checked budget.
pub async fn seed_provrum(store: &dyn Store, orgs: &[String], n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let created = at(i as i64);
        let size = 2 + i % 5;
        let participants: Vec<Participant> = (0..size)
            .map(|k| Participant {
                org: orgs[(i + k * 7) % orgs.len()].clone(),
                wants_to_lead: k == 0,
                joined_at: created,
            })
            .collect();
        let status = [
            Status::Proposed,
            Status::Running,
            Status::Reported,
            Status::Withdrawn,
        ][i % 4];
        let start = NaiveDate::from_ymd_opt(2025, 1 + (i % 12) as u32, 1).unwrap_or_default();
        let budget = (i % 5 != 0).then(|| BudgetSummary {
            version: 1 + (i % 3) as u32,
            sha256: format!("{i:064x}"),
            file_name: Some(format!("provrum-{i}.xlsx")),
            size: 40_000 + i as u64,
            uploaded_by: participants[0].org.clone(),
            uploaded_at: created,
            verdict: [Verdict::Ok, Verdict::Warnings, Verdict::Errors][i % 3],
            errors: (i % 3 == 2) as u32,
            warnings: (i % 3 == 1) as u32,
            start: Some(start),
            end: Some(start + Duration::days(120)),
            total_budget_ore: Ore::kr(200_000 + (i as i64 % 9) * 10_000),
            base_funding_ore: Ore::kr(50_000 + (i as i64 % 5) * 10_000),
            blocking: Vec::new(),
            revision: false,
        });
        let running = matches!(status, Status::Running | Status::Reported);
        let provrum = Provrum {
            id: format!("p-{i:04}"),
            title: format!("Provrum {i}: {}", ITEMS[i % ITEMS.len()]),
            theme: Some(["AI", "Drönare", "Kompetensförsörjning", "Energi"][i % 4].into()),
            description: Some("Ett försök som flera regioner driver tillsammans.".into()),
            status,
            proposer: participants[0].org.clone(),
            leader: (status != Status::Proposed).then(|| participants[0].org.clone()),
            participants,
            created_at: created,
            updated_at: created,
            started_at: running.then_some(created),
            withdrawn_at: (status == Status::Withdrawn).then_some(created),
            result: (status == Status::Reported).then(|| ResultReport {
                summary: "Vägledningen är publicerad.".into(),
                link: Some("https://reglab.se/".into()),
                reported_by: "region-00".into(),
                reported_at: created,
            }),
            budget_versions: budget.as_ref().map_or(0, |b| b.version),
            latest_budget: budget,
            quota_year: running.then_some(2025),
            granted_base_funding_ore: running.then(|| Ore::kr(80_000)),
            approved_budget: None,
            version: 0,
        };
        store
            .create_provrum(
                &provrum,
                &event(&format!("provrum/{}", provrum.id), "provrum.proposed"),
            )
            .await
            .expect("provrum");
        ids.push(provrum.id);
    }
    ids
}

/// One `GET path` with `n` provrum stored in a fresh table at `endpoint` (moto), answered by the
/// app `router` builds over a store that counts its calls: the DynamoDB calls it cost, by
/// operation, and the JSON it answered.
pub async fn dynamo_calls_of(
    endpoint: &str,
    n: usize,
    path: &str,
    router: impl FnOnce(provrum_http::AppState) -> axum::Router,
) -> (std::collections::BTreeMap<String, u32>, serde_json::Value) {
    let store =
        provrum_store::dynamo::DynamoStore::local(endpoint, provrum_store::new_id("calls-")).await;
    store.create_table().await.expect("table");
    let kansli = crate::seed_kansli(&store).await;
    let orgs = seed_orgs(&store).await;
    seed_provrum(&store, &orgs, n).await;

    let (counted, counter) = store.counted();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("addr");
    let app = router(provrum_http::AppState::new(std::sync::Arc::new(counted)));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    // A token's first request records its use (at most hourly, one UpdateItem): what is counted
    // is a request after that, as nearly all are.
    let warm = reqwest::Client::new()
        .get(format!("http://{address}{path}"))
        .bearer_auth(&kansli)
        .send()
        .await
        .expect("request");
    assert_eq!(warm.status(), 200, "GET {path}");
    counter.take();
    let response = reqwest::Client::new()
        .get(format!("http://{address}{path}"))
        .bearer_auth(&kansli)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200, "GET {path}");
    let body = response.json().await.expect("json");
    (counter.take(), body)
}
