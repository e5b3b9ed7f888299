//! The request journal: the last N requests with their operation, project, secret,
//! status, error code and request id. Never a body, a value or a credential.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use axum::http::Method;
use serde::Serialize;

use crate::clock::Millis;

/// One journal line.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JournalEntry {
    pub time: Millis,
    #[serde(serialize_with = "method_name")]
    pub method: Method,
    pub operation: &'static str,
    pub project: Option<String>,
    pub secret: Option<String>,
    pub status: u16,
    pub error_code: Option<String>,
    /// Written as 32 lowercase hex digits.
    pub request_id: uuid::fmt::Simple,
    pub latency_us: u64,
}

/// A request as the middleware hands it in: its strings borrowed, copied into the entry
/// (see [`Journal::record_line`]).
#[derive(Debug, Clone, Copy)]
pub struct JournalLine<'a> {
    pub time: Millis,
    pub method: &'a Method,
    pub operation: &'static str,
    pub project: Option<&'a str>,
    pub secret: Option<&'a str>,
    pub status: u16,
    pub error_code: Option<&'a str>,
    pub request_id: uuid::fmt::Simple,
    pub latency_us: u64,
}

/// A new entry holding its own copy of the line.
impl From<JournalLine<'_>> for JournalEntry {
    fn from(line: JournalLine<'_>) -> Self {
        Self {
            time: line.time,
            method: line.method.clone(),
            operation: line.operation,
            project: line.project.map(str::to_owned),
            secret: line.secret.map(str::to_owned),
            status: line.status,
            error_code: line.error_code.map(str::to_owned),
            request_id: line.request_id,
            latency_us: line.latency_us,
        }
    }
}

impl JournalEntry {
    /// This entry made to read as `line`, in the string buffers it already has. The line
    /// is taken apart whole, so a field added to [`JournalLine`] must be written here as
    /// in the `From` above.
    fn rewrite(&mut self, line: JournalLine<'_>) {
        let JournalLine {
            time,
            method,
            operation,
            project,
            secret,
            status,
            error_code,
            request_id,
            latency_us,
        } = line;
        self.time = time;
        self.method.clone_from(method);
        self.operation = operation;
        copy_into(&mut self.project, project);
        copy_into(&mut self.secret, secret);
        self.status = status;
        copy_into(&mut self.error_code, error_code);
        self.request_id = request_id;
        self.latency_us = latency_us;
    }
}

/// `value` into `slot`, in the buffer `slot` already has if it has one.
fn copy_into(slot: &mut Option<String>, value: Option<&str>) {
    match (slot.as_mut(), value) {
        (Some(text), Some(value)) => {
            text.clear();
            text.push_str(value);
        }
        (None, Some(value)) => *slot = Some(value.to_owned()),
        (_, None) => *slot = None,
    }
}

/// A method as its name (`GET`); `http::Method` has no `Serialize` of its own.
fn method_name<S: serde::Serializer>(method: &Method, to: S) -> Result<S::Ok, S::Error> {
    to.serialize_str(method.as_str())
}

/// A bounded ring of the latest entries.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    entries: Mutex<VecDeque<JournalEntry>>,
}

