//! `provrum serve`: all four functions in one local process; `--demo` seeds Reglab's members and
//! sample provrum through the same routes a client uses. `provrum report`: the yearly report.

use crate::admin::StoreArgs;
use anyhow::Context as _;
use chrono::{Datelike, Months, NaiveDate};
use provrum_client::{Client, InProcess};
use provrum_http::AppState;
use provrum_rules::Lang;
use provrum_rules::layout::PlanField;
use provrum_rules::model::Status;
use provrum_rules::model::{Membership, OrgKind};
use provrum_rules::model::{ParticipantKind, Role};
use provrum_store::{AuditEvent, Org, Provrum, Store, issue_token};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

use provrum::all_routes;

pub async fn serve(
    store: &StoreArgs,
    addr: &str,
    demo: bool,
    today: Option<NaiveDate>,
) -> anyhow::Result<()> {
    provrum_http::init_tracing();
    let store = store.open().await?;
    let mut state = AppState::new(store.clone());
    if let Some(day) = today {
        let noon = day
            .and_hms_opt(12, 0, 0)
            .and_then(|t| {
                t.and_local_timezone(provrum_rules::calendar::REGLAB_TIME_ZONE)
                    .single()
            })
            .context("noon on that day in Stockholm")?;
        state = state.with_clock(provrum_http::Clock::starting_at(
            noon.with_timezone(&chrono::Utc),
        ));
        eprintln!("Klockan går från {day} kl. 12 / the clock runs from noon on {day}");
    }
    let clock = state.clock.clone();
    let app = all_routes(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let base = format!("http://{}", listener.local_addr()?);
    // The web page first: what a newcomer opens (with a demo token below to sign in with).
    println!("Webbsidan / the web page: {base}{}", web::BASE);
    if demo {
        let api = Client::new(InProcess::new(app.clone()));
        seed(&store, &api, clock.today())
            .await
            .context("seeding the demo")?;
    }
    eprintln!("provrum lyssnar på {base} (Ctrl-C avslutar); API: {base}/openapi.json");
    provrum_http::run::serve_on(app, listener).await?;
    Ok(())
}

/// Sweden's 21 regions, as (id, name).
pub const REGIONS: [(&str, &str); 21] = [
    ("region-stockholm", "Region Stockholm"),
    ("region-uppsala", "Region Uppsala"),
    ("region-sormland", "Region Sörmland"),
    ("region-ostergotland", "Region Östergötland"),
    ("region-jonkoping", "Region Jönköpings län"),
    ("region-kronoberg", "Region Kronoberg"),
    ("region-kalmar", "Region Kalmar län"),
    ("region-gotland", "Region Gotland"),
    ("region-blekinge", "Region Blekinge"),
    ("region-skane", "Region Skåne"),
    ("region-halland", "Region Halland"),
    ("vastra-gotalandsregionen", "Västra Götalandsregionen"),
    ("region-varmland", "Region Värmland"),
    ("region-orebro", "Region Örebro län"),
    ("region-vastmanland", "Region Västmanland"),
    ("region-dalarna", "Region Dalarna"),
    ("region-gavleborg", "Region Gävleborg"),
    ("region-vasternorrland", "Region Västernorrland"),
    ("region-jamtland-harjedalen", "Region Jämtland Härjedalen"),
    ("region-vasterbotten", "Region Västerbotten"),
    ("region-norrbotten", "Region Norrbotten"),
];

async fn token(store: &Arc<dyn Store>, org: &str) -> anyhow::Result<String> {
    Ok(issue_token(store.as_ref(), org, "demo", "demo")
        .await?
        .secret)
}

/// The seeder's client: the app's own router, called in process through the same routes a
/// client uses.
type Api = Client<InProcess>;

/// The demo's organisations other than the kansli: (id, name, kind, membership).
fn demo_orgs() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    let mut orgs = vec![
        (
            "norrkopings-kommun",
            "Norrköpings kommun",
            "other",
            "member",
        ),
        ("tillvaxtverket", "Tillväxtverket", "other", "member"),
        (
            "rise",
            "RISE Research Institutes of Sweden",
            "other",
            "partner",
        ),
        ("vinnova", "Vinnova", "other", "partner"),
    ];
    orgs.extend(
        REGIONS
            .iter()
            .map(|(id, name)| (*id, *name, "region", "member")),
    );
    orgs
}

