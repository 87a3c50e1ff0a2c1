//! The privacy commands run as a process: `keys rotate` (and resuming one), `purge`,
//! `backup`/`restore`, `consent publish`, `user grant-reveal`.

use std::path::Path;

use super::{huiji, scratch, stdout};

use huiji_core::joining::Landing;
use huiji_core::{Channel, Decision, Timestamp};
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{AuditQuery, NewApplication, Sealed, SealedTable, both_databases};
use huiji_vault::{EncryptionKey, Field, KeyId, Keyring, OsRandom};

const ID: &str = "11010519491231002X";
const MOBILE: &str = "13912345678";

fn keyring(path: &Path) -> Keyring {
    Keyring::from_key_file_text(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn seal(keys: &Keyring, field: Field, value: &str) -> Sealed {
    Sealed {
        ciphertext: keys.encrypt(field, value, &mut OsRandom).unwrap(),
        blind_index: keys.blind_index(field, value).to_hex(),
    }
}

/// Seeds the tree and stores one application (approved: a membership too) and one outbox
/// message, sealed with the file's keys.
async fn with_data(db: &TestDb, keys: &Keyring, decision: Decision) -> i64 {
    stdout(&huiji(&db.url, &["seed", "anhui"]));
    let org = db.store.org_by_join_code("340122T").await.unwrap().unwrap();
    let application = NewApplication {
        channel: Channel::Qr,
        source: None,
        receiving_org: org.id,
        landing: Some(Landing::Union(org.id)),
        name: "王晓明".to_owned(),
        id_number: seal(keys, Field::IdNumber, ID),
        mobile: seal(keys, Field::Mobile, MOBILE),
        sex: huiji_core::Sex::Female,
        occupation: huiji_core::Occupation::TruckDriver,
        region_code: "340122".to_owned(),
        employer_name: None,
        employer_credit_code: None,
        consent_version: "1".to_owned(),
        mobile_verified: true,
        decision,
        review_deadline: Timestamp(1_000),
        mobile_bound_elsewhere: false,
        real_name: huiji_core::RealNameCheck::NotConfigured,
        consent_at: Timestamp(0),
        platform_id: None,
        external_ref: None,
    };
    let outcome = db.store.submit_application(&application, Timestamp(0)).await.unwrap();
    db.store
        .push_sms_outbox(&seal(keys, Field::Mobile, MOBILE), "139****5678", "hi", Timestamp(0))
        .await
        .unwrap();
    match outcome {
        huiji_store::SubmitOutcome::Approved { application_id, .. }
        | huiji_store::SubmitOutcome::Pending { application_id, .. } => application_id,
        other => panic!("{other:?}"),
    }
}

/// Every stored value's key id, after checking it decrypts with `keys`.
async fn key_ids(store: &dyn Store, keys: &Keyring) -> Vec<String> {
    let mut ids = Vec::new();
    for table in SealedTable::ALL {
        for row in store.sealed_batch(table, 0, 1000).await.unwrap() {
            assert_eq!(keys.decrypt(Field::Mobile, &row.value_ct).unwrap(), MOBILE);
            ids.push(Keyring::key_id_of(&row.value_ct).unwrap().to_owned());
            if let Some(ct) = row.id_number_ct {
                assert_eq!(keys.decrypt(Field::IdNumber, &ct).unwrap(), ID);
                ids.push(Keyring::key_id_of(&ct).unwrap().to_owned());
            }
        }
    }
    ids
}

fn everything() -> AuditQuery {
    AuditQuery {
        within: huiji_core::OrgPath::parse("/1/").unwrap(),
        action: None,
        actor_name: None,
        from: None,
        to: None,
        before_id: None,
        limit: 100,
    }
}

both_databases!(keys_rotate_reencrypts_everything_and_resumes, |db: TestDb| async move {
    let dir = scratch(&format!("rotate-{}", db.store.backend().name()));
    let file = dir.join("huiji.keys");
    stdout(&huiji(&db.url, &["keys", "init", "--out", file.to_str().unwrap()]));
    let before = keyring(&file);
    with_data(&db, &before, Decision::Approve).await;
    let store = db.dyn_store();
    assert_eq!(key_ids(store.as_ref(), &before).await, ["k1"; 5]);

    let key_file = file.to_str().unwrap();
    let out =
        stdout(&huiji(&db.url, &["keys", "rotate", "--settle", "0", "--batch", "1", "--key-file", key_file]));
    assert!(out.contains("new current key k2") && out.contains("re-encrypted 3 values"), "{out}");
    let after = keyring(&file);
    assert_eq!(after.current.0.as_str(), "k2");
    assert_eq!(after.blind.to_base64(), before.blind.to_base64(), "the blind-index key is kept");
    assert!(after.key_ids().any(|id| id.as_str() == "k1"), "the old key stays readable");
    assert_eq!(key_ids(store.as_ref(), &after).await, ["k2"; 5]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // An interrupted rotation (new key written, rotation started, nothing done yet)
    // resumes on the next run instead of making another key.
    let k5 = KeyId::new("k5").unwrap();
    let interrupted = after.clone().with_new_current(k5, EncryptionKey::from_bytes([5; 32]));
    std::fs::write(&file, interrupted.to_key_file_text()).unwrap();
    store.start_key_rotation("k5", Timestamp(0)).await.unwrap();
    let out = stdout(&huiji(&db.url, &["keys", "rotate", "--settle", "0", "--key-file", key_file]));
    assert!(out.contains("resuming the unfinished rotation to key k5"), "{out}");
    assert_eq!(keyring(&file).current.0.as_str(), "k5");
    assert_eq!(key_ids(store.as_ref(), &keyring(&file)).await, ["k5"; 5]);
    let rotations = store
        .audit_records(&AuditQuery { action: Some("keys.rotate".to_owned()), ..everything() })
        .await
        .unwrap();
    assert_eq!(rotations.len(), 2);
    assert_eq!(rotations[0].subject.as_deref(), Some("key:k5"));
    let _ = std::fs::remove_dir_all(dir);
});

both_databases!(purge_and_consent_publish, |db: TestDb| async move {
    let dir = scratch(&format!("purge-{}", db.store.backend().name()));
    let file = dir.join("huiji.keys");
    stdout(&huiji(&db.url, &["keys", "init", "--out", file.to_str().unwrap()]));
    let application = with_data(&db, &keyring(&file), Decision::Review).await;
    db.store.reject_application(application, "user:x", "duplicate", Timestamp(0)).await.unwrap();

    let out = stdout(&huiji(&db.url, &["purge"]));
    assert!(
        out.contains("purged the personal data of 1 applications and 0 memberships older than 180 days"),
        "{out}"
    );
    let record = db.store.application(application).await.unwrap().unwrap();
    assert_eq!((record.name.as_str(), record.status.code()), ("", "rejected"));
    let purges = db
        .store
        .audit_records(&AuditQuery { action: Some("purge".to_owned()), ..everything() })
        .await
        .unwrap();
    assert_eq!(purges.len(), 1);
    assert_eq!(purges[0].actor_kind, "system");

    let text = dir.join("consent.txt");
    std::fs::write(&text, "个人信息处理规则（第2版）……\n---\nPersonal information notice (version 2) ...\n")
        .unwrap();
    let out = stdout(&huiji(&db.url, &["consent", "publish", "--file", text.to_str().unwrap()]));
    assert!(out.contains("published consent version 2"), "{out}");
    let newest = db.store.consent_versions().await.unwrap().pop().unwrap();
    assert_eq!(
        (newest.version.as_str(), newest.text_en.as_str()),
        ("2", "Personal information notice (version 2) ...")
    );
    std::fs::write(&text, "只有中文").unwrap();
    assert!(!huiji(&db.url, &["consent", "publish", "--file", text.to_str().unwrap()]).status.success());

    stdout(&huiji(&db.url, &["user", "add", "--username", "auditor", "--org", "1", "--role", "admin"]));
    let out = stdout(&huiji(&db.url, &["user", "grant-reveal", "auditor"]));
    assert!(out.contains("may now reveal"), "{out}");
    assert!(stdout(&huiji(&db.url, &["user", "list"])).contains("\tpii.reveal"));
    stdout(&huiji(&db.url, &["user", "revoke-reveal", "auditor"]));
    assert!(!stdout(&huiji(&db.url, &["user", "list"])).contains("pii.reveal"));
    let _ = std::fs::remove_dir_all(dir);
});

#[tokio::test]
async fn backup_holds_only_ciphertext_and_restore_checks_what_it_overwrites() {
    let db = TestDb::sqlite().await;
    let dir = scratch("backup");
    let file = dir.join("huiji.keys");
    stdout(&huiji(&db.url, &["keys", "init", "--out", file.to_str().unwrap()]));
    with_data(&db, &keyring(&file), Decision::Approve).await;

    let backup = dir.join("backup.db");
    let out = stdout(&huiji(&db.url, &["backup", "--to", backup.to_str().unwrap()]));
    assert!(out.contains("only as ciphertext"), "{out}");
    let bytes = std::fs::read(&backup).unwrap();
    assert!(bytes.len() > 100_000, "the whole database: {} bytes", bytes.len());
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(contains("肥东县货车司机工会联合会"), "the backup holds the data");
    assert!(!contains(ID) && !contains(MOBILE) && !contains("13912345678"), "but no plaintext identifier");
    assert!(
        !huiji(&db.url, &["backup", "--to", backup.to_str().unwrap()]).status.success(),
        "never overwrites"
    );

    // Restore into a fresh database; refuse a non-empty one without --force, and a file
    // that is not a huiji database.
    let fresh = format!("sqlite:{}", dir.join("restored.db").display());
    let out = stdout(&huiji(&fresh, &["restore", "--from", backup.to_str().unwrap()]));
    assert!(out.contains("(1985 unions)"), "{out}");
    let refused = huiji(&fresh, &["restore", "--from", backup.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("pass --force"));
    stdout(&huiji(&fresh, &["restore", "--from", backup.to_str().unwrap(), "--force"]));
    let not_huiji = dir.join("notes.txt");
    std::fs::write(&not_huiji, "hello").unwrap();
    let refused = huiji(&fresh, &["restore", "--from", not_huiji.to_str().unwrap(), "--force"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not a huiji database"));
    let restored = huiji_store::SqlStore::connect(&fresh).await.unwrap();
    let bidx = keyring(&file).blind_index(Field::Mobile, MOBILE).to_hex();
    assert_eq!(restored.memberships_by_mobile(&bidx).await.unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn backup_of_postgres_points_to_pg_dump() {
    let Some(db) = TestDb::postgres().await else { return };
    let out = huiji(&db.url, &["backup", "--to", "/tmp/never-written.db"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
    assert!(!Path::new("/tmp/never-written.db").exists());
}
