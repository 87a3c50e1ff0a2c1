//! The occupations (从业类型) a worker chooses from when joining.

use std::fmt;
use std::str::FromStr;

/// A new-employment-form occupation; the code is the stable identifier used in the API
/// and the database, the labels are what people read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Occupation {
    /// 货车司机
    TruckDriver,
    /// 快递员
    Courier,
    /// 网约配送员
    DeliveryRider,
    /// 网约车司机
    RideHailingDriver,
    /// 护工护理员
    CareWorker,
    /// 家政服务员
    DomesticWorker,
    /// 商场信息员
    MallInfoWorker,
    /// 房产中介员
    RealEstateAgent,
    /// 保安员
    SecurityGuard,
    /// 其他
    Other,
}

/// The text is not one of the occupation codes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown occupation")]
pub struct UnknownOccupation;

impl Occupation {
    /// Every occupation, in the order forms list them.
    pub const ALL: [Occupation; 10] = [
        Self::TruckDriver,
        Self::Courier,
        Self::DeliveryRider,
        Self::RideHailingDriver,
        Self::CareWorker,
        Self::DomesticWorker,
        Self::MallInfoWorker,
        Self::RealEstateAgent,
        Self::SecurityGuard,
        Self::Other,
    ];

    /// The four groups the provincial campaign organises first (the article's 四大群体).
    pub const MAIN_FOUR: [Occupation; 4] =
        [Self::TruckDriver, Self::Courier, Self::DeliveryRider, Self::RideHailingDriver];

    /// The stable code, e.g. `truck_driver`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::TruckDriver => "truck_driver",
            Self::Courier => "courier",
            Self::DeliveryRider => "delivery_rider",
            Self::RideHailingDriver => "ride_hailing_driver",
            Self::CareWorker => "care_worker",
            Self::DomesticWorker => "domestic_worker",
            Self::MallInfoWorker => "mall_info_worker",
            Self::RealEstateAgent => "real_estate_agent",
            Self::SecurityGuard => "security_guard",
            Self::Other => "other",
        }
    }

    /// The Chinese label, e.g. 货车司机.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::TruckDriver => "货车司机",
            Self::Courier => "快递员",
            Self::DeliveryRider => "网约配送员",
            Self::RideHailingDriver => "网约车司机",
            Self::CareWorker => "护工护理员",
            Self::DomesticWorker => "家政服务员",
            Self::MallInfoWorker => "商场信息员",
            Self::RealEstateAgent => "房产中介员",
            Self::SecurityGuard => "保安员",
            Self::Other => "其他",
        }
    }

    /// The letter after a region code in an industry federation's join code, so codes
    /// stay short enough to type from a poster (`3401T` is 合肥市货车司机工会联合会).
    pub const fn join_code_letter(self) -> char {
        match self {
            Self::TruckDriver => 'T',
            Self::Courier => 'C',
            Self::DeliveryRider => 'D',
            Self::RideHailingDriver => 'R',
            Self::CareWorker => 'H',
            Self::DomesticWorker => 'J',
            Self::MallInfoWorker => 'M',
            Self::RealEstateAgent => 'E',
            Self::SecurityGuard => 'S',
            Self::Other => 'O',
        }
    }

    /// The English label, e.g. "Truck driver".
    pub const fn label_en(self) -> &'static str {
        match self {
            Self::TruckDriver => "Truck driver",
            Self::Courier => "Courier",
            Self::DeliveryRider => "Delivery rider",
            Self::RideHailingDriver => "Ride-hailing driver",
            Self::CareWorker => "Care worker",
            Self::DomesticWorker => "Domestic worker",
            Self::MallInfoWorker => "Mall information worker",
            Self::RealEstateAgent => "Real-estate agent",
            Self::SecurityGuard => "Security guard",
            Self::Other => "Other",
        }
    }
}

