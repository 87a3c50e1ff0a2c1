//! The logical columns of a roster file and the header spellings that name them.

/// A logical column of a roster file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RosterColumn {
    /// 姓名
    Name,
    /// 身份证号 (the only required column).
    IdNumber,
    /// 手机号
    Mobile,
    /// 从业类型
    Occupation,
    /// 所在地 / 区县: a county code or a place name.
    Region,
    /// 地址: an address, read for the region when there is no region column value.
    Address,
    /// 工作单位 / 平台
    Employer,
    /// 统一社会信用代码 of the employer.
    EmployerCreditCode,
}

impl RosterColumn {
    /// Every column, in the order reports list them.
    pub const ALL: [RosterColumn; 8] = [
        Self::Name,
        Self::IdNumber,
        Self::Mobile,
        Self::Occupation,
        Self::Region,
        Self::Address,
        Self::Employer,
        Self::EmployerCreditCode,
    ];

    /// The stable code, e.g. `id_number`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::IdNumber => "id_number",
            Self::Mobile => "mobile",
            Self::Occupation => "occupation",
            Self::Region => "region",
            Self::Address => "address",
            Self::Employer => "employer",
            Self::EmployerCreditCode => "employer_credit_code",
        }
    }

    /// The header spellings that name the column (compared after trimming and full-width
    /// folding by the reader); the first is the column's Chinese label.
    pub const fn spellings(self) -> &'static [&'static str] {
        match self {
            Self::Name => &["姓名", "名字", "人员姓名", "驾驶员姓名", "骑手姓名", "职工姓名", "name"],
            Self::IdNumber => &[
                "身份证号",
                "身份证号码",
                "证件号码",
                "公民身份号码",
                "身份证",
                "证件号",
                "身份证件号码",
                "居民身份证号码",
                "id_number",
            ],
            Self::Mobile => {
                &["手机号", "手机", "手机号码", "联系电话", "联系方式", "电话", "移动电话", "mobile"]
            }
            Self::Occupation => &["从业类型", "职业", "职业类型", "工种", "岗位", "从业类别", "occupation"],
            Self::Region => &[
                "所在地",
                "区县",
                "工作地",
                "工作所在地",
                "所在区县",
                "行政区划",
                "行政区划代码",
                "区县代码",
                "地区",
                "region",
            ],
            Self::Address => &["地址", "详细地址", "工作地址", "联系地址", "经营地址", "通讯地址", "address"],
            Self::Employer => &[
                "工作单位",
                "所属企业",
                "平台",
                "所属平台",
                "单位名称",
                "企业名称",
                "用人单位",
                "所在单位",
                "公司",
                "employer",
            ],
            Self::EmployerCreditCode => {
                &["统一社会信用代码", "信用代码", "单位信用代码", "企业信用代码", "employer_credit_code"]
            }
        }
    }

    /// Whether a file without the column is refused: only the ID number is essential
    /// (it is what rosters are matched by).
    pub const fn required(self) -> bool {
        matches!(self, Self::IdNumber)
    }

    /// The Chinese label (the first spelling).
    pub const fn label_zh(self) -> &'static str {
        match self.spellings().first() {
            Some(label) => label,
            None => self.code(),
        }
    }

    /// The English label.
    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::IdNumber => "ID number",
            Self::Mobile => "Mobile",
            Self::Occupation => "Occupation",
            Self::Region => "Region",
            Self::Address => "Address",
            Self::Employer => "Employer",
            Self::EmployerCreditCode => "Employer credit code",
        }
    }

    pub(super) const fn index(self) -> usize {
        self as usize
    }
}
