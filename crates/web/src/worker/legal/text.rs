//! The legal-aid pages' own words, in Chinese and English (the words they share with the
//! join form — mobile, SMS code, region — are `WorkerText`'s).

/// The labels of `/legal` and its result.
pub(crate) struct LegalText {
    pub title: &'static str,
    pub intro: &'static str,
    pub hotline: &'static str,
    pub category: &'static str,
    pub party: &'static str,
    pub amount: &'static str,
    pub amount_hint: &'static str,
    pub description: &'static str,
    pub description_hint: &'static str,
    pub submit: &'static str,
    pub filed_title: &'static str,
    pub filed_number: &'static str,
    pub filed_to: &'static str,
    pub filed_next: &'static str,
    pub unserved: &'static str,
    pub follow: &'static str,
    pub rated_title: &'static str,
    pub rated_body: &'static str,
    pub not_ratable: &'static str,
    pub cases: &'static str,
    pub outcome: &'static str,
    pub your_rating: &'static str,
    pub rate: &'static str,
    pub rate_submit: &'static str,
}

const ZH: LegalText = LegalText {
    title: "法律援助 · 维权求助",
    intro: "工资被拖欠、受了工伤、劳动合同或平台规则有争议？填写下面的内容，工作所在地的工会会联系您。会员和非会员都可以求助。",
    hotline: "职工维权服务热线：12351",
    category: "求助类别",
    party: "用人单位或平台（选填）",
    amount: "涉及金额（元，选填）",
    amount_hint: "如 12000 或 1.2万",
    description: "问题描述",
    description_hint: "发生了什么、什么时候、您希望得到什么帮助（不超过2000字）",
    submit: "提交求助",
    filed_title: "求助已提交",
    filed_number: "案件编号",
    filed_to: "受理工会",
    filed_next: "工会将在1个工作日内回应。您可以在“查询进度”中用本手机号查看办理情况，办结后可以评价。",
    unserved: "您所在的地区暂未开通网上求助，请拨打12351。",
    follow: "查询进度",
    rated_title: "感谢您的评价",
    rated_body: "您的评价已记录，将帮助工会改进服务。",
    not_ratable: "该案件无法评价：可能已评价过，或页面已过期，请重新查询。",
    cases: "维权求助",
    outcome: "办理结果",
    your_rating: "您的评价",
    rate: "请为本次服务打分（1–5）",
    rate_submit: "提交评价",
};

const EN: LegalText = LegalText {
    title: "Legal aid",
    intro: "Unpaid wages, a work injury, a dispute about your contract or a platform's rules? Fill in the form and the union of your work region will contact you. Members and non-members alike.",
    hotline: "Workers' rights hotline: 12351",
    category: "What it is about",
    party: "Employer or platform (optional)",
    amount: "Amount involved (yuan, optional)",
    amount_hint: "e.g. 12000 or 1.2万",
    description: "What happened",
    description_hint: "What happened, when, and what help you need (at most 2,000 characters)",
    submit: "Ask for help",
    filed_title: "Your case has been filed",
    filed_number: "Case number",
    filed_to: "Handled by",
    filed_next: "The union will respond within 1 working day. Follow the case under \"Check status\" with this mobile; you can rate it when it is closed.",
    unserved: "Online legal aid is not available in your region yet; please call 12351.",
    follow: "Check status",
    rated_title: "Thank you for your rating",
    rated_body: "Your rating has been recorded and helps the union improve.",
    not_ratable: "This case cannot be rated: it may have been rated already, or the page expired. Please check again.",
    cases: "Legal-aid cases",
    outcome: "Outcome",
    your_rating: "Your rating",
    rate: "Rate the service (1–5)",
    rate_submit: "Send rating",
};

impl LegalText {
    /// The words in `lang`.
    pub(crate) fn of(lang: crate::http::i18n::Lang) -> &'static LegalText {
        match lang {
            crate::http::i18n::Lang::Zh => &ZH,
            crate::http::i18n::Lang::En => &EN,
        }
    }
}
