//! Dates in article text: explicit dates (`3 July`, `le 14 août 2021`), month names
//! (`in July`), weekdays (`on Tuesday`, `mardi`) and relative words (`yesterday`,
//! `la semaine dernière`), resolved against the article date.
//!
//! Rules: a date without a year takes the article's year; a weekday is the latest such day
//! on or before the article date; "last week" is written as the month of that week's
//! Thursday (the events CSV has day, month and year precision only); "last month" as that
//! month.

use std::fmt;

use jiff::civil::Date;
use jiff::ToSpan;

use super::lang::{Pattern, Relative, Tables};
use super::text::Token;

/// A date at day, month or year precision, as the events CSV writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateValue {
    /// A day: `2021-07-06`.
    Day(Date),
    /// A month: `2021-07`.
    Month(i16, i8),
    /// A year: `2021`.
    Year(i16),
}

impl fmt::Display for DateValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateValue::Day(d) => write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            DateValue::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            DateValue::Year(y) => write!(f, "{y:04}"),
        }
    }
}

impl DateValue {
    /// Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    pub fn parse(s: &str) -> Option<DateValue> {
        let parts: Vec<&str> = s.trim().split('-').collect();
        let num = |p: &str, len: usize| {
            (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<i16>().ok())
                .flatten()
        };
        match parts.as_slice() {
            [y] => Some(DateValue::Year(num(y, 4)?)),
            [y, m] => {
                let (y, m) = (num(y, 4)?, num(m, 2)?);
                (1..=12)
                    .contains(&m)
                    .then_some(DateValue::Month(y, m as i8))
            }
            [y, m, d] => {
                let (y, m, d) = (num(y, 4)?, num(m, 2)?, num(d, 2)?);
                Date::new(y, m as i8, d as i8).ok().map(DateValue::Day)
            }
            _ => None,
        }
    }

    fn year(self) -> i16 {
        match self {
            DateValue::Day(d) => d.year(),
            DateValue::Month(y, _) | DateValue::Year(y) => y,
        }
    }
}

/// A date expression found in a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateMention {
    /// First token of the expression.
    pub first: usize,
    /// After its last token.
    pub last: usize,
    /// What it resolves to.
    pub value: DateValue,
}

/// Resolves a relative expression against the article date.
pub fn resolve_relative(rel: Relative, article: DateValue) -> Option<DateValue> {
    let DateValue::Day(d) = article else {
        // an article dated by month or year cannot place "yesterday" more precisely
        return Some(article);
    };
    Some(match rel {
        Relative::DaysAgo(n) => DateValue::Day(d.checked_sub(n.days()).ok()?),
        Relative::WeeksAgo(n) => {
            let monday = d
                .checked_sub(i64::from(d.weekday().to_monday_zero_offset()).days())
                .ok()?;
            let thursday = monday.checked_sub((7 * n - 3).days()).ok()?;
            DateValue::Month(thursday.year(), thursday.month())
        }
        Relative::MonthsAgo(n) => {
            let m = d.first_of_month().checked_sub(n.months()).ok()?;
            DateValue::Month(m.year(), m.month())
        }
    })
}

/// The latest `weekday` (1 = Monday) on or before the article date.
pub fn resolve_weekday(weekday: i8, article: DateValue) -> Option<DateValue> {
    let DateValue::Day(d) = article else {
        return Some(article);
    };
    let back = (d.weekday().to_monday_one_offset() - weekday).rem_euclid(7);
    Some(DateValue::Day(d.checked_sub(i64::from(back).days()).ok()?))
}

/// Finds the date expressions among `tokens[first..last]`.
pub fn find_dates(
    tokens: &[Token],
    first: usize,
    last: usize,
    tables: &Tables,
    article: Option<DateValue>,
) -> Vec<DateMention> {
    let folds: Vec<&str> = tokens[..last].iter().map(|t| t.fold.as_str()).collect();
    let relative = relative_patterns(tables);
    find_dates_in(tokens, &folds, first, last, tables, &relative, article)
}