/// Other names lists use for the occupations (government and platform rosters rarely
/// use the labels above), besides the code and the Chinese and English labels.
const SYNONYMS: [(&str, Occupation); 22] = [
    ("货车驾驶员", Occupation::TruckDriver),
    ("货车驾驶人", Occupation::TruckDriver),
    ("卡车司机", Occupation::TruckDriver),
    ("货运司机", Occupation::TruckDriver),
    ("道路货运驾驶员", Occupation::TruckDriver),
    ("快递小哥", Occupation::Courier),
    ("快递业务员", Occupation::Courier),
    ("快递", Occupation::Courier),
    ("外卖骑手", Occupation::DeliveryRider),
    ("外卖员", Occupation::DeliveryRider),
    ("外卖配送员", Occupation::DeliveryRider),
    ("骑手", Occupation::DeliveryRider),
    ("网约车驾驶员", Occupation::RideHailingDriver),
    ("网约车", Occupation::RideHailingDriver),
    ("护工", Occupation::CareWorker),
    ("护理员", Occupation::CareWorker),
    ("家政", Occupation::DomesticWorker),
    ("家政工", Occupation::DomesticWorker),
    ("房产中介", Occupation::RealEstateAgent),
    ("房地产经纪人", Occupation::RealEstateAgent),
    ("保安", Occupation::SecurityGuard),
    ("其它", Occupation::Other),
];

impl Occupation {
    /// Reads an occupation as files write it: the code (`truck_driver`, any case), the
    /// Chinese label (货车司机), the English label, or a common synonym (卡车司机, 外卖骑手,
    /// 快递小哥, ...); surrounding and full-width spaces are ignored.
    ///
    /// # Errors
    ///
    /// [`UnknownOccupation`] for anything else, including blank text.
    pub fn from_text(text: &str) -> Result<Occupation, UnknownOccupation> {
        let trimmed = text.trim();
        let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        Self::ALL
            .into_iter()
            .find(|o| {
                o.code().eq_ignore_ascii_case(&compact)
                    || o.label_zh() == compact
                    || o.label_en().eq_ignore_ascii_case(trimmed)
            })
            .or_else(|| SYNONYMS.iter().find(|(name, _)| *name == compact).map(|&(_, o)| o))
            .ok_or(UnknownOccupation)
    }
}

impl FromStr for Occupation {
    type Err = UnknownOccupation;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|o| o.code() == code).ok_or(UnknownOccupation)
    }
}

/// A stored code, as the store decodes a column.
impl TryFrom<String> for Occupation {
    type Error = UnknownOccupation;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        code.parse()
    }
}

impl fmt::Display for Occupation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for occupation in Occupation::ALL {
            assert_eq!(occupation.code().parse(), Ok(occupation));
        }
        let mut codes: Vec<_> = Occupation::ALL.iter().map(|o| o.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Occupation::ALL.len());
        assert_eq!("Truck_driver".parse::<Occupation>(), Err(UnknownOccupation));
        assert_eq!("".parse::<Occupation>(), Err(UnknownOccupation));
    }

    #[test]
    fn text_from_files_reads_codes_labels_and_synonyms() {
        for occupation in Occupation::ALL {
            assert_eq!(Occupation::from_text(occupation.code()), Ok(occupation));
            assert_eq!(Occupation::from_text(occupation.label_zh()), Ok(occupation));
            assert_eq!(Occupation::from_text(occupation.label_en()), Ok(occupation));
        }
        assert_eq!(Occupation::from_text(" 货车司机\u{3000}"), Ok(Occupation::TruckDriver));
        assert_eq!(Occupation::from_text("TRUCK_DRIVER"), Ok(Occupation::TruckDriver));
        assert_eq!(Occupation::from_text("卡车司机"), Ok(Occupation::TruckDriver));
        assert_eq!(Occupation::from_text("外卖骑手"), Ok(Occupation::DeliveryRider));
        assert_eq!(Occupation::from_text("Ride-hailing driver"), Ok(Occupation::RideHailingDriver));
        for bad in ["", "司机", "truck", "教师"] {
            assert_eq!(Occupation::from_text(bad), Err(UnknownOccupation), "{bad}");
        }
    }
}
