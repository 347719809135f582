//! `provrum`: check workbooks, write the template, administer organisations and tokens.

mod admin;
mod serve;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use provrum_rules::{Compliance, Context, Lang, RuleSet, Severity, Verdict};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "provrum",
    version,
    about = "Reglabs provrum: kontrollera arbetsböcker, skriv mallen / check workbooks, write the template"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a project plan + budget workbook (.xlsx, .xlsm, .xls, .ods) offline.
    /// Exit 0: ok or warnings; 1: errors (an unreadable file included); 2: usage.
    Check {
        /// The workbook
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
        #[arg(long, value_enum, default_value_t = LangArg::Sv)]
        lang: LangArg,
    },
    /// Write the blank Reglab workbook.
    Template {
        /// Where to write it (.xlsx)
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = LangArg::Sv)]
        lang: LangArg,
        /// Fill it in with the bundled example instead of leaving it blank
        #[arg(long)]
        example: bool,
    },
    /// All functions in one local process (http://127.0.0.1:3000)
    Serve {
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: String,
        /// Seed what is missing of Reglab's members and sample provrum, and print a token per role
        #[arg(long)]
        demo: bool,
        /// For demonstrations and tests: the server's clock starts at noon (Stockholm) on this
        /// day, and the demo is dated from it (YYYY-MM-DD)
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<chrono::NaiveDate>,
        #[command(flatten)]
        store: admin::StoreArgs,
    },
    /// The yearly quota report
    Report {
        year: i32,
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
        #[command(flatten)]
        store: admin::StoreArgs,
    },
    /// Organisations
    #[command(subcommand)]
    Org(OrgCommand),
    /// Bearer tokens
    #[command(subcommand)]
    Token(TokenCommand),
    /// Run once after upgrading (idempotent); prints how many items it wrote
    ///
    /// Writes what this version's store needs and older versions did not: on DynamoDB, the
    /// organisation entries of tokens created before tokens were listed per organisation (so
    /// GET /orgs/{org}/tokens lists them). SQLite needs nothing.
    Migrate {
        #[command(flatten)]
        store: admin::StoreArgs,
    },
    /// The DynamoDB table the store uses, as CloudFormation properties (JSON); the infra check
    /// compares infra/template.yaml with it
    TableDefinition,
    /// The rule catalogue as Markdown: every rule's id, severity, what it checks, the model's
    /// sentence, its messages in both languages and the rule set's numbers (docs/rules.md)
    Rules,
    /// The HTTP reference as Markdown, from the OpenAPI document served at /openapi.json
    /// (docs/api.md)
    ApiDocs,
    /// The OpenAPI 3.1 document served at /openapi.json, derived from the routes and answer types
    Openapi,
    /// The web page's routes as JSON ([["GET", "/webb"], …]); the infra check compares
    /// infra/template.yaml with them
    WebRoutes,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Add an organisation
    Add {
        /// Its id, e.g. region-skane
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        kind: admin::KindArg,
        #[arg(long, value_enum)]
        membership: admin::MembershipArg,
        #[command(flatten)]
        store: admin::StoreArgs,
    },
    /// List organisations (id, kind, membership, name; tab-separated)
    List {
        #[command(flatten)]
        store: admin::StoreArgs,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for an organisation; prints it alone on stdout (shown only here)
    Create {
        #[arg(long)]
        org: String,
        /// What the token is for, e.g. whose laptop
        #[arg(long, default_value = "cli")]
        label: String,
        #[command(flatten)]
        store: admin::StoreArgs,
    },
    /// Revoke a token by its id
    Revoke {
        id: String,
        #[command(flatten)]
        store: admin::StoreArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Sv,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Sv => Lang::Sv,
            LangArg::En => Lang::En,
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PROVRUM_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // A panic inside a library is caught where it happens and answered as FORM-1; log it as one
    // structured line rather than letting the default hook symbolise a backtrace (which, with
    // RUST_BACKTRACE set, costs tens of megabytes on a hostile file).
    std::panic::set_hook(Box::new(
        |info| tracing::error!(panic = %info, "caught panic"),
    ));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { file, format, lang } => check(&file, format, lang.into()),
        Command::Template { out, lang, example } => {
            template(&out, lang.into(), example).map(|()| ExitCode::SUCCESS)
        }
        Command::Serve {
            addr,
            demo,
            today,
            store,
        } => run_async(async move { serve::serve(&store, &addr, demo, today).await }),
        Command::Report {
            year,
            format,
            store,
        } => run_async(async move {
            serve::report(&store, year, matches!(format, OutputFormat::Json)).await
        }),
        Command::Migrate { store } => run_async(async move { admin::migrate(&store).await }),
        Command::TableDefinition => {
            println!("{:#}", provrum_store::dynamo::table::cloudformation());
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules => {
            print!("{}", provrum::docs::rules());
            Ok(ExitCode::SUCCESS)
        }
        Command::ApiDocs => provrum::docs::api().map(|md| {
            print!("{md}");
            ExitCode::SUCCESS
        }),
        Command::Openapi => provrum::docs::openapi().map(|doc| {
            println!("{doc:#}");
            ExitCode::SUCCESS
        }),
        Command::WebRoutes => {
            println!("{}", serde_json::json!(web::ROUTES));
            Ok(ExitCode::SUCCESS)
        }
        Command::Org(command) => run_async(async move {
            match command {
                OrgCommand::Add {
                    id,
                    name,
                    kind,
                    membership,
                    store,
                } => admin::org_add(&store, &id, &name, kind, membership).await,
                OrgCommand::List { store } => admin::org_list(&store).await,
            }
        }),
        Command::Token(command) => run_async(async move {
            match command {
                TokenCommand::Create { org, label, store } => {
                    admin::token_create(&store, &org, &label).await
                }
                TokenCommand::Revoke { id, store } => admin::token_revoke(&store, &id).await,
            }
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("provrum: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run_async(
    work: impl std::future::Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(work)?;
    Ok(ExitCode::SUCCESS)
}

/// Reads at most one byte past the upload limit, so an oversized file is refused without
/// reading it all.
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    let limit = provrum_workbook::Limits::default().max_file_bytes as u64;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn check(path: &Path, format: OutputFormat, lang: Lang) -> anyhow::Result<ExitCode> {
    let ruleset = RuleSet::provrum_2023();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let report = match read_bounded(path) {
        Ok(bytes) => {
            provrum_workbook::check(&bytes, name.as_deref(), Context::stateless(&ruleset)).report
        }
        Err(e) => provrum_rules::unreadable(
            provrum_rules::Text::new(
                format!("Filen kan inte öppnas: {e}."),
                format!("The file cannot be opened: {e}."),
            ),
            &ruleset,
        ),
    };
    let compliance = report.render(lang);
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &compliance)?;
            writeln!(out)?;
        }
        OutputFormat::Text => write_text(&mut out, &path.display().to_string(), &compliance, lang)?,
    }
    Ok(if compliance.verdict == Verdict::Errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    provrum_rules::lang::count(n as u64, one, many)
}

/// One line per finding, like a linter: `file:Sheet!C9: error BUD-5: message`, then a summary.
fn write_text(out: &mut impl Write, file: &str, c: &Compliance, lang: Lang) -> std::io::Result<()> {
    for f in &c.findings {
        let place = f
            .location
            .as_ref()
            .map(|l| format!("{}:", l.reference()))
            .unwrap_or_default();
        let severity = match (f.severity, lang) {
            (Severity::Error, Lang::Sv) => "fel",
            (Severity::Warning, Lang::Sv) => "varning",
            (Severity::Error, Lang::En) => "error",
            (Severity::Warning, Lang::En) => "warning",
        };
        writeln!(out, "{file}:{place} {severity} {}: {}", f.rule, f.message)?;
    }
    let errors = c
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = c.findings.len() - errors;
    let s = &c.summary;
    let t = |sv: &'static str, en: &'static str| match lang {
        Lang::Sv => sv,
        Lang::En => en,
    };
    let counted = || {
        format!(
            "{} {} {}",
            plural(errors, t("fel", "error"), t("fel", "errors")),
            t("och", "and"),
            plural(
                warnings,
                t("varning", "warning"),
                t("varningar", "warnings")
            )
        )
    };
    if *s == provrum_rules::Summary::default() {
        return writeln!(out, "{file}: {}.", counted());
    }
    let verdict = match c.verdict {
        Verdict::Ok => t("inga fel", "no errors").to_string(),
        Verdict::Warnings => format!(
            "{}, {}",
            t("inga fel", "no errors"),
            plural(
                warnings,
                t("varning", "warning"),
                t("varningar", "warnings")
            )
        ),
        Verdict::Errors => counted(),
    };
    let participants = plural(
        s.participants as usize,
        t("deltagare", "participant"),
        t("deltagare", "participants"),
    );
    let regions = plural(s.regions as usize, "region", t("regioner", "regions"));
    writeln!(
        out,
        "{file}: {verdict}. Budget {}, {} {}; {participants} ({regions}). {} {}.",
        s.total_budget_ore,
        t(
            "varav Reglabs basfinansiering",
            "of which Reglab's base funding"
        ),
        s.base_funding_ore,
        t("Regelverk", "Rule set"),
        c.ruleset
    )
}

fn template(out: &Path, lang: Lang, example: bool) -> anyhow::Result<()> {
    let filled = example.then(|| provrum_workbook::template::example(lang));
    let bytes = provrum_workbook::template::build(lang, &RuleSet::provrum_2023(), filled.as_ref())
        .context("building the template")?;
    std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("{}", out.display());
    Ok(())
}
