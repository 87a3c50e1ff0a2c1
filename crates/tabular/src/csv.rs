//! Delimited text, streamed: the bytes are decoded chunk by chunk into UTF-8 and split
//! into records by `csv-core`, so memory stays at a few buffers whatever the file's size.
//! Row numbers are the rows a spreadsheet program shows for the file: the first line is
//! row 1, a blank line is a row, a quoted field spanning lines stays in one row.

use std::io::{Seek, SeekFrom};

use csv_core::{ReadRecordResult, ReaderBuilder};
use encoding_rs::Decoder;

use crate::error::Error;
use crate::progress::{Counting, Progress};
use crate::text::{self, TextEncoding};
use crate::{Cell, ReadSeek, Row};

/// Raw bytes read from the file at a time.
const CHUNK: usize = 64 * 1024;

/// A row longer than this is refused: nearly always an unclosed quote, and without the
/// limit it would pull the rest of the file into memory.
pub(crate) const MAX_ROW_BYTES: usize = 1024 * 1024;

/// An opened delimited text file: encoding and delimiter decided.
pub(crate) struct CsvSource {
    reader: Counting<Box<dyn ReadSeek>>,
    pub(crate) encoding: TextEncoding,
    pub(crate) delimiter: u8,
    progress: Progress,
}

impl CsvSource {
    pub(crate) fn open(mut reader: Box<dyn ReadSeek>, progress: Progress) -> Result<CsvSource, Error> {
        let encoding = text::detect_encoding(&mut reader)?;
        reader.seek(SeekFrom::Start(0))?;
        let prefix = text::decode_prefix(&mut reader, encoding)?;
        let delimiter = text::sniff_delimiter(&prefix);
        let reader = Counting::new(reader, progress.clone());
        Ok(CsvSource { reader, encoding, delimiter, progress })
    }

    /// The rows from the top of the file.
    pub(crate) fn rows(&mut self) -> Result<CsvRows<'_>, Error> {
        self.reader.seek(SeekFrom::Start(0))?;
        self.progress.set(0);
        Ok(CsvRows {
            decoder: self.encoding.encoding().new_decoder_with_bom_removal(),
            reader: &mut self.reader,
            parser: ReaderBuilder::new().delimiter(self.delimiter).build(),
            raw: vec![0; CHUNK],
            text: Vec::with_capacity(CHUNK * 3),
            pos: 0,
            input_done: false,
            after_cr: false,
            fields: vec![0; 4096],
            ends: vec![0; 64],
            row: 0,
            progress: &self.progress,
            finished: false,
        })
    }
}

/// The rows of a [`CsvSource`], in order.
pub(crate) struct CsvRows<'a> {
    reader: &'a mut Counting<Box<dyn ReadSeek>>,
    decoder: Decoder,
    parser: csv_core::Reader,
    raw: Vec<u8>,
    /// Decoded UTF-8 not yet parsed: `text[pos..]`.
    text: Vec<u8>,
    pos: usize,
    input_done: bool,
    /// The last record ended with `\r`, so a `\n` right after it belongs to it.
    after_cr: bool,
    fields: Vec<u8>,
    ends: Vec<usize>,
    /// The row number of the last row handed out.
    row: u64,
    progress: &'a Progress,
    finished: bool,
}

impl CsvRows<'_> {
    /// Decodes the next chunk of the file into `text`; false when there is none.
    fn refill(&mut self) -> Result<bool, Error> {
        if self.input_done {
            return Ok(false);
        }
        self.text.drain(..self.pos);
        self.pos = 0;
        // Until some text comes out: a chunk may end inside a character, and handing the
        // parser an empty input would tell it the file ended.
        while self.text.is_empty() && !self.input_done {
            let n = text::read_up_to(self.reader, &mut self.raw)?;
            let last = n < self.raw.len();
            let needed = self.decoder.max_utf8_buffer_length(n).unwrap_or(CHUNK * 4).max(16);
            self.text.resize(needed, 0);
            let (_, _, written, _) = self.decoder.decode_to_utf8(&self.raw[..n], &mut self.text, last);
            self.text.truncate(written);
            self.input_done = last;
        }
        Ok(!self.text.is_empty())
    }

    /// Skips the line ends before the next record, counting each blank line as a row
    /// (a spreadsheet shows it as one); `csv-core` would skip them silently.
    fn skip_blank_lines(&mut self) -> Result<bool, Error> {
        loop {
            while let Some(&byte) = self.text.get(self.pos) {
                match byte {
                    b'\n' if self.after_cr => self.after_cr = false,
                    b'\n' => self.row += 1,
                    b'\r' => {
                        self.row += 1;
                        self.after_cr = true;
                    }
                    _ => {
                        self.after_cr = false;
                        return Ok(true);
                    }
                }
                self.pos += 1;
            }
            if !self.refill()? {
                return Ok(false);
            }
        }
    }

    fn next_row(&mut self) -> Result<Option<Row>, Error> {
        if !self.skip_blank_lines()? {
            return Ok(None);
        }
        let number = self.row + 1;
        let (mut out, mut nends) = (0, 0);
        loop {
            let input = &self.text[self.pos..];
            let input_was_empty = input.is_empty();
            let (result, nin, nout, nend) =
                self.parser.read_record(input, &mut self.fields[out..], &mut self.ends[nends..]);
            if nin > 0 {
                self.after_cr = input[nin - 1] == b'\r';
            }
            self.pos += nin;
            out += nout;
            nends += nend;
            match result {
                // Told the input ended, the parser cannot want more; stop rather than spin.
                ReadRecordResult::InputEmpty if input_was_empty => return Ok(None),
                ReadRecordResult::InputEmpty => {
                    self.refill()?;
                }
                ReadRecordResult::OutputFull => {
                    if self.fields.len() >= MAX_ROW_BYTES {
                        return Err(Error::RowTooLong { row: number, limit: MAX_ROW_BYTES });
                    }
                    let len = self.fields.len() * 2;
                    self.fields.resize(len, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len() * 2;
                    self.ends.resize(len, 0);
                }
                ReadRecordResult::Record => {
                    self.row = number;
                    return Ok(Some(Row { number, cells: self.cells(out, nends) }));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }

    fn cells(&self, out: usize, nends: usize) -> Vec<Cell> {
        let fields = &self.fields[..out];
        let mut start = 0;
        self.ends[..nends]
            .iter()
            .map(|&end| {
                let field = String::from_utf8_lossy(&fields[start..end]).into_owned();
                start = end;
                if field.is_empty() { Cell::Empty } else { Cell::Text(field) }
            })
            .collect()
    }
}

impl Iterator for CsvRows<'_> {
    type Item = Result<Row, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let next = self.next_row().transpose();
        if !matches!(next, Some(Ok(_))) {
            self.finished = true;
            self.progress.finish();
        }
        next
    }
}
