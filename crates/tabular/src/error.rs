//! The one error type of the reader: what went wrong with a file, said so an operator can
//! fix it (in English by `Display`, in Chinese by [`Error::message_zh`]).

use std::io;

/// Why a file could not be read (or stopped being readable part-way).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read.
    #[error("could not read the file: {0}")]
    Io(#[from] io::Error),
    /// An Excel 97–2003 workbook (.xls), which is not read: it has to be saved again.
    #[error("this is an old Excel workbook (.xls): open it and save it as .xlsx or CSV")]
    LegacyXls,
    /// The file looks like an XLSX workbook (a zip archive) but cannot be read as one.
    #[error("the XLSX workbook is damaged or not a workbook: {0}")]
    Xlsx(String),
    /// The workbook has no worksheet at all.
    #[error("the workbook has no worksheet")]
    NoSheets,
    /// The sheet asked for is not in the workbook.
    #[error("the workbook has no sheet named \"{name}\"; its sheets are: {}", available.join(", "))]
    SheetNotFound {
        /// The name asked for.
        name: String,
        /// The sheets the workbook has, in order.
        available: Vec<String>,
    },
    /// The workbook's shared-strings table is larger than the limit: calamine loads that
    /// table whole into memory, so such a workbook is refused rather than read.
    #[error(
        "the workbook's shared-strings table is {bytes} bytes, over the limit of {limit}: \
         save the sheet as CSV and import the CSV"
    )]
    SharedStringsTooLarge {
        /// The table's uncompressed size.
        bytes: u64,
        /// The configured limit.
        limit: u64,
    },
    /// One row is longer than the limit: nearly always a quote that is never closed, which
    /// would otherwise swallow the rest of the file into one field.
    #[error("row {row} is longer than {limit} bytes: probably a quotation mark (\") that is never closed")]
    RowTooLong {
        /// The row where the over-long row starts.
        row: u64,
        /// The limit in bytes.
        limit: usize,
    },
    /// No header row with the required columns was found.
    #[error("{}", missing_columns_en(missing, seen, *row))]
    MissingColumns {
        /// The required columns not found, each as "first spelling (name)".
        missing: Vec<String>,
        /// The headers of the row that came closest (trimmed, as written in the file).
        seen: Vec<String>,
        /// That row's number, when the file had any non-empty row.
        row: Option<u64>,
    },
}

fn missing_columns_en(missing: &[String], seen: &[String], row: Option<u64>) -> String {
    let missing = missing.join(", ");
    match row {
        Some(row) => {
            format!("no column for {missing}; the headers found (row {row}) are: {}", seen.join(", "))
        }
        None => format!("no column for {missing}: the file has no rows"),
    }
}

impl Error {
    /// The message in Simplified Chinese, for the console and the CLI.
    pub fn message_zh(&self) -> String {
        match self {
            Self::Io(e) => format!("无法读取文件：{e}"),
            Self::LegacyXls => "这是旧版Excel文件（.xls），请打开后另存为.xlsx或CSV再导入".to_owned(),
            Self::Xlsx(detail) => format!("XLSX文件已损坏或不是Excel工作簿：{detail}"),
            Self::NoSheets => "工作簿中没有工作表".to_owned(),
            Self::SheetNotFound { name, available } => {
                format!("工作簿中没有名为“{name}”的工作表，现有工作表：{}", available.join("、"))
            }
            Self::SharedStringsTooLarge { bytes, limit } => {
                format!("工作簿的共享字符串表有{bytes}字节，超过上限{limit}字节：请将工作表另存为CSV后导入")
            }
            Self::RowTooLong { row, limit } => {
                format!("第{row}行超过{limit}字节，可能有未闭合的引号（\"）")
            }
            Self::MissingColumns { missing, seen, row } => {
                let missing = missing.join("、");
                match row {
                    Some(row) => {
                        format!("缺少必需的列：{missing}；文件中的表头（第{row}行）：{}", seen.join("、"))
                    }
                    None => format!("缺少必需的列：{missing}；文件中没有任何数据行"),
                }
            }
        }
    }
}

impl From<calamine::XlsxError> for Error {
    fn from(error: calamine::XlsxError) -> Self {
        match error {
            calamine::XlsxError::Io(e) => Error::Io(e),
            other => Error::Xlsx(other.to_string()),
        }
    }
}

impl From<zip::result::ZipError> for Error {
    fn from(error: zip::result::ZipError) -> Self {
        match error {
            zip::result::ZipError::Io(e) => Error::Io(e),
            other => Error::Xlsx(other.to_string()),
        }
    }
}
