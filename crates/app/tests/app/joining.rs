//! Joining's shared pieces as every door reaches them: card tokens and the card lookup,
//! the SMS code limits, join codes, and the status page's SMS proof and transfer tokens.

use std::sync::atomic::Ordering;

use huiji_app::joining::{self, SendCodeError, card_token, verify_card_token};
use huiji_app::status::{self, MemberTransferError, StatusError};
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{MemberNumber, Mobile};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::support::World;

both_databases!(card_tokens_are_signed_and_forgeries_find_nothing, |db: TestDb| async move {
    let world = World::new(db).await;
    let keys = world.app.keys();
    let number = MemberNumber::new("34", 2025, 11).unwrap();
    let token = card_token(keys, number.as_str());
    assert_eq!(verify_card_token(keys, &token), Some(number.clone()));
    let forged = format!("{}.{}", number.as_str(), "0".repeat(64));
    assert!(verify_card_token(keys, &forged).is_none());
    assert!(verify_card_token(keys, "no-dot").is_none());
    // A genuine token of a number nobody holds, and a forged one, both find nothing.
    assert!(joining::card::membership(&world.app, &token).await.unwrap().is_none());
    assert!(joining::card::membership(&world.app, &forged).await.unwrap().is_none());
});

both_databases!(codes_are_sent_at_most_once_a_minute, |db: TestDb| async move {
    let world = World::new(db).await;
    let app = &world.app;
    assert!(matches!(
        joining::send_code(app, "12345", SmsPurpose::Join).await,
        Err(SendCodeError::Invalid(error)) if error.field == "mobile"
    ));
    let mobile = joining::send_code(app, "13800138000", SmsPurpose::Join).await.unwrap();
    assert_eq!(mobile.as_str(), "13800138000");
    assert!(matches!(
        joining::send_code(app, "13800138000", SmsPurpose::Status).await,
        Err(SendCodeError::TooSoon)
    ));
    world.clock.0.fetch_add(61_000, Ordering::SeqCst);
    joining::send_code(app, "13800138000", SmsPurpose::Status).await.unwrap();
    // Not a code at all costs no try; a wrong one does.
    let check = joining::check_code(app, &mobile, SmsPurpose::Join, "abc").await.unwrap();
    assert_eq!(check, SmsCheck::Wrong { attempts_left: 5 });
    let other = Mobile::parse("13900139000").unwrap();
    let check = joining::check_code(app, &other, SmsPurpose::Join, "123456").await.unwrap();
    assert_eq!(check, SmsCheck::NoCode);
});

both_databases!(status_records_need_the_sms_proof, |db: TestDb| async move {
    let world = World::new(db).await;
    let mobile = Mobile::parse("13800138000").unwrap();
    let refused = status::records(&world.app, &mobile, "123456").await;
    assert!(matches!(refused, Err(StatusError::Sms(SmsCheck::NoCode))), "{refused:?}");
});

both_databases!(join_codes_and_transfer_tokens, |db: TestDb| async move {
    let world = World::new(db).await;
    assert!(joining::receiving_union(&world.app, "NOPE").await.unwrap().is_none());
    let bad = status::request_transfer(&world.app, "1.2.forged", "NOPE", "").await;
    assert!(matches!(bad, Err(MemberTransferError::BadToken)), "{bad:?}");
    // A genuine token for a membership that does not exist: the code is checked first.
    let token = status::transfer::token(&world.app, 999, world.app.now());
    let unknown = status::request_transfer(&world.app, &token, "NOPE", "").await;
    assert!(matches!(unknown, Err(MemberTransferError::UnknownCode)), "{unknown:?}");
    let answered = status::answer_transfer(&world.app, &token, "1", true).await;
    assert!(matches!(answered, Err(MemberTransferError::BadToken)), "{answered:?}");
    // An expired token is refused like a forged one.
    world.clock.0.fetch_add(16 * 60_000, Ordering::SeqCst);
    assert_eq!(status::transfer::verify_token(&world.app, &token), None);
});
