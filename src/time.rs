//! Dates as events CSVs write them (`2021-08-10`, `2021-08`, `2021`) turned into the days
//! they cover and their precision, as map layers carry them.
//!
//! ```
//! let t = gazmap::time::time_span("2021-07").unwrap().unwrap();
//! assert_eq!((t.start.to_string(), t.end.to_string()), ("2021-07-01".into(), "2021-07-31".into()));
//! assert_eq!(t.precision.as_str(), "month");
//! ```

/// How precisely a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimePrecision {
    /// The day: `2021-07-06`.
    Day,
    /// The month: `2021-07`.
    Month,
    /// The year: `2021`.
    Year,
}

impl TimePrecision {
    /// `day`, `month` or `year`.
    pub fn as_str(self) -> &'static str {
        match self {
            TimePrecision::Day => "day",
            TimePrecision::Month => "month",
            TimePrecision::Year => "year",
        }
    }

    /// ACLED's `time_precision` code: 1 for an actual day, 3 for a month or longer (ACLED's
    /// 2, a week, is a precision gazmap's dates never have).
    pub fn acled_code(self) -> u8 {
        match self {
            TimePrecision::Day => 1,
            TimePrecision::Month | TimePrecision::Year => 3,
        }
    }
}

/// The days a date covers: `2021-07` is 2021-07-01 to 2021-07-31.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeSpan {
    /// The first day.
    pub start: jiff::civil::Date,
    /// The last day (inclusive).
    pub end: jiff::civil::Date,
    /// How precisely the date was given.
    pub precision: TimePrecision,
}

/// Parses a date as an events CSV writes it: `2021-08-10`, `2021-08` or `2021` (a date-time
/// keeps its day); `None` when empty; an error says what is wrong with a malformed date.
pub fn time_span(date: &str) -> std::result::Result<Option<TimeSpan>, String> {
    use jiff::civil::Date;
    let d = date.trim();
    if d.is_empty() {
        return Ok(None);
    }
    let bad = || {
        format!(
            "date {d:?} is not ISO 8601 at day, month or year precision (2021-08-10, 2021-08, 2021)"
        )
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = d.splitn(3, '-').collect();
    let year = |y: &str| -> std::result::Result<i16, String> {
        y.parse::<i16>()
            .ok()
            .filter(|y| (1..=9999).contains(y))
            .ok_or_else(bad)
    };
    match parts.as_slice() {
        [y] if y.len() == 4 && digits(y) => {
            let yy = year(y)?;
            Ok(Some(TimeSpan {
                start: Date::new(yy, 1, 1).map_err(|_| bad())?,
                end: Date::new(yy, 12, 31).map_err(|_| bad())?,
                precision: TimePrecision::Year,
            }))
        }
        [y, m] if y.len() == 4 && m.len() == 2 && digits(y) && digits(m) => {
            let mm = m.parse::<i8>().map_err(|_| bad())?;
            let start = Date::new(year(y)?, mm, 1).map_err(|_| bad())?;
            Ok(Some(TimeSpan {
                start,
                end: start.last_of_month(),
                precision: TimePrecision::Month,
            }))
        }
        [_, _, rest] => {
            let day = if rest.len() == 2 {
                d.parse::<Date>().map_err(|_| bad())?
            } else {
                d.parse::<jiff::civil::DateTime>()
                    .map_err(|_| bad())?
                    .date()
            };
            Ok(Some(TimeSpan {
                start: day,
                end: day,
                precision: TimePrecision::Day,
            }))
        }
        _ => Err(bad()),
    }
}
