//! `huiji benefit create`, `show` and `enrol`: a programme as the operator makes it, its
//! figures as one JSON line, the insurer's policy numbers read back; thin over
//! `huiji_app::benefits`. Also the demo's programmes ([`seed_demo`]).

use std::io::Write;

use clap::Subcommand;
use huiji_app::actor::Actor;
use huiji_app::benefits::{self, BenefitError};
use huiji_core::OrgId;
use huiji_core::benefit::{GrantStatus, ProgrammeFields, ProgrammeId};
use huiji_store::SqlStore;
use serde::Serialize;

use crate::contest::app_without_keys;
use crate::error::CommandError;

/// `benefit` subcommands.
#[derive(Debug, Subcommand)]
pub enum BenefitCommand {
    /// Create a programme of a union (its subtree's members may hold grants); prints its id.
    Create(Box<CreateArgs>),
    /// A programme's figures as one JSON line: quota, granted, remaining, by child union
    /// and by status.
    Show {
        /// The programme's id.
        id: i64,
    },
    /// Record the insurer's policy numbers from their workbook (CSV or XLSX with the
    /// columns 身份证号 and 保单号); prints `R rows: E enrolled, U unchanged, X refused` and a
    /// line per refused row.
    Enrol {
        /// The programme's id.
        id: i64,
        /// The insurer's file.
        file: std::path::PathBuf,
        /// The XLSX sheet to read (default: the first).
        #[arg(long)]
        sheet: Option<String>,
    },
}

/// Options of `benefit create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// The sponsor union's id.
    #[arg(long)]
    pub org: i64,
    /// What members see.
    #[arg(long)]
    pub name: String,
    /// insurance_gift, health_check, cancer_screening, seasonal_care, hardship_aid or other.
    #[arg(long)]
    pub kind: String,
    /// Total grants allowed.
    #[arg(long)]
    pub quota: String,
    /// An occupation admitted (repeat for several; none: all).
    #[arg(long = "occupation")]
    pub occupations: Vec<String>,
    /// on_approval, claim or officer (default officer).
    #[arg(long, default_value = "officer")]
    pub grant: String,
    /// Only members who joined through this platform (e.g. 卡友地带).
    #[arg(long)]
    pub platform: Option<String>,
    /// Only members who joined through this channel (portal, qr, platform, offline, invite).
    #[arg(long)]
    pub channel: Option<String>,
    /// The insurer or provider.
    #[arg(long)]
    pub provider: Option<String>,
    /// The insurer's or provider's hotline.
    #[arg(long)]
    pub hotline: Option<String>,
    /// First day (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD).
    #[arg(long)]
    pub until: Option<String>,
    /// Days one grant lasts (default: until the last day).
    #[arg(long = "valid-days")]
    pub valid_days: Option<String>,
    /// Work-region codes admitted, comma-separated (none: all).
    #[arg(long)]
    pub region: Option<String>,
    /// female or male.
    #[arg(long)]
    pub sex: Option<String>,
    /// Youngest age admitted.
    #[arg(long = "age-min")]
    pub age_min: Option<String>,
    /// Oldest age admitted.
    #[arg(long = "age-max")]
    pub age_max: Option<String>,
    /// Only active members (not retained ones).
    #[arg(long = "active-only")]
    pub active_only: bool,
    /// A child union's share of the quota, `ORG_ID=N` (repeat for several).
    #[arg(long = "share")]
    pub shares: Vec<String>,
}

/// The JSON line of `benefit show`.
#[derive(Serialize)]
struct Shown<'a> {
    quota: u32,
    granted: u32,
    remaining: u32,
    id: i64,
    name: &'a str,
    kind: &'a str,
    grant_mode: &'a str,
    sponsor: &'a str,
    sponsor_id: i64,
    provider: Option<&'a str>,
    hotline: Option<&'a str>,
    from: Option<String>,
    until: Option<String>,
    by_union: Vec<ShareLine<'a>>,
    by_status: std::collections::BTreeMap<&'static str, u64>,
}

/// A child union's line of `benefit show`.
#[derive(Serialize)]
struct ShareLine<'a> {
    org: i64,
    name: &'a str,
    quota: u32,
    granted: u32,
    remaining: u32,
}

/// A use case's refusal, said the way the command line says problems.
fn refused(error: BenefitError) -> CommandError {
    match error {
        BenefitError::Invalid(errors) => CommandError::InvalidArgument(
            errors.iter().map(|e| format!("{}: {}", e.field, e.message_en)).collect::<Vec<_>>().join("; "),
        ),
        BenefitError::Store(e) => CommandError::Store(e),
        other => CommandError::InvalidArgument(other.to_string()),
    }
}