/// Seeds what is missing and prints one new token per role. Every organisation and every step
/// of each sample provrum is looked up before it is done, so a seed that was interrupted halfway
/// (Ctrl-C, a crash, a full disk) completes on the next start, and a complete one is left as it
/// is.
async fn seed(store: &Arc<dyn Store>, api: &Api, today: NaiveDate) -> anyhow::Result<()> {
    if store.get_org("reglab").await?.is_none() {
        store
            .create_org(
                &Org {
                    id: "reglab".into(),
                    name: "Reglabs kansli".into(),
                    kind: OrgKind::Other,
                    membership: Membership::Kansli,
                    created_at: chrono::Utc::now(),
                },
                &AuditEvent::new("org/reglab", "demo", "org.created", serde_json::Value::Null),
            )
            .await?;
    }
    let tokens = Tokens::new(store);
    let kansli = tokens.of("reglab").await?;
    for (id, name, kind, membership) in demo_orgs() {
        if store.get_org(id).await?.is_some() {
            continue;
        }
        api.add_org(
            &kansli,
            &json!({"id": id, "name": name, "kind": kind, "membership": membership}),
        )
        .await?
        .success()?;
    }
    seed_provrum(store, api, &tokens, today).await?;
    println!("# Demo-tokens (visas bara nu) / demo tokens (shown only now)");
    for (role, org) in [
        ("kansli", "reglab"),
        ("member (leader)", "region-ostergotland"),
        ("partner", "rise"),
    ] {
        println!("{role:<16} {org:<20} {}", tokens.of(org).await?);
    }
    Ok(())
}

/// The demo's tokens, each issued the first time a step needs it and reused after: a seed
/// that finds everything done issues none.
struct Tokens<'a> {
    store: &'a Arc<dyn Store>,
    issued: std::sync::Mutex<HashMap<String, String>>,
}

impl<'a> Tokens<'a> {
    fn new(store: &'a Arc<dyn Store>) -> Tokens<'a> {
        Tokens {
            store,
            issued: Default::default(),
        }
    }

    async fn of(&self, org: &str) -> anyhow::Result<String> {
        let known = self.issued.lock().ok().and_then(|t| t.get(org).cloned());
        if let Some(secret) = known {
            return Ok(secret);
        }
        let secret = token(self.store, org).await?;
        if let Ok(mut issued) = self.issued.lock() {
            issued.insert(org.to_string(), secret.clone());
        }
        Ok(secret)
    }
}

async fn seed_provrum(
    store: &Arc<dyn Store>,
    api: &Api,
    tokens: &Tokens<'_>,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let workbook = |filled: &provrum_workbook::template::Filled| {
        provrum_workbook::template::build(
            Lang::Sv,
            &provrum_rules::RuleSet::provrum_2023(),
            Some(filled),
        )
    };

    // Dated from today in Stockholm, so that a newcomer in any year sees a live picture:
    // this year's quota in use, one provrum running, one whose result is due soon.
    let plan = demo_dates(today);

    // 1. Running on this year's quota: the bundled example, approved by the kansli.
    let mut ai = provrum_workbook::template::example(Lang::Sv);
    dated(&mut ai, plan.running);
    titled(&mut ai, "AI och visualisering i regional utveckling");
    let id = provrum(
        store,
        api,
        tokens,
        "region-ostergotland",
        ("AI och visualisering i regional utveckling", "AI"),
        &[
            "region-skane",
            "vastra-gotalandsregionen",
            "norrkopings-kommun",
        ],
        Some(workbook(&ai)?),
    )
    .await?;
    started(store, api, tokens, &id).await?;

    // 2. Running, ending in two weeks: its result is due soon.
    let mut trips = provrum_workbook::template::example(Lang::Sv);
    dated(&mut trips, plan.ending);
    titled(&mut trips, "Fossilfria tjänsteresor");
    led_by(
        &mut trips,
        "Region Skåne",
        &[
            ("Region Halland", ParticipantKind::Region),
            ("Region Blekinge", ParticipantKind::Region),
        ],
    );
    let id = provrum(
        store,
        api,
        tokens,
        "region-skane",
        ("Fossilfria tjänsteresor", "Hållbarhet"),
        &["region-halland", "region-blekinge"],
        Some(workbook(&trips)?),
    )
    .await?;
    started(store, api, tokens, &id).await?;

