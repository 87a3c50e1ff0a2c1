//! The grammar of the areas' commands: statistics, outreach (rosters, campaigns), service
//! stations, the innovation registry and the 安康杯 contest.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `stats` subcommands.
#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Recount the statistics' rollups from memberships, their events and applications and
    /// compare: prints every difference and exits non-zero if there is one.
    Verify,
    /// Replace the rollups with that recount (after a restore or a repair).
    Rebuild,
}

// Outreach: real-name rosters.
/// `roster` subcommands.
#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// Import a roster from a CSV (UTF-8, GBK or GB18030; `,` `;` or tab) or XLSX file
    /// (姓名, 身份证号, 手机号, 从业类型, 所在地/地址, 工作单位 in their usual spellings);
    /// prints one JSON line with the counts and writes the rejected rows to a report
    /// beside the file (FILE's name with `.report.csv`).
    Import {
        /// The file.
        file: PathBuf,
        /// Where the list came from (交通运输局, 美团 …); people are listed once per source.
        #[arg(long)]
        source: String,
        /// The union whose officers own the import (default: the root federation).
        #[arg(long)]
        org: Option<i64>,
        /// The occupation code of rows the file gives none for (e.g. `truck_driver`).
        #[arg(long)]
        occupation: Option<String>,
        /// The XLSX sheet to read (default: the first).
        #[arg(long)]
        sheet: Option<String>,
    },
}

// Outreach: campaigns.
/// `campaign` subcommands.
#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Make a campaign for the roster non-members of a union's subtree; prints its id.
    Create {
        /// The union whose subtree's roster is targeted.
        #[arg(long)]
        org: i64,
        /// The campaign's name.
        #[arg(long)]
        name: String,
        /// The text: `{link}` (the personal invite link) once, `{surname}` at most once;
        /// the signature 【…】 and the opt-out note are added.
        #[arg(long)]
        text: String,
        /// Only this occupation code (e.g. `truck_driver`).
        #[arg(long)]
        occupation: Option<String>,
        /// Only this region and below (GB/T 2260 code).
        #[arg(long)]
        region: Option<String>,
        /// Only this roster source.
        #[arg(long)]
        source: Option<String>,
    },
    /// Queue a campaign's messages (sent by the server at the configured rate, outside
    /// quiet hours, within the per-mobile cap, never to an opted-out mobile).
    Send {
        /// The campaign's id.
        id: i64,
    },
    /// Print a campaign's funnel as one JSON line.
    Show {
        /// The campaign's id.
        id: i64,
    },
    /// Recount a campaign's funnel from its messages and compare it with the rollup
    /// `show` reads: prints every difference and exits non-zero if there is one.
    Verify {
        /// The campaign's id.
        id: i64,
    },
}

/// `stations` subcommands.
#[derive(Debug, Subcommand)]
pub enum StationsCommand {
    /// Import stations from a CSV (UTF-8 or GBK) or XLSX file (columns 名称, 类型, 地址,
    /// 区县/行政区划代码, 经度, 纬度, 电话, 开放时间, 服务项目; coordinates in GCJ-02); prints
    /// how many were added, duplicated and rejected, and writes every duplicate and
    /// rejected row to `<file>.report.csv` beside it (its name printed); progress on stderr.
    Import {
        /// The file.
        file: PathBuf,
        /// The union that owns every station (default: each county's federation).
        #[arg(long)]
        org: Option<i64>,
        /// The XLSX sheet to read (default: the first).
        #[arg(long)]
        sheet: Option<String>,
    },
}

/// `innovation` subcommands.
#[derive(Debug, Subcommand)]
pub enum InnovationCommand {
    /// Load a subtree's registry from an XLSX workbook (sheets 劳模, 工作室, 项目, 师带徒,
    /// 活动); prints what loaded and every refused row with its number and reason.
    Import {
        /// The union whose subtree the records belong to (see `huiji org list`).
        #[arg(long)]
        org: i64,
        /// The workbook.
        file: PathBuf,
    },
}

/// `contest` subcommands.
#[derive(Debug, Subcommand)]
pub enum ContestCommand {
    /// The question bank.
    #[command(subcommand)]
    Questions(QuestionsCommand),
    /// Create a contest; prints its id.
    Create(ContestCreateArgs),
    /// List contests: id, organiser id, name, first and last day, questions, minutes, attempts a day.
    List,
}

/// `contest questions` subcommands.
#[derive(Debug, Subcommand)]
pub enum QuestionsCommand {
    /// Import questions from an XLSX or CSV file (columns 题型, 题干, 选项A–F, 答案, 解析,
    /// 分类, 难度); prints how many were added and every duplicate and rejected row.
    Import {
        /// The file.
        file: PathBuf,
        /// The union whose bank it is (default: the tree's root, which every contest draws from).
        #[arg(long)]
        org: Option<i64>,
        /// The XLSX sheet to read (default: the first).
        #[arg(long)]
        sheet: Option<String>,
    },
}

/// Options of `contest create`.
#[derive(Debug, Args)]
pub struct ContestCreateArgs {
    /// The organiser union's id (see `huiji org list`): its subtree's members take part.
    #[arg(long)]
    pub org: i64,
    /// The contest's name.
    #[arg(long)]
    pub name: String,
    /// The first day, YYYY-MM-DD (China time).
    #[arg(long)]
    pub from: String,
    /// The last day, YYYY-MM-DD.
    #[arg(long)]
    pub until: String,
    /// Questions drawn for each attempt.
    #[arg(long)]
    pub questions_per_attempt: u32,
    /// The time limit of an attempt, in minutes.
    #[arg(long)]
    pub minutes: u32,
    /// Attempts a member may start per day.
    #[arg(long, default_value_t = 1)]
    pub attempts_per_day: u32,
    /// Questions drawn from a category, as CATEGORY=N (repeat for each category; they add
    /// up to --questions-per-attempt). Without any, each category of the bank in
    /// proportion to its size.
    #[arg(long = "quota", value_name = "CATEGORY=N")]
    pub quotas: Vec<String>,
}
