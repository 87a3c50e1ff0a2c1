//! What a station offers, as a small set, and how an import's 服务项目 cell is read.

use std::fmt;

use crate::labelled::UnknownCode;
use crate::labelled::labelled_enum;

labelled_enum!(
    /// One service a station offers (DESIGN.md "Stations").
    Amenity {
        /// A place to sit and rest.
        Rest = "rest", "休息", "Rest";
        /// Drinking water.
        Water = "water", "饮水", "Drinking water";
        /// Hot meals.
        HotMeals = "hot_meals", "热餐", "Hot meals";
        /// A microwave to heat one's own food.
        Microwave = "microwave", "微波炉", "Microwave";
        /// Charging for phones or e-bikes.
        Charging = "charging", "充电", "Charging";
        /// Toilets.
        Toilets = "toilets", "卫生间", "Toilets";
        /// Showers.
        Showers = "showers", "淋浴", "Showers";
        /// Laundry.
        Laundry = "laundry", "洗衣", "Laundry";
        /// Parking for trucks.
        TruckParking = "truck_parking", "货车停车", "Truck parking";
        /// A first-aid kit and common medicines.
        Medicine = "medicine", "常用药品", "Medicine";
        /// Legal advice.
        LegalHelp = "legal_help", "法律咨询", "Legal help";
    }
);

impl Amenity {
    /// Words that name the amenity in what unions write (besides the label).
    const fn keywords(self) -> &'static [&'static str] {
        match self {
            Self::Rest => &["休息", "休憩", "歇脚", "小憩", "午休"],
            Self::Water => &["饮水", "喝水", "热水", "开水", "饮用水", "茶水"],
            Self::HotMeals => &["热餐", "热饭", "就餐", "餐饮", "用餐", "午餐", "爱心餐"],
            Self::Microwave => &["微波炉", "加热"],
            Self::Charging => &["充电"],
            Self::Toilets => &["卫生间", "厕所", "如厕", "洗手间"],
            Self::Showers => &["淋浴", "洗澡", "沐浴"],
            Self::Laundry => &["洗衣"],
            Self::TruckParking => &["停车"],
            Self::Medicine => &["药品", "药箱", "医药", "急救", "常用药"],
            Self::LegalHelp => &["法律", "维权", "法援"],
        }
    }

    fn bit(self) -> u16 {
        let index = Self::ALL.iter().position(|a| *a == self).unwrap_or(0);
        1 << index
    }
}

/// A set of amenities (a bit set, so it is `Copy` and compares cheaply).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AmenitySet(u16);

impl AmenitySet {
    /// No amenities.
    pub const EMPTY: AmenitySet = AmenitySet(0);

    /// Adds one.
    pub fn insert(&mut self, amenity: Amenity) {
        self.0 |= amenity.bit();
    }

    /// Whether the set has it.
    pub fn contains(self, amenity: Amenity) -> bool {
        self.0 & amenity.bit() != 0
    }

    /// Whether every amenity of `wanted` is offered (a search filter).
    pub fn contains_all(self, wanted: AmenitySet) -> bool {
        self.0 & wanted.0 == wanted.0
    }

    /// How many.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether there are none.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The amenities in the order of [`Amenity::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Amenity> {
        Amenity::ALL.iter().copied().filter(move |a| self.contains(*a))
    }

    /// Parses the stored form (comma-separated codes, as [`fmt::Display`] writes it).
    ///
    /// # Errors
    ///
    /// [`UnknownCode`] if any part is not an amenity code.
    pub fn parse_codes(text: &str) -> Result<AmenitySet, UnknownCode> {
        text.split(',').filter(|c| !c.is_empty()).map(str::parse).collect()
    }
}

impl FromIterator<Amenity> for AmenitySet {
    fn from_iter<I: IntoIterator<Item = Amenity>>(iter: I) -> Self {
        let mut set = AmenitySet::EMPTY;
        for amenity in iter {
            set.insert(amenity);
        }
        set
    }
}

impl fmt::Display for AmenitySet {
    /// `rest,water,charging`: the stored form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<&str> = self.iter().map(Amenity::code).collect();
        f.write_str(&codes.join(","))
    }
}