impl Journal {
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(4096))),
        }
    }

    /// Appends an entry, dropping the oldest past the capacity.
    pub fn record(&self, entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// Appends a request, dropping the oldest past the capacity. Once the ring is full, the
    /// line is written over the oldest entry where it lies, reusing its strings' buffers,
    /// and the ring turns by one: a request's line costs no allocation and no move of an
    /// entry. (Taken out and pushed back, the entry was copied twice under the lock.)
    pub fn record_line(&self, line: JournalLine<'_>) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() < self.capacity {
            entries.push_back(JournalEntry::from(line));
            return;
        }
        if let Some(oldest) = entries.front_mut() {
            oldest.rewrite(line);
        }
        // The oldest becomes the newest. With the ring's buffer exactly full, as it is
        // once it has grown to the capacity, this moves no entry.
        entries.rotate_left(1);
    }

    /// The latest `limit` entries, oldest first.
    #[must_use]
    pub fn latest(&self, limit: usize) -> Vec<JournalEntry> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let skip = entries.len().saturating_sub(limit);
        entries.iter().skip(skip).cloned().collect()
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_recorded_over_a_dropped_entry_reads_as_itself() {
        let journal = Journal::new(2);
        let line = |n: u16, project, secret, error_code| JournalLine {
            time: i64::from(n),
            method: &Method::GET,
            operation: "ShowSecret",
            project,
            secret,
            status: n,
            error_code,
            request_id: uuid::Uuid::from_u128(u128::from(n)).simple(),
            latency_us: u64::from(n),
        };
        let lines = [
            line(1, Some("p1"), Some("a-long-secret-name"), Some("CSMS.0005")),
            line(2, None, None, None),
            line(3, Some("p"), Some("s"), None),
            line(4, Some("project"), None, Some("APIGW.0101")),
        ];
        for line in lines {
            journal.record_line(line);
        }
        let expected: Vec<JournalEntry> = lines[2..]
            .iter()
            .map(|line| JournalEntry::from(*line))
            .collect();
        assert_eq!(journal.latest(10), expected);
    }

    fn entry(n: u16) -> JournalEntry {
        JournalEntry {
            time: i64::from(n),
            method: Method::GET,
            operation: "ListSecrets",
            project: None,
            secret: None,
            status: n,
            error_code: None,
            request_id: uuid::Uuid::from_u128(u128::from(n)).simple(),
            latency_us: 1,
        }
    }

    #[test]
    fn the_journal_keeps_the_latest_entries_in_order() {
        let journal = Journal::new(3);
        for n in 1..=5 {
            journal.record(entry(n));
        }
        let statuses: Vec<u16> = journal.latest(10).iter().map(|e| e.status).collect();
        assert_eq!(statuses, [3, 4, 5]);
        assert_eq!(journal.latest(2).len(), 2);
        assert_eq!(journal.latest(2)[0].status, 4);
        journal.clear();
        assert!(journal.latest(10).is_empty());
        let off = Journal::new(0);
        off.record(entry(1));
        assert!(off.latest(10).is_empty());
    }

    /// A request's line as `record_line` takes it, numbered `n`.
    fn numbered_line(n: u16) -> JournalLine<'static> {
        JournalLine {
            time: i64::from(n),
            method: &Method::POST,
            operation: "CreateSecret",
            project: Some("p"),
            secret: (n % 2 == 0).then_some("even"),
            status: n,
            error_code: None,
            request_id: uuid::Uuid::from_u128(u128::from(n)).simple(),
            latency_us: 2,
        }
    }

    #[test]
    fn lines_and_entries_keep_their_order_through_many_turns_of_the_ring() {
        // 4,100 is past the 4,096 entries the ring reserves at first, so its buffer grows
        // and is no longer exactly full when the ring turns.
        for capacity in [1, 5, 4_100] {
            let journal = Journal::new(capacity);
            let last: u16 = 9_000;
            for n in 1..=last {
                if n % 3 == 0 {
                    journal.record(entry(n));
                } else {
                    journal.record_line(numbered_line(n));
                }
            }
            let kept = journal.latest(usize::MAX);
            let expected: Vec<u16> = (last + 1 - u16::try_from(capacity).unwrap()..=last).collect();
            assert_eq!(kept.iter().map(|e| e.status).collect::<Vec<_>>(), expected);
            // Each reads as itself, whatever entry it was written over.
            for kept in &kept {
                let n = kept.status;
                let recorded = if n % 3 == 0 {
                    entry(n)
                } else {
                    JournalEntry::from(numbered_line(n))
                };
                assert_eq!(*kept, recorded);
            }
        }
    }
}
