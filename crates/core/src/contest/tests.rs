use super::*;
use proptest::prelude::*;

fn letters(text: &str) -> LetterSet {
    LetterSet::parse(text).unwrap()
}

fn cells<'a>(kind: &'a str, options: [&'a str; 6], answer: &'a str) -> QuestionCells<'a> {
    QuestionCells {
        kind,
        stem: "驾驶货车连续驾驶不得超过多少小时？",
        options,
        answer,
        explanation: "《道路交通安全法实施条例》第六十二条。",
        category: "道路交通安全",
        difficulty: "易",
    }
}

#[test]
fn letters_parse_in_any_typed_form() {
    assert_eq!(letters("ABD"), letters("d, b ,a"));
    assert_eq!(letters("Ａ、ｂ").to_string(), "AB");
    assert_eq!(LetterSet::parse("G"), None);
    assert_eq!(LetterSet::parse(""), None);
    assert_eq!(LetterSet::parse("A1"), None);
    assert_eq!(letters("CA").len(), 2);
    assert!(LetterSet::EMPTY.is_empty() && LetterSet::single(6).is_none());
}

#[test]
fn questions_of_each_kind_parse() {
    let single = parse_question(&cells("单选题", ["2小时", "4小时", "6小时", "", "", ""], "B")).unwrap();
    assert_eq!((single.kind, single.options.len(), single.answer), (QuestionKind::Single, 3, letters("B")));
    assert_eq!(single.difficulty, Difficulty::Easy);
    assert_eq!(single.category.as_str(), "道路交通安全");
    let multiple = parse_question(&cells("多选", ["a", "b", "c", "d", "e", "f"], "ACF")).unwrap();
    assert_eq!(multiple.answer.to_string(), "ACF");
    let truth = parse_question(&cells("判断", [""; 6], "√")).unwrap();
    assert_eq!((truth.kind, truth.answer), (QuestionKind::TrueFalse, letters("A")));
    let falsehood =
        parse_question(&QuestionCells { difficulty: "", explanation: "", ..cells("judge", [""; 6], "错") });
    assert!(falsehood.is_err(), "judge is no kind");
    let falsehood = parse_question(&QuestionCells {
        difficulty: "",
        explanation: "",
        ..cells("true_false", [""; 6], "错")
    })
    .unwrap();
    assert_eq!(
        (falsehood.answer, falsehood.difficulty, falsehood.explanation),
        (letters("B"), Difficulty::Medium, None)
    );
}

#[test]
fn every_problem_of_a_row_is_reported() {
    let errors = |c: QuestionCells<'_>| parse_question(&c).unwrap_err();
    assert_eq!(errors(cells("单选题", ["a", "", "c", "", "", ""], "A")), [QuestionError::OptionGap('B')]);
    assert_eq!(errors(cells("单选题", ["a", "", "", "", "", ""], "A")), [QuestionError::TooFewOptions]);
    assert_eq!(
        errors(cells("单选题", ["a", "b", "", "", "", ""], "AB")),
        [QuestionError::SingleWithSeveralAnswers]
    );
    assert_eq!(
        errors(cells("多选题", ["a", "b", "c", "", "", ""], "C")),
        [QuestionError::MultipleWithOneAnswer]
    );
    assert_eq!(
        errors(cells("单选题", ["a", "b", "", "", "", ""], "D")),
        [QuestionError::AnswerNotAnOption('D')]
    );
    assert_eq!(errors(cells("单选题", ["a", "b", "", "", "", ""], "对")), [QuestionError::BadAnswer]);
    assert_eq!(
        errors(cells("判断题", ["a", "", "", "", "", ""], "对")),
        [QuestionError::TrueFalseWithOptions]
    );
    assert_eq!(errors(cells("判断题", [""; 6], "maybe")), [QuestionError::BadAnswer]);
    let long_option = "长".repeat(201);
    assert_eq!(
        errors(cells("单选题", ["a", &long_option, "", "", "", ""], "A")),
        [QuestionError::OptionTooLong('B')]
    );
    let bad = QuestionCells {
        kind: "填空题",
        stem: " ",
        options: [""; 6],
        answer: "",
        explanation: &"解".repeat(1001),
        category: "",
        difficulty: "超难",
    };
    let codes: Vec<_> = errors(bad).iter().map(|e| e.code()).collect();
    assert_eq!(
        codes,
        [
            "question.kind",
            "question.stem_missing",
            "question.answer_missing",
            "question.explanation_too_long",
            "question.category",
            "question.difficulty"
        ]
    );
}

