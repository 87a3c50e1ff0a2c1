//! Synthetic but realistic people, for load tests and benchmarks (`huiji gen`): names
//! drawn by real surname frequencies, valid ID numbers (real county codes, plausible
//! birth dates for the occupation, the sex digit, a correct check character), mainland
//! mobiles with real carrier prefixes, and occupations and places in realistic
//! proportions.
//!
//! Pure and deterministic: every draw comes from a seeded [`Rng`] the caller passes in,
//! so the same seed makes the same people.

mod names;

use std::sync::OnceLock;

use crate::civil_date::CivilDate;
use crate::id_number::{Sex, check_char};
use crate::occupation::Occupation;
use names::{FEMALE_GIVEN, MALE_GIVEN, MOBILE_PREFIXES, PROVINCE_POPULATION, RARE_SURNAMES, SURNAMES};

/// A small, fast, seedable generator (SplitMix64). Not for secrets: only for making
/// test data reproducible.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub const fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An independent generator for one numbered stream (a batch), so batches can be
    /// made in parallel and still come out the same for a seed.
    pub fn stream(seed: u64, stream: u64) -> Rng {
        let mut mixer = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        Rng(mixer.next_u64())
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Multiply-shift: unbiased enough for test data, and no division.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One element of a non-empty slice (`None` when empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let index = usize::try_from(self.below(items.len() as u64)).ok()?;
        items.get(index)
    }
}

/// Items with integer weights, drawn in proportion to them.
#[derive(Clone, Debug)]
pub struct Weighted<T> {
    items: Vec<T>,
    /// Running totals of the weights.
    cumulative: Vec<u64>,
}

impl<T> Weighted<T> {
    /// The items with their weights; zero-weight items are never drawn.
    pub fn new(weighted: impl IntoIterator<Item = (T, u64)>) -> Weighted<T> {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0u64;
        for (item, weight) in weighted {
            if weight == 0 {
                continue;
            }
            total += weight;
            items.push(item);
            cumulative.push(total);
        }
        Weighted { items, cumulative }
    }

    /// The sum of the weights.
    pub fn total(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    /// Whether nothing can be drawn.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// One item, in proportion to its weight (`None` when empty).
    pub fn draw(&self, rng: &mut Rng) -> Option<&T> {
        let point = rng.below(self.total());
        let index = self.cumulative.partition_point(|&c| c <= point);
        self.items.get(index)
    }
}

/// The occupations of the anhui-2021 scenario, from the article: 412,000 members of the
/// four groups, 325,000 of them truck drivers; the other 87,000 split by the size of the
/// three platform workforces in the province (couriers, then delivery riders, then
/// ride-hailing drivers).
pub const ANHUI_2021_OCCUPATIONS: [(Occupation, u64); 4] = [
    (Occupation::TruckDriver, 325_000),
    (Occupation::Courier, 42_000),
    (Occupation::DeliveryRider, 33_000),
    (Occupation::RideHailingDriver, 12_000),
];

/// The occupations of the national scenario, per thousand: nationally the platform
/// workforces are larger relative to freight (about 17M truck drivers, 10M delivery
/// riders, 6M ride-hailing drivers and 4M couriers in the published estimates), and
/// truck drivers are the best organised, so they are the largest share of members.
pub const NATIONAL_OCCUPATIONS: [(Occupation, u64); 4] = [
    (Occupation::TruckDriver, 450),
    (Occupation::DeliveryRider, 250),
    (Occupation::RideHailingDriver, 150),
    (Occupation::Courier, 150),
];

/// The provinces by resident population (2020 census, ten thousands), for spreading
/// members over the country.
pub fn province_population() -> impl Iterator<Item = (&'static str, u64)> {
    PROVINCE_POPULATION.iter().map(|&(code, people)| (code, u64::from(people)))
}

/// A synthetic resident ID number's parts; [`SyntheticId::render`] makes the 18
/// characters, check character included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntheticId {
    /// The six-digit county code of the birthplace (a real one).
    pub area: u32,
    /// Birth date.
    pub birth: CivilDate,
    /// Digits 15–17: the order code, whose last digit is odd for men, even for women.
    pub order: u16,
}

impl SyntheticId {
    /// The 18-character number.
    pub fn render(&self) -> String {
        let mut digits = [0u8; 17];
        let body = format!(
            "{:06}{:04}{:02}{:02}{:03}",
            self.area,
            self.birth.year(),
            self.birth.month(),
            self.birth.day(),
            self.order % 1000
        );
        digits.copy_from_slice(&body.as_bytes()[..17]);
        // The body is 17 ASCII digits by construction, so the check always exists.
        let check = check_char(&digits).unwrap_or('0');
        let mut number = body;
        number.push(check);
        number
    }

    /// The first 17 digits as one number: equal keys are equal ID numbers.
    pub fn key(&self) -> u64 {
        let date = u64::from(self.birth.year().unsigned_abs()) * 10_000
            + u64::from(self.birth.month()) * 100
            + u64::from(self.birth.day());
        (u64::from(self.area) * 100_000_000 + date) * 1000 + u64::from(self.order % 1000)
    }

    /// The next order code of the same sex, for when a number is taken already.
    pub fn next_order(&mut self) {
        self.order = (self.order + 2) % 1000;
    }

    /// The sex the order code encodes.
    pub fn sex(&self) -> Sex {
        if self.order % 2 == 1 { Sex::Male } else { Sex::Female }
    }
}

/// One synthetic worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// 姓名
    pub name: String,
    /// The ID number's parts.
    pub id: SyntheticId,
    /// An 11-digit mainland mobile.
    pub mobile: String,
}