/// What an import's 服务项目 cell says: the amenities recognised, and the items that
/// named none (kept for the import report, not silently dropped).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AmenityCell {
    /// The amenities recognised.
    pub amenities: AmenitySet,
    /// Items that named no known amenity, as written.
    pub unrecognised: Vec<String>,
}

/// Reads a 服务项目 cell such as “休息、饮水，热饭/微波炉 手机充电；图书角”: items are
/// separated by 、，,；;/|, and an item that names nothing as a whole is split again at
/// spaces (so “Hot meals” stays one item but “休息 饮水” is two); an item may name
/// several amenities (“热饭微波炉”).
pub fn parse_amenities(cell: &str) -> AmenityCell {
    let mut result = AmenityCell::default();
    let separators = ['、', '，', ',', '；', ';', '/', '／', '|', '\n'];
    for item in cell.split(separators).map(str::trim).filter(|i| !i.is_empty()) {
        let named = named_in(item);
        if !named.is_empty() {
            result.amenities.extend(named);
            continue;
        }
        for word in item.split(char::is_whitespace).filter(|w| !w.is_empty()) {
            let named = named_in(word);
            if named.is_empty() {
                result.unrecognised.push(word.to_owned());
            }
            result.amenities.extend(named);
        }
    }
    result
}

/// The amenities one item names: its code or label as a whole, or any keyword inside.
fn named_in(item: &str) -> Vec<Amenity> {
    Amenity::ALL
        .iter()
        .copied()
        .filter(|a| {
            Amenity::from_code_or_label(item) == Some(*a) || a.keywords().iter().any(|k| item.contains(k))
        })
        .collect()
}

impl Extend<Amenity> for AmenitySet {
    fn extend<I: IntoIterator<Item = Amenity>>(&mut self, iter: I) {
        for amenity in iter {
            self.insert(amenity);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_import_cell_names_amenities_in_unions_words() {
        let cell =
            parse_amenities("休息、饮水，热饭/微波炉 手机充电；图书角,卫生间|淋浴、法律咨询、停车场、医药箱");
        let expected: AmenitySet = [
            Amenity::Rest,
            Amenity::Water,
            Amenity::HotMeals,
            Amenity::Microwave,
            Amenity::Charging,
            Amenity::Toilets,
            Amenity::Showers,
            Amenity::LegalHelp,
            Amenity::TruckParking,
            Amenity::Medicine,
        ]
        .into_iter()
        .collect();
        assert_eq!(cell.amenities, expected);
        assert_eq!(cell.unrecognised, ["图书角"]);
        assert_eq!(parse_amenities("laundry, Hot meals").amenities.to_string(), "hot_meals,laundry");
        assert_eq!(parse_amenities("  "), AmenityCell::default());
        let both = parse_amenities("热饭微波炉").amenities;
        assert!(both.contains(Amenity::HotMeals) && both.contains(Amenity::Microwave) && both.len() == 2);
    }

    #[test]
    fn sets_store_as_codes() {
        let set: AmenitySet = [Amenity::Water, Amenity::Rest].into_iter().collect();
        assert_eq!(set.to_string(), "rest,water");
        assert_eq!(AmenitySet::parse_codes("rest,water"), Ok(set));
        assert_eq!(AmenitySet::parse_codes(""), Ok(AmenitySet::EMPTY));
        assert_eq!(AmenitySet::parse_codes("rest,sauna"), Err(UnknownCode));
        assert!(set.contains_all([Amenity::Rest].into_iter().collect()));
        assert!(!set.contains_all([Amenity::Showers].into_iter().collect()));
        assert!(AmenitySet::EMPTY.is_empty() && set.len() == 2);
    }

    proptest! {
        #[test]
        fn any_set_round_trips(bits in 0u16..(1 << 11)) {
            let set: AmenitySet = Amenity::ALL.iter().copied().filter(|a| bits & a.bit() != 0).collect();
            prop_assert_eq!(AmenitySet::parse_codes(&set.to_string()), Ok(set));
            prop_assert_eq!(parse_amenities(&set.iter().map(Amenity::label_zh).collect::<Vec<_>>().join("、")).amenities, set);
        }
    }
}