/// The compiled relative-date patterns of `tables`.
pub fn relative_patterns(tables: &Tables) -> Vec<(Pattern, Relative)> {
    tables
        .relative
        .iter()
        .map(|c| (Pattern::new(c.pattern), c.value))
        .collect()
}

/// [`find_dates`] with the folded tokens and compiled patterns given (no per-call set-up).
pub fn find_dates_in(
    tokens: &[Token],
    folds: &[&str],
    first: usize,
    last: usize,
    tables: &Tables,
    relative: &[(Pattern, Relative)],
    article: Option<DateValue>,
) -> Vec<DateMention> {
    let folds = &folds[..last];
    let month = |i: usize| -> Option<i8> {
        let f = folds.get(i)?;
        tables.months.iter().find(|m| m.1 == *f).map(|m| m.0)
    };
    let day = |i: usize| -> Option<i8> {
        let t = tokens.get(i).filter(|t| t.digit && i < last)?;
        let digits: String = t.fold.chars().take_while(char::is_ascii_digit).collect();
        let suffix = &t.fold[digits.len()..];
        if !suffix.is_empty() && !tables.ordinal_suffixes.contains(&suffix) {
            return None;
        }
        digits.parse::<i8>().ok().filter(|d| (1..=31).contains(d))
    };
    let year = |i: usize| -> Option<i16> {
        let t = tokens.get(i).filter(|_| i < last)?;
        (t.fold.len() == 4 && t.digit)
            .then(|| t.fold.parse::<i16>().ok())
            .flatten()
            .filter(|y| (1900..=2100).contains(y))
    };
    // the token after `i`, stepping over a link word (`3 de julio de 2021`)
    let link = |i: usize| -> usize {
        match folds.get(i) {
            Some(f) if tables.date_links.contains(f) => i + 1,
            _ => i,
        }
    };
    let article_year = article.map(DateValue::year);
    let mut out = Vec::new();
    let mut i = first;
    while i < last {
        let found: Option<(usize, Option<DateValue>)> =
            if let (Some(d), Some(m)) = (day(i), month(link(i + 1))) {
                // 3 July [2021], le 14 août 2021, 3 de julio de 2021
                let at = link(i + 1);
                let y = year(link(at + 1));
                let end = if y.is_some() {
                    link(at + 1) + 1
                } else {
                    at + 1
                };
                let v = y.or(article_year).and_then(|y| Date::new(y, m, d).ok());
                Some((end, v.map(DateValue::Day)))
            } else if let (Some(m), Some(d)) = (month(i), day(i + 1)) {
                // July 3[, 2021]
                let y = year(i + 2);
                let end = if y.is_some() { i + 3 } else { i + 2 };
                let v = y.or(article_year).and_then(|y| Date::new(y, m, d).ok());
                Some((end, v.map(DateValue::Day)))
            } else if let Some(m) = month(i).filter(|_| {
                i > first && tables.month_leads.contains(&folds[i - 1]) || year(i + 1).is_some()
            }) {
                // in July [2021], en juillet
                let y = year(i + 1);
                let end = if y.is_some() { i + 2 } else { i + 1 };
                Some((end, y.or(article_year).map(|y| DateValue::Month(y, m))))
            } else if let Some(w) = tables.weekdays.iter().find(|w| w.1 == folds[i]) {
                Some((i + 1, article.and_then(|a| resolve_weekday(w.0, a))))
            } else {
                relative
                    .iter()
                    .filter_map(|(p, r)| p.match_at(folds, i).map(|e| (e, *r)))
                    .max_by_key(|(e, _)| *e)
                    .map(|(e, r)| (e, article.and_then(|a| resolve_relative(r, a))))
            };
        match found {
            Some((end, value)) => {
                if let Some(value) = value {
                    out.push(DateMention {
                        first: i,
                        last: end,
                        value,
                    });
                }
                i = end;
            }
            None => i += 1,
        }
    }
    // a range ("between Saturday evening and Sunday evening", "la nuit de samedi à
    // dimanche"): the event is dated by its end
    const OPENERS: [&str; 12] = [
        "between", "from", "entre", "de", "du", "zwischen", "von", "vom", "desde", "nuit", "night",
        "nacht",
    ];
    const LINKS: [&str; 10] = [
        "and", "to", "a", "au", "bis", "auf", "zum", "y", "al", "hasta",
    ];
    let mut k = 0;
    while k + 1 < out.len() {
        let (a, b) = (&out[k], &out[k + 1]);
        let opened = folds[a.first.saturating_sub(2).max(first)..a.first]
            .iter()
            .any(|w| OPENERS.contains(w));
        let linked = b.first >= a.last
            && b.first - a.last <= 3
            && folds[a.last..b.first].iter().any(|w| LINKS.contains(w));
        if opened && linked {
            out.remove(k);
        } else {
            k += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::lang::{en, fr};
    use crate::extract::text::tokenize;

    fn dates(text: &str, tables: &Tables) -> Vec<String> {
        let t = tokenize(text, 0);
        let article = DateValue::parse("2021-07-06");
        find_dates(&t, 0, t.len(), tables, article)
            .iter()
            .map(|d| d.value.to_string())
            .collect()
    }

    /// Checks the dates found in each text, of an article dated 2021-07-06.
    fn check(cases: &[(&str, &Tables, &[&str])]) {
        for (text, tables, want) in cases {
            assert_eq!(dates(text, tables), *want, "{text}");
        }
    }

    #[test]
    fn explicit_dates_take_the_article_year() {
        check(&[
            (
                "on July 3 and 14 August 2020",
                &en::TABLES,
                &["2021-07-03", "2020-08-14"],
            ),
            (
                "le 1er août, le 14 août 2021",
                &fr::TABLES,
                &["2021-08-01", "2021-08-14"],
            ),
            (
                "en juillet, puis en mai 2020",
                &fr::TABLES,
                &["2021-07", "2020-05"],
            ),
            ("they may come in June", &en::TABLES, &["2021-06"]),
            ("on 31 February", &en::TABLES, &[]),
        ]);
    }

    #[test]
    fn weekdays_and_relative_words_count_back_from_the_article_date() {
        // 2021-07-06 is a Tuesday
        check(&[
            (
                "on Tuesday, on Sunday",
                &en::TABLES,
                &["2021-07-06", "2021-07-04"],
            ),
            (
                "hier, avant-hier, mercredi",
                &fr::TABLES,
                &["2021-07-05", "2021-07-04", "2021-06-30"],
            ),
            ("the day before yesterday", &en::TABLES, &["2021-07-04"]),
            (
                "last week, last month",
                &en::TABLES,
                &["2021-07", "2021-06"],
            ),
        ]);
        // the week before 2021-07-05 runs from 2021-06-28 (Monday) to 2021-07-04, Thursday 2021-07-01
        let d = DateValue::parse("2021-07-02").unwrap();
        assert_eq!(
            resolve_relative(Relative::WeeksAgo(1), d)
                .unwrap()
                .to_string(),
            "2021-06"
        );
    }

    #[test]
    fn article_dates_parse_at_three_precisions() {
        assert_eq!(DateValue::parse("2021-07").unwrap().to_string(), "2021-07");
        assert_eq!(DateValue::parse("2021").unwrap().to_string(), "2021");
        assert!(DateValue::parse("2021-13").is_none());
        assert!(DateValue::parse("21-07-06").is_none());
        let m = DateValue::parse("2021-07").unwrap();
        assert_eq!(resolve_relative(Relative::DaysAgo(1), m), Some(m));
    }
}