/// Runs a `benefit` subcommand.
pub async fn execute(
    store: SqlStore,
    public_url: &str,
    command: &BenefitCommand,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let app = app_without_keys(store, public_url)?;
    match command {
        BenefitCommand::Create(args) => {
            let text = |value: &Option<String>| value.as_deref().unwrap_or("").to_owned();
            let (provider, hotline, from, until) =
                (text(&args.provider), text(&args.hotline), text(&args.from), text(&args.until));
            let (valid_days, regions, sex) = (text(&args.valid_days), text(&args.region), text(&args.sex));
            let (age_min, age_max) = (text(&args.age_min), text(&args.age_max));
            let (channel, platform) = (text(&args.channel), text(&args.platform));
            let fields = ProgrammeFields {
                kind: &args.kind,
                name: &args.name,
                provider: &provider,
                hotline: &hotline,
                mode: &args.grant,
                from: &from,
                until: &until,
                quota: &args.quota,
                valid_days: &valid_days,
                occupations: args.occupations.iter().map(String::as_str).collect(),
                regions: &regions,
                active_only: args.active_only,
                joined_from: "",
                joined_until: "",
                channel: &channel,
                platform: &platform,
                sex: &sex,
                age_min: &age_min,
                age_max: &age_max,
            };
            let mut shares = Vec::new();
            for share in &args.shares {
                let (org, quota) = share
                    .split_once('=')
                    .and_then(|(org, quota)| Some((OrgId(org.trim().parse().ok()?), quota)))
                    .ok_or_else(|| CommandError::InvalidArgument(format!("--share {share}: use ORG_ID=N")))?;
                shares.push((org, quota));
            }
            let id = benefits::create(&app, &Actor::Operator, OrgId(args.org), &fields, &shares)
                .await
                .map_err(refused)?;
            writeln!(out, "{id}")?;
            Ok(())
        }
        BenefitCommand::Enrol { id, file, sheet } => {
            let table = huiji_tabular::Table::open(file, sheet.as_deref())
                .map_err(|e| CommandError::InvalidArgument(format!("{}: {e}", file.display())))?;
            let report = benefits::enrol_import(&app, &Actor::Operator, ProgrammeId(*id), table)
                .await
                .map_err(refused)?;
            writeln!(
                out,
                "{} rows: {} enrolled, {} unchanged, {} refused",
                report.rows,
                report.enrolled,
                report.unchanged,
                report.refused.len()
            )?;
            for (row, code) in &report.refused {
                writeln!(out, "row {row}\trefused: {code}")?;
            }
            Ok(())
        }
        BenefitCommand::Show { id } => {
            let view = benefits::view(&app, &Actor::Operator, ProgrammeId(*id)).await.map_err(refused)?;
            let r = &view.record;
            let by_union = view
                .shares
                .iter()
                .map(|s| ShareLine {
                    org: s.org.0,
                    name: &s.org_name,
                    quota: s.quota.total,
                    granted: s.quota.granted,
                    remaining: s.quota.remaining(),
                })
                .collect();
            let by_status = GrantStatus::ALL
                .iter()
                .map(|status| {
                    let n = view.counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
                    (status.code(), n)
                })
                .collect();
            let shown = Shown {
                quota: r.quota.total,
                granted: r.quota.granted,
                remaining: r.quota.remaining(),
                id: r.id.0,
                name: &r.name,
                kind: r.kind.code(),
                grant_mode: r.rules.mode.code(),
                sponsor: &view.sponsor,
                sponsor_id: r.org.0,
                provider: r.provider.as_deref(),
                hotline: r.hotline.as_deref(),
                from: r.rules.period.from().map(|d| d.to_string()),
                until: r.rules.period.until().map(|d| d.to_string()),
                by_union,
                by_status,
            };
            let line = serde_json::to_string(&shown)
                .map_err(|e| CommandError::InvalidArgument(format!("cannot write JSON: {e}")))?;
            writeln!(out, "{line}")?;
            Ok(())
        }
    }
}

/// The demo's programmes, like the article's (名称 marked “示例”): 100,000 gifted accident
/// insurances on approval, 卡友保 for 20,000 truck drivers (only those who joined through
/// 卡友地带 when such a platform exists), 40,000 hospital insurances to claim. Nothing
/// when the province has programmes already; how many it added.
///
/// # Errors
///
/// The store's, or a programme refused (a bug in these fixed fields).
pub async fn seed_demo(store: &SqlStore, public_url: &str) -> Result<u32, CommandError> {
    use huiji_store::{BenefitStore, PlatformStore};
    let app = app_without_keys(store.clone(), public_url)?;
    let root = huiji_app::audit::root_scope(app.store().as_ref()).await?;
    if !store.programmes_for(&root, 1).await?.is_empty() {
        return Ok(0);
    }
    let Some(&sponsor) = root.lineage().first() else { return Ok(0) };
    let year = app.now().china_date().year();
    let (from, until) = (format!("{year}-01-01"), format!("{year}-12-31"));
    let has_platform = store.platform_by_name("卡友地带").await?.is_some();
    let gift = ProgrammeFields {
        kind: "insurance_gift",
        name: "新就业形态劳动者意外伤害保险（示例）",
        provider: "中国人寿（示例）",
        hotline: "95519",
        mode: "on_approval",
        from: &from,
        until: &until,
        quota: "100000",
        valid_days: "365",
        ..ProgrammeFields::default()
    };
    let kayoubao = ProgrammeFields {
        name: "卡友保（示例）",
        provider: "平安保险（示例）",
        hotline: "95511",
        mode: "claim",
        quota: "20000",
        occupations: vec!["truck_driver"],
        platform: if has_platform { "卡友地带" } else { "" },
        ..gift.clone()
    };
    let hospital = ProgrammeFields {
        name: "住院医疗互助保障（示例）",
        provider: "职工互助保障会（示例）",
        hotline: "12351",
        mode: "claim",
        quota: "40000",
        active_only: true,
        ..gift.clone()
    };
    let mut added = 0;
    for fields in [gift, kayoubao, hospital] {
        benefits::create(&app, &Actor::Operator, sponsor, &fields, &[]).await.map_err(refused)?;
        added += 1;
    }
    Ok(added)
}