    // 3. Proposed, with a budget that breaks the base-funding rule (BUD-4).
    let mut drones = provrum_workbook::template::example(Lang::Sv);
    dated(&mut drones, plan.planned);
    titled(&mut drones, "Drönare – nya frågeställningar");
    led_by(
        &mut drones,
        "Region Norrbotten",
        &[
            ("Region Västerbotten", ParticipantKind::Region),
            (
                "RISE Research Institutes of Sweden",
                ParticipantKind::Partner,
            ),
        ],
    );
    for line in &mut drones.budget {
        if line.funder.is_none() {
            line.amount_kr *= 1.5;
        }
    }
    provrum(
        store,
        api,
        tokens,
        "region-norrbotten",
        ("Drönare – nya frågeställningar", "Beredskap"),
        &["region-vasterbotten", "rise"],
        Some(workbook(&drones)?),
    )
    .await?;

    // 4. Proposed and ready, waiting for its budget: the demo leader's next step, which the
    // README's newcomer takes by uploading examples/exempel-provrum.xlsx (this provrum's plan).
    provrum(
        store,
        api,
        tokens,
        "region-ostergotland",
        ("Öppna data i regional analys", "Data"),
        &[
            "region-skane",
            "vastra-gotalandsregionen",
            "norrkopings-kommun",
        ],
        None,
    )
    .await?;

    // 3. Proposed, not ready: one region, no leader, no budget.
    let id = proposed(
        store,
        api,
        tokens,
        "region-gotland",
        ("Civilt försvar", "Beredskap"),
    )
    .await?;
    if !stored(store, &id).await?.takes_part("region-kalmar") {
        api.register_interest(
            &tokens.of("region-kalmar").await?,
            &id,
            &json!({"wants_to_lead": true}),
        )
        .await?
        .success()?;
    }
    Ok(())
}

/// The demo's periods, from `today`: (start, end), each 2–6 months long (TID-1).
struct DemoDates {
    /// Started this year (at most six weeks ago), four months long.
    running: (NaiveDate, NaiveDate),
    /// Ends in two weeks, four months long.
    ending: (NaiveDate, NaiveDate),
    /// Starts in a month, four months long.
    planned: (NaiveDate, NaiveDate),
}

fn demo_dates(today: NaiveDate) -> DemoDates {
    let months = |from: NaiveDate, n: i32| {
        let moved = if n >= 0 {
            from.checked_add_months(Months::new(n.unsigned_abs()))
        } else {
            from.checked_sub_months(Months::new(n.unsigned_abs()))
        };
        moved.unwrap_or(from)
    };
    let new_year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let start = (today - chrono::Days::new(42)).max(new_year);
    let end_soon = today + chrono::Days::new(14);
    let next = months(today, 1);
    DemoDates {
        running: (start, months(start, 4) - chrono::Days::new(1)),
        ending: (months(end_soon, -4) + chrono::Days::new(1), end_soon),
        planned: (next, months(next, 4) - chrono::Days::new(1)),
    }
}

/// `filled` planned for `period`.
fn dated(filled: &mut provrum_workbook::template::Filled, (start, end): (NaiveDate, NaiveDate)) {
    use provrum_workbook::template::Entry;
    for (field, entry) in &mut filled.plan {
        match field {
            PlanField::StartDate => *entry = Entry::Date(start),
            PlanField::EndDate => *entry = Entry::Date(end),
            _ => {}
        }
    }
}

/// `filled` as the plan of the provrum called `title` (PLAN-4 holds a workbook's name to it).
fn titled(filled: &mut provrum_workbook::template::Filled, title: &str) {
    use provrum_workbook::template::Entry;
    for (field, entry) in &mut filled.plan {
        if *field == PlanField::Name {
            *entry = Entry::Text(title.to_string());
        }
    }
}

/// `filled` led by `leader` with `others`, every line an organisation pays for paid by the
/// leader.
fn led_by(
    filled: &mut provrum_workbook::template::Filled,
    leader: &str,
    others: &[(&str, ParticipantKind)],
) {
    filled.participants =
        std::iter::once((leader.to_string(), ParticipantKind::Region, Role::Leader))
            .chain(
                others
                    .iter()
                    .map(|(name, kind)| (name.to_string(), *kind, Role::Participant)),
            )
            .collect();
    for line in &mut filled.budget {
        if line.funder.is_some() {
            line.funder = Some(leader.to_string());
        }
    }
}