#[test]
fn line_breaks_become_spaces_and_control_characters_are_refused() {
    let multiline = QuestionCells {
        stem: "驾驶货车\n连续驾驶多久？",
        explanation: "第一行\r\n第二行",
        ..cells("单选题", ["2小时", "4小时\t", "", "", "", ""], "B")
    };
    let question = parse_question(&multiline).unwrap();
    assert_eq!(question.stem, "驾驶货车 连续驾驶多久？");
    assert_eq!(question.explanation.as_deref(), Some("第一行  第二行"));
    assert_eq!(question.options[1], "4小时");
    let bad =
        QuestionCells { stem: "火灾\u{0}报警", ..cells("单选题", ["a", "b", "", "", "", ""], "A") };
    assert_eq!(parse_question(&bad).unwrap_err(), [QuestionError::ControlCharacter]);
}

#[test]
fn duplicate_stems_ignore_spacing_punctuation_and_case() {
    let stems = ["发生火灾应拨打119。", "发生火灾 应拨打 119？", "Fire: call 119", "fire call 119", "其他"];
    assert_eq!(duplicate_stems(stems), [(0, 1), (2, 3)]);
}

fn bank() -> Vec<BankQuestion> {
    let category = |name: &str| Category::parse(name).unwrap();
    (0..30)
        .map(|id| BankQuestion {
            id: QuestionId(id),
            category: category(["交通", "消防", "职业健康"][(id % 3) as usize]),
        })
        .collect()
}

fn quota(name: &str, count: u32) -> CategoryQuota {
    CategoryQuota { category: Category::parse(name).unwrap(), count }
}

#[test]
fn draws_respect_quotas_and_are_fixed_by_the_seed() {
    let quotas = [quota("交通", 4), quota("消防", 3)];
    let drawn = draw_questions(&bank(), &quotas, 42).unwrap();
    assert_eq!(drawn.len(), 7);
    assert_eq!(drawn.iter().filter(|id| id.0 % 3 == 0).count(), 4);
    assert_eq!(drawn.iter().filter(|id| id.0 % 3 == 1).count(), 3);
    assert_eq!(draw_questions(&bank(), &quotas, 42).unwrap(), drawn);
    let mut reversed = bank();
    reversed.reverse();
    assert_eq!(draw_questions(&reversed, &quotas, 42).unwrap(), drawn);
    assert_ne!(draw_questions(&bank(), &quotas, 43).unwrap(), drawn);
    assert_eq!(
        draw_questions(&bank(), &[quota("交通", 11)], 1),
        Err(DrawError::NotEnough { category: "交通".into(), wanted: 11, available: 10 })
    );
    assert_eq!(
        draw_questions(&bank(), &[quota("法律", 1)], 1),
        Err(DrawError::NotEnough { category: "法律".into(), wanted: 1, available: 0 })
    );
    assert_eq!(
        draw_questions(&bank(), &[quota("交通", 1), quota("交通", 1)], 1),
        Err(DrawError::DuplicateCategory("交通".into()))
    );
    assert_eq!(draw_questions(&bank(), &[quota("交通", 0)], 1), Err(DrawError::Empty));
}

#[test]
fn every_question_of_a_category_can_be_drawn() {
    let mut counts = [0u32; 30];
    for seed in 0..300 {
        for id in draw_questions(&bank(), &[quota("交通", 2)], seed).unwrap() {
            counts[usize::try_from(id.0).unwrap()] += 1;
        }
    }
    // 600 draws over the 10 traffic questions: each drawn, none far from 60.
    for id in (0..30).step_by(3) {
        assert!((30..=90).contains(&counts[id]), "question {id} drawn {} times", counts[id]);
    }
    assert!(counts.iter().enumerate().all(|(id, n)| id % 3 == 0 || *n == 0));
}

