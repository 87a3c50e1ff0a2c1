//! The demo's stand-in for a real-name check: an offline register of a few people, so the
//! demo approves at once the way a production installation with a real-name provider
//! does — only an applicant whose name, ID number and mobile belong together — and sends
//! everyone else to the review queue.

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