/// Provrum `id` started by the kansli, unless it already is.
async fn started(
    store: &Arc<dyn Store>,
    api: &Api,
    tokens: &Tokens<'_>,
    id: &str,
) -> anyhow::Result<()> {
    if stored(store, id).await?.status == Status::Proposed {
        api.approve(&tokens.of("reglab").await?, id)
            .await?
            .success()?;
    }
    Ok(())
}

/// The provrum `id` as stored now.
async fn stored(store: &Arc<dyn Store>, id: &str) -> anyhow::Result<Provrum> {
    store
        .get_provrum(id)
        .await?
        .with_context(|| format!("provrum {id} vanished while seeding"))
}

/// The sample provrum called `title`: found, or proposed now by `proposer`.
async fn proposed(
    store: &Arc<dyn Store>,
    api: &Api,
    tokens: &Tokens<'_>,
    proposer: &str,
    (title, theme): (&str, &str),
) -> anyhow::Result<String> {
    if let Some(found) = store
        .all_provrum()
        .await?
        .into_iter()
        .find(|p| p.title == title && p.proposer == proposer)
    {
        return Ok(found.id);
    }
    let p = api
        .propose(
            &tokens.of(proposer).await?,
            &json!({"title": title, "theme": theme}),
        )
        .await?
        .success()?;
    p.body["id"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("POST /provrum answered without an id: {}", p.body))
}

/// A provrum proposed by `leader`, joined by `others`, led by `leader` and, with `budget`, given
/// that budget: the steps a real proposal goes through, through the same routes, each done only
/// if it is not done yet.
async fn provrum(
    store: &Arc<dyn Store>,
    api: &Api,
    tokens: &Tokens<'_>,
    leader: &str,
    title: (&str, &str),
    others: &[&str],
    budget: Option<Vec<u8>>,
) -> anyhow::Result<String> {
    let id = proposed(store, api, tokens, leader, title).await?;
    let now = stored(store, &id).await?;
    for org in others {
        if now.takes_part(org) {
            continue;
        }
        api.register_interest(
            &tokens.of(org).await?,
            &id,
            &json!({"wants_to_lead": false}),
        )
        .await?
        .success()?;
    }
    if now.leader.as_deref() != Some(leader) {
        api.choose_leader(&tokens.of(leader).await?, &id, &json!({"org": leader}))
            .await?
            .success()?;
    }
    if let Some(bytes) = budget.filter(|_| now.budget_versions == 0) {
        api.upload_budget(&tokens.of(leader).await?, &id, bytes)
            .await?
            .expect_status(201)?;
    }
    Ok(id)
}

pub async fn report(store: &StoreArgs, year: i32, json_out: bool) -> anyhow::Result<()> {
    let state = AppState::new(store.open().await?);
    let report = quota_report::compute(&state, year, state.clock.today())
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.detail.sv))?;
    if json_out {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!(
        "Årsrapport {} för Reglabs provrum ({})",
        report.year, report.ruleset
    );
    println!("Startade provrum: {} av {}", report.started, report.quota);
    println!(
        "Basfinansiering: {} av {}",
        report.base_funding_ore, report.cap_ore
    );
    println!(
        "Utslaget per medlem: {} ({}; modellens referens {})",
        report.cost_per_member_ore,
        provrum_rules::lang::count(report.members, "medlem", "medlemmar"),
        report.reference_per_member_ore
    );
    for p in &report.provrum {
        println!(
            "  {}  {}  {}  {}",
            p.id,
            p.status.as_str(),
            p.base_funding_ore,
            p.title
        );
    }
    if report.overdue_results.is_empty() {
        println!("Inga resultat är försenade.");
    } else {
        for o in &report.overdue_results {
            println!(
                "Försenat resultat: {} ({}), slutade {}, {} dagar sedan",
                o.title, o.id, o.end, o.days_overdue
            );
        }
    }
    if report.development_phase {
        println!("Året ingår i utvecklingsfasen 2023–24.");
    }
    Ok(())
}
