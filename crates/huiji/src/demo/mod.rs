//! What `huiji demo` adds to Anhui's tree so every page has something to show: a
//! stand-in for the real-name check (an offline register of a few people, so the demo
//! approves at once the way a production installation with a real-name provider does —
//! only an applicant whose name, ID number and mobile belong together — and sends
//! everyone else to the review queue), a generated innovation registry, and the sample
//! casework ([`casework`]).

mod casework;

pub use casework::seed_casework;
use huiji_app::real_name::OfflineRealName;

/// The people the demo's real-name check knows: name, ID number, mobile. Printed at every
/// start; the browser tests join as them.
pub const DEMO_PEOPLE: [(&str, &str, &str); 4] = [
    ("王晓明", "11010519491231002X", "13800138000"),
    ("张伟", "340104198506121236", "13912345678"),
    ("李强", "340121197903022110", "13812345679"),
    ("王芳", "34010319900815122X", "13712345670"),
];

/// The demo's offline real-name register.
pub fn real_name_register() -> OfflineRealName {
    OfflineRealName::new(DEMO_PEOPLE)
}

/// The demo's cities (their federations' join codes) that host its innovation studios.
const DEMO_CITIES: [&str; 8] = ["3401", "3402", "3403", "3404", "3405", "3406", "3407", "3408"];

/// Fields of work the demo's studios list.
const DEMO_FIELDS: [&str; 8] =
    ["数控加工", "焊接", "电力抢修", "汽车制造", "化工安全", "物流调度", "新能源", "智能制造"];

/// Seeds a plausible, clearly generated innovation registry (every name is marked
/// “演示”): model workers, studios at every level, their projects, mentorships and
/// activities, so `/innovation` and the console's figures show something. Returns how
/// many studios it added; nothing when the registry has studios already.
pub async fn seed_innovation(
    store: &dyn huiji_store::Store,
    at: huiji_core::Timestamp,
) -> Result<u32, huiji_store::StoreError> {
    use huiji_core::innovation::{
        ActivityKind, CertificateLevel, Honour, HonourKind, InnovationLevel, ProjectStatus, StudioKind,
    };
    use huiji_core::money::Amount;
    use huiji_store::{NewActivity, NewMentorship, NewModelWorker, NewProject, NewStudio, OrgFilter};

    let root = store.orgs(&OrgFilter { limit: Some(1), ..OrgFilter::default() }).await?;
    let Some(root) = root.into_iter().next() else { return Ok(0) };
    if store.innovation_figures(&root.path).await?.studios_total() > 0 {
        return Ok(0);
    }
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "吴"];
    let given = ["建国", "海燕", "志强", "秀兰", "国平", "晓东", "玉梅", "卫东"];
    let levels = [InnovationLevel::National, InnovationLevel::Provincial, InnovationLevel::City];
    let statuses = [ProjectStatus::Planned, ProjectStatus::Ongoing, ProjectStatus::Done];
    let mut studios = 0;
    for (i, code) in (0u32..).zip(DEMO_CITIES) {
        let Some(city) = store.org_by_join_code(code).await? else { continue };
        for j in 0..2u32 {
            let n = (i * 2 + j) as usize;
            let name = format!("{}{}", surnames[n % 8], given[(n * 3 + 1) % 8]);
            let kind = if n % 3 == 1 { HonourKind::Craftsman } else { HonourKind::ModelWorker };
            let worker = NewModelWorker {
                name: name.clone(),
                honour: Honour { kind, level: levels[n % 3] },
                org: city.id,
                specialty: DEMO_FIELDS[n % 8].to_owned(),
            };
            let Ok(leader) = store.save_model_worker(None, &worker, at).await? else { continue };
            let studio_kind =
                if kind == HonourKind::Craftsman { StudioKind::Craftsman } else { StudioKind::ModelWorker };
            let studio = NewStudio {
                name: format!("（演示）{name}{}", studio_kind.label_zh()),
                kind: studio_kind,
                level: levels[(n + j as usize) % 3],
                leader,
                org: city.id,
                fields: vec![DEMO_FIELDS[n % 8].to_owned(), DEMO_FIELDS[(n + 3) % 8].to_owned()],
                members: 8 + (n as u32 * 7) % 20,
                founded: huiji_core::CivilDate::new(2015 + (n % 8) as i32, 5, 1),
                published: true,
            };
            let Ok(studio) = store.save_studio(None, &studio, at).await? else { continue };
            studios += 1;
            for k in 0..(1 + n % 3) {
                let project = NewProject {
                    studio,
                    title: format!("（演示）{}工艺改进项目{}", DEMO_FIELDS[(n + k) % 8], k + 1),
                    status: statuses[(n + k) % 3],
                    patents_filed: (n + k) as u32 % 5,
                    patents_granted: (n + k) as u32 % 5 / 2,
                    benefit: Amount::from_yuan(((n + 1) * (k + 2) * 50_000) as i64).unwrap_or(Amount::ZERO),
                    participants: 3 + (n + k) as u32 % 9,
                };
                store.save_project(None, &project, at).await?.ok();
            }
            for k in 0..(2 + n % 3) {
                let mentorship = NewMentorship {
                    studio,
                    mentor: leader,
                    apprentice: format!("{}{}", surnames[(n + k + 3) % 8], given[(n + 2 * k) % 8]),
                    membership: None,
                    skill: DEMO_FIELDS[n % 8].to_owned(),
                    started: huiji_core::CivilDate::new(2024, 3, 1),
                    certificate: k.is_multiple_of(2).then_some(CertificateLevel::Senior),
                };
                store.save_mentorship(None, &mentorship, at).await?.ok();
            }
            let activity = NewActivity {
                studio,
                kind: if n.is_multiple_of(2) { ActivityKind::Lecture } else { ActivityKind::EnterpriseVisit },
                title: format!("（演示）{}技术交流", DEMO_FIELDS[n % 8]),
                held: huiji_core::CivilDate::new(2025, 4, 1 + (n % 28) as u8),
                smes_helped: (n % 4) as u32,
            };
            store.save_activity(None, &activity, at).await?.ok();
        }
    }
    Ok(studios)
}
