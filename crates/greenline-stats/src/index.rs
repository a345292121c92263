//! The columnar index: one array per fact, one row per case, kept current by [`Index::upsert`].

use std::collections::HashMap;

use crate::facts::CaseFacts;

/// Rows per block. Each block keeps the lowest and highest received day in it, so queries for
/// one month skip the blocks of other months (cases arrive roughly in time order).
pub(crate) const BLOCK_ROWS: usize = 1 << 16;

/// Whether [`Index::upsert`] added a row or overwrote one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Inserted,
    Updated,
}

/// Case facts as a struct of arrays, about 37 bytes a case.
///
/// Rows are appended in arrival order and overwritten in place when a case changes. The row of a
/// case id is found by binary search while ids arrive in increasing order (the store's ids do);
/// ids that arrive out of order are kept in a small map beside it.
#[derive(Debug, Default, Clone)]
pub struct Index {
    pub(crate) ids: Vec<i64>,
    /// `ids[..sorted_len]` is strictly increasing.
    sorted_len: usize,
    out_of_order: HashMap<i64, u32>,
    pub(crate) kind: Vec<u8>,
    pub(crate) channel: Vec<u8>,
    pub(crate) primary_type: Vec<u8>,
    pub(crate) types: Vec<u16>,
    pub(crate) sub_type: Vec<u8>,
    pub(crate) industry: Vec<u8>,
    pub(crate) region: Vec<u16>,
    pub(crate) stage: Vec<u8>,
    pub(crate) outcome: Vec<u8>,
    pub(crate) rejection: Vec<u8>,
    pub(crate) flags: Vec<u8>,
    pub(crate) day: Vec<u16>,
    pub(crate) due_day: Vec<u16>,
    pub(crate) acceptance_secs: Vec<u32>,
    pub(crate) handling_secs: Vec<u32>,
    pub(crate) unit: Vec<u32>,
    pub(crate) repeat_of: Vec<i64>,
    /// Lowest and highest received day of each block of [`BLOCK_ROWS`] rows.
    pub(crate) blocks: Vec<(u16, u16)>,
    /// Lowest and highest received day over all rows.
    pub(crate) day_span: Option<(u16, u16)>,
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    /// Builds an index from `(case id, facts)` pairs; a repeated id overwrites the earlier row.
    pub fn build(facts: impl IntoIterator<Item = (i64, CaseFacts)>) -> Index {
        let facts = facts.into_iter();
        let mut index = Index::new();
        index.reserve(facts.size_hint().0);
        for (id, f) in facts {
            index.upsert(id, &f);
        }
        index
    }

    /// Reserves room for `additional` more rows.
    pub fn reserve(&mut self, additional: usize) {
        self.ids.reserve(additional);
        self.kind.reserve(additional);
        self.channel.reserve(additional);
        self.primary_type.reserve(additional);
        self.types.reserve(additional);
        self.sub_type.reserve(additional);
        self.industry.reserve(additional);
        self.region.reserve(additional);
        self.stage.reserve(additional);
        self.outcome.reserve(additional);
        self.rejection.reserve(additional);
        self.flags.reserve(additional);
        self.day.reserve(additional);
        self.due_day.reserve(additional);
        self.acceptance_secs.reserve(additional);
        self.handling_secs.reserve(additional);
        self.unit.reserve(additional);
        self.repeat_of.reserve(additional);
    }

    /// Marks the first `len` ids as strictly increasing (an index built whole, in id order).
    pub(crate) fn set_sorted_len(&mut self, len: usize) {
        self.sorted_len = len;
    }

    /// The number of cases.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The row of a case, if the index holds it.
    pub(crate) fn row_of(&self, id: i64) -> Option<usize> {
        let sorted = &self.ids[..self.sorted_len];
        // A new case comes after every sorted id: no search for it (the build's common case).
        let beyond = sorted.last().is_none_or(|last| id > *last);
        if !beyond && let Ok(row) = sorted.binary_search(&id) {
            return Some(row);
        }
        self.out_of_order.get(&id).map(|row| *row as usize)
    }

    /// Whether the index holds the case.
    pub fn contains(&self, id: i64) -> bool {
        self.row_of(id).is_some()
    }

    /// The facts of a case, as stored.
    pub fn facts(&self, id: i64) -> Option<CaseFacts> {
        self.row_of(id).map(|row| self.row_facts(row))
    }