#[test]
fn scoring_is_all_or_nothing_and_the_clock_decides() {
    let keys = [letters("A"), letters("BD"), letters("B"), letters("C")];
    let counted = AnswerTiming::Counted;
    let answers = [
        (Some(letters("A")), counted),
        (Some(letters("B")), counted),
        (Some(letters("B")), AnswerTiming::TooFast),
        (Some(letters("C")), AnswerTiming::Late),
    ];
    assert_eq!(score(&keys, &answers), Score { correct: 1, total: 4, flagged: 1 });
    // “DB” is exactly question 2’s key and nothing else’s.
    assert_eq!(score(&keys, &[(Some(letters("DB")), counted); 4]).correct, 1);
    assert_eq!(score(&keys, &[(Some(letters("ABD")), counted); 4]).correct, 0);
    assert_eq!(score(&keys[1..2], &[(Some(letters("DB")), counted)]).correct, 1);
    assert_eq!(score(&keys, &[]), Score { correct: 0, total: 4, flagged: 0 });
    assert_eq!(Score { correct: 2, total: 3, flagged: 0 }.percent(), 67);
    assert_eq!(Score { correct: 1, total: 8, flagged: 0 }.percent(), 13);
    assert_eq!(Score::default().percent(), 0);

    let window =
        ContestWindow::new(CivilDate::new(1970, 1, 1).unwrap(), CivilDate::new(1970, 1, 1).unwrap()).unwrap();
    let clock = AttemptClock::start(Timestamp(1_000_000), 10, window);
    assert_eq!(clock.deadline, Timestamp(1_600_000));
    assert_eq!(clock.answer_timing(Timestamp(1_100_000), Timestamp(1_100_999)), AnswerTiming::TooFast);
    assert_eq!(clock.answer_timing(Timestamp(1_100_000), Timestamp(1_101_000)), AnswerTiming::Counted);
    assert_eq!(clock.answer_timing(Timestamp(1_599_900), Timestamp(1_600_100)), AnswerTiming::Late);
}

#[test]
fn attempts_windows_and_the_people_board() {
    let per_day = AttemptsPerDay::new(2).unwrap();
    assert!(per_day.allows_another(1) && !per_day.allows_another(2));
    assert_eq!(AttemptsPerDay::new(0), None);
    assert_eq!(per_day.get(), 2);
    let day = |d| CivilDate::new(2026, 12, d).unwrap();
    let window = ContestWindow::new(day(1), day(7)).unwrap();
    assert_eq!(ContestWindow::new(day(7), day(1)), None);
    assert_eq!(window.phase(Timestamp(Timestamp::china_day_start(day(1)).0 - 1)), ContestPhase::NotStarted);
    assert_eq!(window.phase(Timestamp::china_day_start(day(1))), ContestPhase::Open);
    assert_eq!(window.phase(Timestamp(Timestamp::china_day_start(day(8)).0 - 1)), ContestPhase::Open);
    assert_eq!(window.phase(Timestamp::china_day_start(day(8))), ContestPhase::Closed);
    assert_eq!(
        (window.from(), window.until(), window.closes_at()),
        (day(1), day(7), Timestamp::china_day_start(day(8)))
    );
    // An attempt started ten minutes before the close ends at the close, not at its limit.
    let late_start = Timestamp(window.closes_at().0 - 600_000);
    assert_eq!(AttemptClock::start(late_start, 30, window).deadline, window.closes_at());
    assert_eq!(
        AttemptClock::start(Timestamp::china_day_start(day(2)), 30, window).deadline.0
            - Timestamp::china_day_start(day(2)).0,
        1_800_000
    );
    let board = rank_people(vec![
        BestAttempt { person: 'a', correct: 18, millis: 300_000 },
        BestAttempt { person: 'b', correct: 20, millis: 400_000 },
        BestAttempt { person: 'c', correct: 18, millis: 250_000 },
        BestAttempt { person: 'd', correct: 18, millis: 300_000 },
    ]);
    let places: Vec<_> = board.iter().map(|r| (r.item.person, r.rank)).collect();
    assert_eq!(places, [('b', 1), ('c', 2), ('a', 3), ('d', 3)]);
    assert!(board[1].item.beats(&board[2].item) && !board[2].item.beats(&board[3].item));
    assert!(!board[3].item.beats(&board[0].item));
}

#[test]
fn default_quotas_follow_the_bank_and_add_up() {
    let category = |name: &str| Category::parse(name).unwrap();
    let bank =
        [(category("交通"), 50), (category("消防"), 30), (category("职业健康"), 20), (category("空"), 0)];
    let quotas = default_quotas(&bank, 10).unwrap();
    assert_eq!(quotas, [quota("交通", 5), quota("消防", 3), quota("职业健康", 2)]);
    // 7 of 100: 3.5, 2.1, 1.4 → 3, 2, 1 and the one left to the largest remainder (交通).
    assert_eq!(default_quotas(&bank, 7).unwrap(), [quota("交通", 4), quota("消防", 2), quota("职业健康", 1)]);
    assert_eq!(
        default_quotas(&bank, 100).unwrap(),
        [quota("交通", 50), quota("消防", 30), quota("职业健康", 20)]
    );
    assert_eq!(default_quotas(&bank, 101), Err(DrawError::BankTooSmall { wanted: 101, available: 100 }));
    assert_eq!(default_quotas(&bank, 0), Err(DrawError::Empty));
    assert_eq!(default_quotas(&[], 1), Err(DrawError::BankTooSmall { wanted: 1, available: 0 }));
}

