//! Key rotation under load: joins keep arriving while every sealed value is re-encrypted
//! under a new key; afterwards every record decrypts, none is lost, and the blind indexes
//! (a separate key) still find everyone.

use std::sync::Arc;

use huiji_app::privacy::rotation::reencrypt_all;
use huiji_app::testing::TestRandom;
use huiji_store::testing::TestDb;
use huiji_store::{SealedTable, both_databases};
use huiji_vault::{EncryptionKey, Field, KeyId, Keyring};

use crate::support::{TestApp, form, id_number, main_of};

async fn join(app: &TestApp, seq: u32) -> (String, String) {
    let id = id_number("340122", "19900101", seq);
    let mobile = format!("1360000{seq:04}");
    let (_, body) = app.join("/j/340122T", &form(&id, &mobile)).await;
    assert!(body.contains("入会成功"), "{}", main_of(&body));
    (id, mobile)
}

/// Every sealed value of every table: (table, key id, decrypts with `keyring`).
async fn every_value(app: &TestApp, keyring: &Keyring) -> Vec<(&'static str, String, bool)> {
    let mut out = Vec::new();
    for table in SealedTable::ALL {
        for row in app.store().sealed_batch(table, 0, 10_000).await.unwrap() {
            let mut values = vec![(huiji_app::privacy::rotation::value_field(table), row.value_ct.clone())];
            values.extend(row.id_number_ct.clone().map(|ct| (Field::IdNumber, ct)));
            for (field, ct) in values {
                let key = Keyring::key_id_of(&ct).unwrap_or("?").to_owned();
                out.push((table.name(), key, keyring.decrypt(field, &ct).is_ok()));
            }
        }
    }
    out
}

both_databases!(rotating_keys_under_concurrent_joins_loses_nothing, |db: TestDb| async move {
    let app = Arc::new(TestApp::seeded(db).await);
    let mut people = Vec::new();
    for seq in 1..=8 {
        people.push(join(&app, seq).await);
    }
    // A platform's webhook signing secret is sealed too.
    let platform = app.platform("huolala").await;
    let secret =
        app.state.app.keys().encrypt(Field::WebhookSecret, "whsec-1", &mut huiji_vault::OsRandom).unwrap();
    app.store().set_webhook(platform.id, Some("http://127.0.0.1:9/hook"), Some(&secret)).await.unwrap();
    let old = app.state.app.keys().get();
    let new_key = EncryptionKey::from_bytes([42; 32]);
    let rotated = Keyring::clone(&old).with_new_current(KeyId::new("k2").unwrap(), new_key.clone());

    // Joins keep arriving while the rotation runs.
    let load: Vec<_> = (100..116)
        .map(|seq| {
            let app = app.clone();
            tokio::spawn(async move { join(&app, seq).await })
        })
        .collect();
    app.state.app.keys().replace(rotated.clone());
    let random = TestRandom::default();
    let report =
        reencrypt_all(app.store().as_ref(), app.state.app.keys(), "k2", &random, app.clock.as_ref(), 3)
            .await
            .unwrap();
    assert!(report.resealed >= 8 * 2, "{report:?}");
    for task in load {
        people.push(task.await.unwrap());
    }
    assert_eq!(app.store().key_rotation_finished("k2").await.unwrap(), Some(true));

    // A value sealed under the old key just before the switch may have landed after the
    // last sweep; running the rotation again (as `huiji keys rotate` does on a rerun)
    // finds it.
    reencrypt_all(app.store().as_ref(), app.state.app.keys(), "k2", &random, app.clock.as_ref(), 3)
        .await
        .unwrap();
    let only_new = Keyring::new(KeyId::new("k2").unwrap(), new_key, rotated.blind.clone());
    let values = every_value(&app, &only_new).await;
    assert!(values.len() >= 24 * 2 * 2, "{} values", values.len());
    assert!(values.iter().any(|(table, _, _)| *table == "platforms"), "the webhook secret was checked");
    for (table, key, decrypts) in &values {
        assert!(key == "k2" && *decrypts, "{table}: a value under {key}");
    }

    // None lost: each person's membership is found by blind index and decrypts to them.
    assert_eq!(people.len(), 24);
    for (id, mobile) in &people {
        let bidx = app.state.app.keys().blind_index(Field::Mobile, mobile).to_hex();
        let members = app.store().memberships_by_mobile(&bidx).await.unwrap();
        assert_eq!(members.len(), 1, "{mobile}");
        let detail = app.store().membership_detail(members[0].id).await.unwrap().unwrap();
        assert_eq!(&only_new.decrypt(Field::IdNumber, &detail.id_number_ct).unwrap(), id);
        assert_eq!(&only_new.decrypt(Field::Mobile, &detail.mobile_ct).unwrap(), mobile);
    }
});
