//! `huiji bench-roster`: writes the roster file `bench/run roster` imports — a GBK CSV of
//! `--rows` rows like a department's list: 20 % people who are members (their ID numbers
//! read back from the database with the key file), 5 % invalid rows, 3 % repeats of an
//! earlier row, the rest new people; half the places as county codes, half as addresses.
//! Prints one JSON line with what it wrote.

use std::io::{BufWriter, Write};
use std::path::Path;

use huiji_app::keys::Keys;
use huiji_core::id_number::check_char;
use huiji_fixtures::synthetic::Rng;
use huiji_store::{PrivacyStore, SealedTable, SqlStore};
use huiji_vault::Field;

use crate::cli::BenchRosterArgs;
use crate::error::CommandError;
use crate::setup::load_keyring;

/// County codes and the addresses that name them.
const PLACES: [(&str, &str); 6] = [
    ("340104", "安徽省合肥市蜀山区黄山路"),
    ("340102", "合肥市瑶海区长江东路"),
    ("340122", "安徽省合肥市肥东县店埠镇"),
    ("340202", "芜湖市镜湖区中山路"),
    ("341102", "安徽省滁州市琅琊区"),
    ("340302", "蚌埠市龙子湖区"),
];

const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙"];
const GIVEN: [&str; 12] = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰"];
const OCCUPATIONS: [&str; 4] = ["货车司机", "快递员", "网约配送员", "网约车司机"];
const EMPLOYERS: [&str; 4] = ["顺丰速运", "满帮集团", "货拉拉", ""];

/// The ID numbers of every membership, opened with the key file.
async fn member_ids(store: &SqlStore, keys: &Keys) -> Result<Vec<String>, CommandError> {
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let batch = store.sealed_batch(SealedTable::Memberships, after, 10_000).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for row in batch {
            if let Some(ct) = row.id_number_ct.filter(|ct| !ct.is_empty()) {
                ids.push(keys.decrypt(Field::IdNumber, &ct)?);
            }
        }
    }
    Ok(ids)
}

/// A valid ID number of someone born 1966–2001 in one of the places.
fn new_id(rng: &mut Rng) -> String {
    let area = PLACES[usize::try_from(rng.below(PLACES.len() as u64)).unwrap_or(0)].0;
    let year = 1966 + rng.below(36);
    let month = 1 + rng.below(12);
    let day = 1 + rng.below(28);
    let order = rng.below(1000);
    let first17 = format!("{area}{year}{month:02}{day:02}{order:03}");
    let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap_or([b'0'; 17]);
    let check = check_char(&bytes).unwrap_or('0');
    format!("{first17}{check}")
}

/// Writes the file; prints what it wrote.
pub async fn run(
    store: SqlStore,
    key_file: &Path,
    args: &BenchRosterArgs,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let keys = Keys::new(load_keyring(key_file)?);
    let members = member_ids(&store, &keys).await?;
    let mut rng = Rng::stream(args.seed, 0);
    let mut file = BufWriter::new(std::fs::File::create(&args.out)?);
    let mut line = String::from("姓名,身份证号,手机号,从业类型,所在地,工作单位\r\n");
    let (mut member_rows, mut invalid_rows, mut duplicate_rows) = (0u64, 0u64, 0u64);
    // Members in turn, each at most once until all were listed (the sealed order is random).
    let mut next_member = 0usize;
    let mut recent: Vec<String> = Vec::with_capacity(1024);
    for n in 0..args.rows {
        let roll = rng.below(100);
        let id = if roll < 5 {
            invalid_rows += 1;
            // A wrong check character, a short number or Excel's damage.
            match rng.below(3) {
                0 => {
                    let valid = new_id(&mut rng);
                    let wrong = if valid.ends_with('0') { '1' } else { '0' };
                    format!("{}{wrong}", &valid[..17])
                }
                1 => new_id(&mut rng)[..15].to_owned(),
                _ => "3.40104E+17".to_owned(),
            }
        } else if roll < 8 && !recent.is_empty() {
            duplicate_rows += 1;
            recent[usize::try_from(rng.below(recent.len() as u64)).unwrap_or(0)].clone()
        } else if roll < 28 && !members.is_empty() {
            member_rows += 1;
            next_member += 1;
            members[next_member % members.len()].clone()
        } else {
            new_id(&mut rng)
        };
        if roll >= 5 {
            if recent.len() < 1024 {
                recent.push(id.clone());
            } else {
                recent[usize::try_from(n % 1024).unwrap_or(0)] = id.clone();
            }
        }
        let name = format!(
            "{}{}{}",
            SURNAMES[usize::try_from(rng.below(12)).unwrap_or(0)],
            GIVEN[usize::try_from(rng.below(12)).unwrap_or(0)],
            if rng.chance(500) { GIVEN[usize::try_from(rng.below(12)).unwrap_or(0)] } else { "" }
        );
        let mobile = if rng.chance(900) {
            format!("1{}{:09}", 3 + rng.below(7), rng.below(1_000_000_000))
        } else {
            String::new()
        };
        let (code, address) = PLACES[usize::try_from(rng.below(PLACES.len() as u64)).unwrap_or(0)];
        let place =
            if rng.chance(500) { code.to_owned() } else { format!("{address}{}号", 1 + rng.below(999)) };
        let employer = EMPLOYERS[usize::try_from(rng.below(4)).unwrap_or(0)];
        let occupation = OCCUPATIONS[usize::try_from(rng.below(OCCUPATIONS.len() as u64)).unwrap_or(0)];
        line.push_str(&[name.as_str(), &id, &mobile, occupation, &place, employer].join(","));
        line.push_str("\r\n");
        if line.len() > 1 << 16 {
            file.write_all(&encoding_rs::GBK.encode(&line).0)?;
            line.clear();
        }
    }
    file.write_all(&encoding_rs::GBK.encode(&line).0)?;
    file.flush()?;
    writeln!(
        out,
        "{{\"rows\":{},\"member_rows\":{member_rows},\"invalid_rows\":{invalid_rows},\"duplicate_rows\":{duplicate_rows},\"members_available\":{}}}",
        args.rows,
        members.len()
    )?;
    Ok(())
}