    pub(crate) fn row_facts(&self, row: usize) -> CaseFacts {
        CaseFacts {
            kind: self.kind[row],
            channel: self.channel[row],
            primary_type: self.primary_type[row],
            types: self.types[row],
            sub_type: self.sub_type[row],
            industry: self.industry[row],
            region: self.region[row],
            stage: self.stage[row],
            outcome: self.outcome[row],
            rejection: self.rejection[row],
            flags: self.flags[row],
            day: self.day[row],
            due_day: self.due_day[row],
            acceptance_secs: self.acceptance_secs[row],
            handling_secs: self.handling_secs[row],
            unit: self.unit[row],
            repeat_of: self.repeat_of[row],
        }
    }

    /// Every case held, as its id and facts, in row order: what [`Index::build`] takes back.
    pub fn rows(&self) -> impl Iterator<Item = (i64, CaseFacts)> + '_ {
        self.ids
            .iter()
            .enumerate()
            .map(|(row, id)| (*id, self.row_facts(row)))
    }

    /// Adds a new case or overwrites a changed one. Queries see it as soon as this returns.
    pub fn upsert(&mut self, id: i64, facts: &CaseFacts) -> Upserted {
        if let Some(row) = self.row_of(id) {
            self.write(row, facts);
            return Upserted::Updated;
        }
        let row = self.ids.len();
        let in_order = self.sorted_len == row && self.ids.last().is_none_or(|last| *last < id);
        self.ids.push(id);
        if in_order {
            self.sorted_len += 1;
        } else {
            self.out_of_order.insert(id, row as u32);
        }
        self.kind.push(0);
        self.channel.push(0);
        self.primary_type.push(0);
        self.types.push(0);
        self.sub_type.push(0);
        self.industry.push(0);
        self.region.push(0);
        self.stage.push(0);
        self.outcome.push(0);
        self.rejection.push(0);
        self.flags.push(0);
        self.day.push(facts.day);
        self.due_day.push(0);
        self.acceptance_secs.push(0);
        self.handling_secs.push(0);
        self.unit.push(0);
        self.repeat_of.push(0);
        if row.is_multiple_of(BLOCK_ROWS) {
            self.blocks.push((facts.day, facts.day));
        }
        self.write(row, facts);
        Upserted::Inserted
    }

    fn write(&mut self, row: usize, f: &CaseFacts) {
        self.kind[row] = f.kind;
        self.channel[row] = f.channel;
        self.primary_type[row] = f.primary_type;
        self.types[row] = f.types;
        self.sub_type[row] = f.sub_type;
        self.industry[row] = f.industry;
        self.region[row] = f.region;
        self.stage[row] = f.stage;
        self.outcome[row] = f.outcome;
        self.rejection[row] = f.rejection;
        self.flags[row] = f.flags;
        self.day[row] = f.day;
        self.due_day[row] = f.due_day;
        self.acceptance_secs[row] = f.acceptance_secs;
        self.handling_secs[row] = f.handling_secs;
        self.unit[row] = f.unit;
        self.repeat_of[row] = f.repeat_of;
        // Block and index day spans only widen; a changed received day (rare) keeps them
        // correct, if a little loose.
        let block = &mut self.blocks[row / BLOCK_ROWS];
        block.0 = block.0.min(f.day);
        block.1 = block.1.max(f.day);
        self.day_span = Some(match self.day_span {
            Some((low, high)) => (low.min(f.day), high.max(f.day)),
            None => (f.day, f.day),
        });
    }

    /// Heap bytes held by the index (capacity, not just length).
    pub fn memory_bytes(&self) -> usize {
        fn bytes<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        bytes(&self.ids)
            + self.out_of_order.capacity() * (std::mem::size_of::<(i64, u32)>() + 1)
            + bytes(&self.kind)
            + bytes(&self.channel)
            + bytes(&self.primary_type)
            + bytes(&self.types)
            + bytes(&self.sub_type)
            + bytes(&self.industry)
            + bytes(&self.region)
            + bytes(&self.stage)
            + bytes(&self.outcome)
            + bytes(&self.rejection)
            + bytes(&self.flags)
            + bytes(&self.day)
            + bytes(&self.due_day)
            + bytes(&self.acceptance_secs)
            + bytes(&self.handling_secs)
            + bytes(&self.unit)
            + bytes(&self.repeat_of)
            + bytes(&self.blocks)
    }
}