#[test]
fn rules_and_names_stay_within_bounds() {
    let rules = ContestRules::new(20, 15, 3).unwrap();
    assert_eq!((rules.questions_per_attempt(), rules.minutes(), rules.attempts_per_day().get()), (20, 15, 3));
    assert_eq!(ContestRules::new(0, 15, 3), Err(RulesError::Questions));
    assert_eq!(ContestRules::new(101, 15, 3), Err(RulesError::Questions));
    assert_eq!(ContestRules::new(20, 0, 3), Err(RulesError::Minutes));
    assert_eq!(ContestRules::new(20, 121, 3), Err(RulesError::Minutes));
    assert_eq!(ContestRules::new(20, 15, 0), Err(RulesError::AttemptsPerDay));
    assert_eq!(ContestRules::new(20, 15, 11), Err(RulesError::AttemptsPerDay));
    assert_eq!(ContestName::parse("  2026年安康杯知识竞赛 ").unwrap().as_str(), "2026年安康杯知识竞赛");
    assert_eq!(ContestName::parse(" "), Err(RulesError::Name));
    assert_eq!(ContestName::parse(&"赛".repeat(101)), Err(RulesError::Name));
    assert_eq!(stem_key("发生火灾，应拨打 119！"), "发生火灾应拨打119");
    assert_eq!(
        AnswerTiming::ALL.iter().map(|t| t.code()).collect::<Vec<_>>(),
        ["counted", "late", "too_fast"]
    );
}

#[test]
fn unions_rank_by_exact_rates() {
    let result =
        |union, members, participants, correct_sum| UnionResult { union, members, participants, correct_sum };
    let rows = vec![
        result('a', 300, 100, 1500),
        result('b', 3, 1, 20),
        result('c', 10, 5, 50),
        result('d', 0, 0, 0),
    ];
    let by_rate = rank_unions(rows.clone(), UnionOrder::Participation, 20);
    let places: Vec<_> = by_rate.iter().map(|r| (r.item.union, r.rank)).collect();
    // a and b both took part at exactly 1/3: b's average (100 %) beats a's (75 %).
    assert_eq!(places, [('c', 1), ('b', 2), ('a', 3), ('d', 4)]);
    let by_score = rank_unions(rows, UnionOrder::AverageScore, 20);
    let places: Vec<_> = by_score.iter().map(|r| (r.item.union, r.rank)).collect();
    assert_eq!(places, [('b', 1), ('a', 2), ('c', 3), ('d', 4)]);
    assert_eq!(result('x', 3, 1, 0).participation().per_mille(), 333);
    assert_eq!(result('x', 3, 2, 0).participation().per_mille(), 667);
    assert_eq!(result('x', 0, 0, 0).average(20).per_mille(), 0);
    assert_eq!(Ratio { num: 1, den: 3 }, Ratio { num: 100, den: 300 });
    assert!(Ratio { num: 0, den: 0 } < Ratio { num: 1, den: 1000 });
}

proptest! {
    #[test]
    fn draws_take_exactly_the_quotas_without_repeats(a in 0u32..=10, b in 0u32..=10, c in 0u32..=10, seed in any::<u64>()) {
        prop_assume!(a + b + c > 0);
        let quotas = [quota("交通", a), quota("消防", b), quota("职业健康", c)];
        let drawn = draw_questions(&bank(), &quotas, seed).unwrap();
        prop_assert_eq!(drawn.len() as u32, a + b + c);
        let mut unique = drawn.clone();
        unique.sort_unstable();
        unique.dedup();
        prop_assert_eq!(unique.len(), drawn.len());
        for (residue, wanted) in [(0, a), (1, b), (2, c)] {
            prop_assert_eq!(drawn.iter().filter(|id| id.0 % 3 == residue).count() as u32, wanted);
        }
        prop_assert_eq!(draw_questions(&bank(), &quotas, seed).unwrap(), drawn);
    }

    #[test]
    fn letter_sets_round_trip(bits in 1u8..64) {
        let set = LetterSet(bits);
        prop_assert_eq!(LetterSet::parse(&set.to_string()), Some(set));
    }

    #[test]
    fn parsing_never_panics(answer in "\\PC{0,10}", kind in "\\PC{0,6}") {
        let _ = parse_question(&cells(&kind, ["a", "b", "", "", "", ""], &answer));
    }
}
