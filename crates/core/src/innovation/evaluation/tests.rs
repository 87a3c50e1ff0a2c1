use super::*;
use proptest::prelude::*;

fn h(hundredths: u32) -> Hundredths {
    Hundredths::new(hundredths).unwrap()
}

fn criteria() -> Criteria {
    let c = |name: &str, weight| Criterion { name: name.to_owned(), weight };
    Criteria::new(vec![c("创新性", 40), c("实用性", 35), c("经济效益", 25)]).unwrap()
}

#[test]
fn a_judges_score_is_the_weighted_mean_of_the_marks() {
    let criteria = criteria();
    // (90·40 + 80·35 + 70·25) / 100 = 81.50
    assert_eq!(criteria.weighted_score(&[90, 80, 70]), Ok(h(8_150)));
    assert_eq!(criteria.weighted_score(&[100, 100, 100]), Ok(h(10_000)));
    assert_eq!(criteria.weighted_score(&[0, 0, 0]), Ok(h(0)));
    // Weights 1:1:1 and marks 1, 0, 0 → 33.333… → 33.33; 2, 0, 0 → 66.67 (half up).
    let even =
        Criteria::new(["a", "b", "c"].map(|n| Criterion { name: n.into(), weight: 1 }).to_vec()).unwrap();
    assert_eq!(even.weighted_score(&[1, 0, 0]), Ok(h(33)));
    assert_eq!(even.weighted_score(&[2, 0, 0]), Ok(h(67)));
    assert_eq!(criteria.weighted_score(&[90, 80]), Err(EvaluationError::MarkCount));
    assert_eq!(criteria.weighted_score(&[90, 80, 101]), Err(EvaluationError::Mark));
    assert_eq!(h(8_150).to_string(), "81.50");
    assert_eq!(Hundredths::new(10_001), None);
}

#[test]
fn criteria_are_checked() {
    let c = |name: &str, weight| Criterion { name: name.to_owned(), weight };
    assert_eq!(Criteria::new(vec![]), Err(EvaluationError::CriteriaCount));
    assert_eq!(Criteria::new(vec![c("a", 1); 11]), Err(EvaluationError::CriteriaCount));
    assert_eq!(Criteria::new(vec![c("a", 1), c(" a ", 2)]), Err(EvaluationError::CriterionName));
    assert_eq!(Criteria::new(vec![c(" ", 1)]), Err(EvaluationError::CriterionName));
    assert_eq!(Criteria::new(vec![c("a", 0)]), Err(EvaluationError::Weight));
    assert_eq!(Criteria::new(vec![c("a", 101)]), Err(EvaluationError::Weight));
    assert_eq!(criteria().as_slice().len(), 3);
}

#[test]
fn the_trimmed_mean_drops_extremes_from_five_judges() {
    // Four judges: a plain mean.
    assert_eq!(trimmed_mean(&[h(9_000), h(8_000), h(7_000), h(1_000)]), Some(h(6_250)));
    // Five: 10.00 and 95.00 dropped, mean of 80, 82, 84.
    assert_eq!(trimmed_mean(&[h(8_000), h(9_500), h(1_000), h(8_400), h(8_200)]), Some(h(8_200)));
    // Equal extremes: only one of each is dropped.
    assert_eq!(trimmed_mean(&[h(5_000), h(5_000), h(9_000), h(9_000), h(7_000)]), Some(h(7_000)));
    assert_eq!(trimmed_mean(&[h(1), h(2)]), Some(h(2)), "1.5 hundredths round half up");
    assert_eq!(trimmed_mean(&[]), None);
}

#[test]
fn results_rank_with_ties_and_tiers_follow_ranks() {
    let plan = AwardPlan { first: 1, second: 2, third: 2, excellence: 1 };
    let scored = vec![
        ("甲", h(9_000)),
        ("乙", h(8_500)),
        ("丙", h(8_500)),
        ("丁", h(8_500)),
        ("戊", h(7_000)),
        ("己", h(6_000)),
        ("庚", h(5_000)),
    ];
    let results = results(scored, plan);
    let table: Vec<_> = results.iter().map(|r| (r.entry, r.rank, r.award)).collect();
    assert_eq!(
        table,
        [
            ("甲", 1, Some(Award::First)),
            ("乙", 2, Some(Award::Second)),
            ("丙", 2, Some(Award::Second)),
            ("丁", 2, Some(Award::Second)),
            ("戊", 5, Some(Award::Third)),
            ("己", 6, Some(Award::Excellence)),
            ("庚", 7, None),
        ]
    );
    assert_eq!(AwardPlan::default().award_for(1), None);
}

#[test]
fn judges_do_not_score_their_own_studios() {
    assert!(conflict_of_interest(&[7, 9], &[9]));
    assert!(!conflict_of_interest(&[7], &[9]));
    assert!(!conflict_of_interest::<i64>(&[], &[9]));
}

proptest! {
    #[test]
    fn the_trimmed_mean_lies_within_the_kept_scores(scores in proptest::collection::vec(0u32..=10_000, 1..12)) {
        let scores: Vec<Hundredths> = scores.into_iter().map(h).collect();
        let mean = trimmed_mean(&scores).unwrap();
        let mut sorted = scores.clone();
        sorted.sort_unstable();
        let kept = if sorted.len() >= TRIM_FROM_JUDGES { &sorted[1..sorted.len() - 1] } else { &sorted[..] };
        prop_assert!(kept[0] <= mean && mean <= kept[kept.len() - 1]);
        // One judge's outlier cannot move a five-judge mean beyond the others.
        if scores.len() >= TRIM_FROM_JUDGES {
            let mut with_outlier = scores.clone();
            with_outlier[0] = h(10_000);
            let mut sorted = with_outlier.clone();
            sorted.sort_unstable();
            let moved = trimmed_mean(&with_outlier).unwrap();
            prop_assert!(moved <= sorted[sorted.len() - 2]);
        }
    }

    #[test]
    fn weighted_scores_stay_between_the_lowest_and_highest_mark(marks in proptest::collection::vec(0u32..=100, 3)) {
        let score = criteria().weighted_score(&marks).unwrap().get();
        let (low, high) = (marks.iter().min().unwrap() * 100, marks.iter().max().unwrap() * 100);
        prop_assert!(low <= score && score <= high);
    }
}

#[test]
fn calls_have_categories_and_a_window() {
    assert_eq!(
        parse_categories("技术革新\n发明创造、技术革新"),
        Some(vec!["技术革新".to_owned(), "发明创造".to_owned()])
    );
    assert_eq!(parse_categories(" \n"), None);
    let day = |d| CivilDate::new(2025, 6, d).unwrap();
    assert_eq!(CallWindow::new(day(10), day(9)), None);
    let window = CallWindow::new(day(1), day(30)).unwrap();
    assert!(window.takes_entries(day(1)) && window.takes_entries(day(30)));
    assert!(!window.takes_entries(CivilDate::new(2025, 7, 1).unwrap()));
    assert_eq!("closed".parse(), Ok(CallStatus::Closed));
}
