//! A union's contact details (address, phone, contact person): what a worker who was
//! refused, or who has a question, needs to reach the union that holds or decides their
//! membership. Every part is optional; an empty one is left out wherever they are shown.

/// The longest address kept.
pub const MAX_ADDRESS_CHARS: usize = 100;
/// The longest contact person's name kept.
pub const MAX_PERSON_CHARS: usize = 20;
/// The longest phone number kept (a landline with area code and extension fits).
pub const MAX_PHONE_CHARS: usize = 20;

/// A union's contact details, each trimmed and possibly empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnionContact {
    /// Where to go (办公地址).
    pub address: String,
    /// What to dial: a mobile or a landline (digits, `-`, spaces, `+`, `(`, `)`, `转`).
    pub phone: String,
    /// Whom to ask for (联系人).
    pub person: String,
}

/// Why typed contact details were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    /// Longer than [`MAX_ADDRESS_CHARS`], or with control characters.
    #[error("the address is too long or holds control characters")]
    Address,
    /// Not a phone number.
    #[error("the phone number may hold digits, spaces, + - ( ) and 转 only, 5 to 20 of them")]
    Phone,
    /// Longer than [`MAX_PERSON_CHARS`], or with control characters.
    #[error("the contact person's name is too long or holds control characters")]
    Person,
}

impl ContactError {
    /// What the console says, in Chinese.
    pub const fn message_zh(self) -> &'static str {
        match self {
            ContactError::Address => "地址过长（最多100字）或含有控制字符",
            ContactError::Phone => "电话只能包含数字、空格、+ - ( ) 和“转”，5到20个字符",
            ContactError::Person => "联系人过长（最多20字）或含有控制字符",
        }
    }
}

fn plain(text: &str, max: usize) -> Option<String> {
    let text = text.trim();
    (text.chars().count() <= max && !text.chars().any(char::is_control)).then(|| text.to_owned())
}

impl UnionContact {
    /// Checks typed details: each trimmed; an empty one is allowed (it is not shown).
    ///
    /// # Errors
    ///
    /// The first part that is too long, holds control characters, or (the phone) is not
    /// made of a phone number's characters.
    pub fn parse(address: &str, phone: &str, person: &str) -> Result<UnionContact, ContactError> {
        let address = plain(address, MAX_ADDRESS_CHARS).ok_or(ContactError::Address)?;
        let phone = phone.trim();
        let phone_ok = phone.is_empty()
            || ((5..=MAX_PHONE_CHARS).contains(&phone.chars().count())
                && phone.chars().all(|c| c.is_ascii_digit() || " +-()转".contains(c))
                && phone.chars().any(|c| c.is_ascii_digit()));
        if !phone_ok {
            return Err(ContactError::Phone);
        }
        let person = plain(person, MAX_PERSON_CHARS).ok_or(ContactError::Person)?;
        Ok(UnionContact { address, phone: phone.to_owned(), person })
    }

    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.address.is_empty() && self.phone.is_empty() && self.person.is_empty()
    }

    /// The details as one clause of an SMS, e.g. `（联系人：张敏，电话：0551-63456789，地址：…）`;
    /// empty when nothing is known.
    pub fn sms_clause(&self) -> String {
        let parts: Vec<String> = [("联系人", &self.person), ("电话", &self.phone), ("地址", &self.address)]
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(label, value)| format!("{label}：{value}"))
            .collect();
        if parts.is_empty() { String::new() } else { format!("（{}）", parts.join("，")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_trimmed_and_checked() {
        let contact = UnionContact::parse(" 合肥市庐阳区 ", "0551-6345 6789", " 张敏 ").unwrap();
        assert_eq!(contact.address, "合肥市庐阳区");
        assert_eq!(contact.person, "张敏");
        assert_eq!(contact.sms_clause(), "（联系人：张敏，电话：0551-6345 6789，地址：合肥市庐阳区）");
        assert_eq!(UnionContact::parse("", "", "").unwrap().sms_clause(), "");
        assert!(UnionContact::parse("", "", "").unwrap().is_empty());
        assert_eq!(UnionContact::parse("", "call me", ""), Err(ContactError::Phone));
        assert_eq!(UnionContact::parse("", "1234", ""), Err(ContactError::Phone));
        assert_eq!(UnionContact::parse("", "0551-63456789转8001", "").unwrap().phone, "0551-63456789转8001");
        assert_eq!(UnionContact::parse(&"路".repeat(101), "", ""), Err(ContactError::Address));
        assert_eq!(UnionContact::parse("", "", "张\u{7}敏"), Err(ContactError::Person));
    }
}
