//! `huiji contest`: the question bank's import and contests, as the operator (the whole
//! tree) — thin over `huiji_app::contest`.

use std::io::Write;
use std::sync::Arc;

use huiji_app::App;
use huiji_app::actor::Actor;
use huiji_app::contest::organise::{self, ContestDraft};
use huiji_app::contest::questions::{self, DuplicateOf};
use huiji_app::ports::SystemClock;
use huiji_core::contest::{Category, CategoryQuota};
use huiji_core::{CivilDate, OrgId};
use huiji_store::SqlStore;
use huiji_tabular::Table;
use huiji_vault::{KeyFile, Keyring, OsRandom};

use crate::cli::{ContestCommand, ContestCreateArgs, QuestionsCommand};
use crate::error::CommandError;

/// The app for commands that seal, sign and reveal nothing: its keys are made up on the
/// spot and never used, so these commands need no key file.
fn app_without_keys(store: SqlStore, public_url: &str) -> Result<App, CommandError> {
    let text = KeyFile::generate(&mut OsRandom)?;
    let keyring = Keyring::from_key_file_text(&text)?;
    Ok(App::new(Arc::new(store), Arc::new(SystemClock), keyring, public_url))
}

/// Runs a `contest` subcommand.
pub async fn execute(
    store: SqlStore,
    public_url: &str,
    command: &ContestCommand,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let app = app_without_keys(store, public_url)?;
    match command {
        ContestCommand::Questions(QuestionsCommand::Import { file, org, sheet }) => {
            let owner = match org {
                Some(id) => OrgId(*id),
                None => huiji_app::audit::root_scope(app.store().as_ref()).await?.lineage()[0],
            };
            let table = Table::open(file, sheet.as_deref())
                .map_err(|e| CommandError::InvalidArgument(format!("{}: {e}", file.display())))?;
            let report = questions::import(&app, &Actor::Operator, owner, table).await?;
            writeln!(
                out,
                "{} rows: {} added, {} duplicates, {} rejected",
                report.rows,
                report.added,
                report.duplicates.len(),
                report.rejected.len()
            )?;
            for duplicate in &report.duplicates {
                match duplicate.of {
                    DuplicateOf::Row(row) => writeln!(out, "row {}\tduplicate of row {row}", duplicate.row)?,
                    DuplicateOf::Bank(id) => {
                        writeln!(out, "row {}\tduplicate of question {id} in the bank", duplicate.row)?;
                    }
                }
            }
            for rejected in &report.rejected {
                let codes: Vec<&str> = rejected.problems.iter().map(|p| p.code()).collect();
                writeln!(out, "row {}\trejected: {}", rejected.row, codes.join(", "))?;
            }
            if !report.unused_headers.is_empty() {
                writeln!(out, "columns not used: {}", report.unused_headers.join(", "))?;
            }
            Ok(())
        }
        ContestCommand::Create(args) => {
            let id = organise::create(&app, &Actor::Operator, draft(args)?).await?;
            writeln!(out, "{id}")?;
            Ok(())
        }
        ContestCommand::List => {
            for contest in organise::list(&app, &Actor::Operator).await? {
                let rules = contest.rules;
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    contest.id,
                    contest.org,
                    contest.name,
                    contest.window.from(),
                    contest.window.until(),
                    rules.questions_per_attempt(),
                    rules.minutes(),
                    rules.attempts_per_day().get()
                )?;
            }
            Ok(())
        }
    }
}

/// The arguments as a draft, each checked for its form.
fn draft(args: &ContestCreateArgs) -> Result<ContestDraft, CommandError> {
    let date = |flag: &str, text: &str| {
        CivilDate::parse_iso(text)
            .ok_or_else(|| CommandError::InvalidArgument(format!("{flag} {text}: expected YYYY-MM-DD")))
    };
    let quotas = args
        .quotas
        .iter()
        .map(|text| {
            let bad = || CommandError::InvalidArgument(format!("--quota {text}: expected CATEGORY=N"));
            let (category, count) = text.rsplit_once('=').ok_or_else(bad)?;
            Ok(CategoryQuota {
                category: Category::parse(category).ok_or_else(bad)?,
                count: count.trim().parse().map_err(|_| bad())?,
            })
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    Ok(ContestDraft {
        org: OrgId(args.org),
        name: args.name.clone(),
        from: date("--from", &args.from)?,
        until: date("--until", &args.until)?,
        questions_per_attempt: args.questions_per_attempt,
        minutes: args.minutes,
        attempts_per_day: args.attempts_per_day,
        quotas: (!quotas.is_empty()).then_some(quotas),
    })
}