/// Ages (youngest, oldest) and the share of men (per mille) of an occupation: freight
/// is an older, almost entirely male trade; platform riders are younger.
const fn profile(occupation: Occupation) -> (i64, i64, u64) {
    match occupation {
        Occupation::TruckDriver => (24, 60, 980),
        Occupation::Courier => (19, 50, 850),
        Occupation::DeliveryRider => (18, 48, 900),
        Occupation::RideHailingDriver => (23, 58, 930),
        _ => (18, 60, 500),
    }
}

/// Makes one person of an occupation, born in `birth_area` (a six-digit county code),
/// at least 18 years old on `today`.
pub fn person(rng: &mut Rng, occupation: Occupation, birth_area: u32, today: CivilDate) -> Person {
    let (youngest, oldest, men) = profile(occupation);
    let male = rng.chance(men);
    // The sum of two uniform draws peaks in the middle of the range, as the age
    // distribution of a trade does.
    let span = (oldest - youngest) as u64;
    let age = youngest + ((rng.below(span + 1) + rng.below(span + 1)) / 2) as i64;
    let days = today.days_since_epoch() - age * 36525 / 100 - rng.below(365) as i64 - 1;
    let birth = CivilDate::from_days_since_epoch(days).unwrap_or(today);
    let order = (rng.below(500) * 2 + u64::from(male)) as u16;

    static COMMON: OnceLock<Weighted<&'static str>> = OnceLock::new();
    let common = COMMON.get_or_init(|| Weighted::new(SURNAMES.iter().map(|&(s, w)| (s, u64::from(w)))));
    let surname = if rng.chance(880) { common.draw(rng).copied() } else { rng.pick(&RARE_SURNAMES).copied() };
    let given: &[&str] = if male { &MALE_GIVEN } else { &FEMALE_GIVEN };
    let mut name = surname.unwrap_or("王").to_owned();
    name.push_str(rng.pick(given).copied().unwrap_or("伟"));
    if rng.chance(650) {
        name.push_str(rng.pick(given).copied().unwrap_or("伟"));
    }

    let mut mobile = rng.pick(&MOBILE_PREFIXES).copied().unwrap_or("138").to_owned();
    mobile.push_str(&format!("{:08}", rng.below(100_000_000)));

    Person { name, id: SyntheticId { area: birth_area, birth, order }, mobile }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::id_number::IdNumber;
    use crate::mobile::Mobile;
    use crate::person_name::PersonName;
    use crate::region::RegionTable;

    fn today() -> CivilDate {
        CivilDate::new(2026, 11, 30).unwrap()
    }

    #[test]
    fn people_pass_the_real_checks() {
        let table = RegionTable::national();
        let mut rng = Rng::new(7);
        for i in 0..20_000u32 {
            let occupation = Occupation::MAIN_FOUR[(i % 4) as usize];
            let p = person(&mut rng, occupation, 340_122, today());
            let number = p.id.render();
            let id = IdNumber::parse(&number, today(), |c| table.province_exists(c)).unwrap();
            id.check_min_age(today(), 18).unwrap();
            assert_eq!(id.area_code(), "340122");
            assert_eq!(id.sex(), p.id.sex());
            assert_eq!(id.birth_date(), p.id.birth);
            Mobile::parse(&p.mobile).unwrap();
            PersonName::parse(&p.name).unwrap();
        }
    }

    #[test]
    fn the_same_seed_makes_the_same_people_and_streams_differ() {
        let make = |mut rng: Rng| person(&mut rng, Occupation::Courier, 110_105, today());
        assert_eq!(make(Rng::new(1)), make(Rng::new(1)));
        assert_ne!(make(Rng::stream(1, 0)), make(Rng::stream(1, 1)));
    }

    #[test]
    fn truck_drivers_are_mostly_men_and_older_than_riders() {
        let mut rng = Rng::new(3);
        let mut men = 0;
        let (mut truck_age, mut rider_age) = (0i64, 0i64);
        for _ in 0..10_000 {
            let truck = person(&mut rng, Occupation::TruckDriver, 340_122, today());
            men += u32::from(truck.id.sex() == Sex::Male);
            truck_age += today().year() as i64 - truck.id.birth.year() as i64;
            let rider = person(&mut rng, Occupation::DeliveryRider, 340_122, today());
            rider_age += today().year() as i64 - rider.id.birth.year() as i64;
        }
        assert!(men > 9_600, "{men}");
        assert!(truck_age > rider_age + 40_000, "{truck_age} vs {rider_age}");
    }

    #[test]
    fn next_order_keeps_the_sex_and_changes_the_number() {
        let mut id = SyntheticId { area: 340_122, birth: CivilDate::new(1980, 2, 29).unwrap(), order: 999 };
        let before = (id.key(), id.render());
        id.next_order();
        assert_eq!(id.sex(), Sex::Male);
        assert_ne!(before, (id.key(), id.render()));
    }

    #[test]
    fn weighted_draws_follow_the_weights() {
        let w = Weighted::new(ANHUI_2021_OCCUPATIONS);
        assert_eq!(w.total(), 412_000);
        let mut rng = Rng::new(11);
        let trucks = (0..100_000).filter(|_| w.draw(&mut rng) == Some(&Occupation::TruckDriver)).count();
        // 325/412 = 78.9 %.
        assert!((78_000..79_800).contains(&trucks), "{trucks}");
        assert!(Weighted::<u8>::new([(1, 0)]).draw(&mut rng).is_none());
        assert_eq!(province_population().count(), 31);
    }
}
