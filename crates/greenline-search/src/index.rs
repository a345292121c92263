//! The index itself: its schema, writing cases into it, and answering a [`SearchQuery`].

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use askama::filters::{Escaper, Html};
use std::collections::HashMap;

use greenline_domain::{Case, RegionCode, Stage};
use greenline_text::pii::{self, Identity};
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, TantivyDocument, Term,
};

use crate::SearchError;
use crate::analyzer::{CaseTextTokenizer, TOKENIZER_NAME, query_alternatives};
use crate::query::{MAX_LIMIT, SearchHit, SearchQuery, SearchResults};

type Result<T> = std::result::Result<T, SearchError>;

/// Names the layout of the index and how its text is cut. The commit payload carries it; an
/// index written under another one is emptied and rebuilt.
const FORMAT: &str = "greenline-search/2";
/// Bytes of description shown around the words found (about 80 Chinese characters).
const SNIPPET_BYTES: usize = 240;
/// Whitespace-separated parts of a query looked at, at most.
const MAX_PARTS: usize = 16;

/// How much the writer may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterOptions {
    /// Indexing threads.
    pub threads: usize,
    /// Memory for buffered documents, per thread (at least 15 MB).
    pub memory_per_thread: usize,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            threads: 1,
            memory_per_thread: 64 << 20,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    case_id: Field,
    description: Field,
    address: Field,
    /// The description and the address with reporters' identities masked
    /// (`greenline_text::pii`): what a searcher who may not read reporters searches and sees.
    description_masked: Field,
    address_masked: Field,
    /// The case's region and every region above it (not the nation), for scope and filters.
    regions: Field,
    types: Field,
    primary_type: Field,
    stage: Field,
    kind: Field,
    channel: Field,
    /// Milliseconds since the epoch.
    received_at: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        case_id: builder.add_i64_field("case_id", INDEXED | STORED | FAST),
        description: builder.add_text_field("description", text.clone()),
        address: builder.add_text_field("address", text.clone()),
        description_masked: builder.add_text_field("description_masked", text.clone()),
        address_masked: builder.add_text_field("address_masked", text),
        regions: builder.add_u64_field("regions", INDEXED),
        types: builder.add_text_field("types", STRING),
        primary_type: builder.add_text_field("primary_type", STRING),
        stage: builder.add_text_field("stage", STRING),
        kind: builder.add_text_field("kind", STRING),
        channel: builder.add_text_field("channel", STRING),
        received_at: builder.add_i64_field("received_at", INDEXED | FAST),
    };
    (builder.build(), fields)
}

/// The full-text index of case texts.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    writer: Mutex<Writer>,
    reader: IndexReader,
}

struct Writer {
    writer: IndexWriter,
    /// The feed position of the last commit, if one was recorded.
    watermark: Option<String>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("cases", &self.len())
            .finish_non_exhaustive()
    }
}

fn directory_error(path: &Path, message: impl ToString) -> SearchError {
    SearchError::Directory {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

/// The watermark in a commit payload of this format, if any.
fn read_payload(payload: Option<&str>) -> Option<Option<String>> {
    let rest = payload?.strip_prefix(FORMAT)?;
    match rest.strip_prefix(' ') {
        None if rest.is_empty() => Some(None),
        Some(position) if !position.is_empty() => Some(Some(position.to_owned())),
        _ => None,
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if need be. An index
    /// of an older layout there is removed and a new one made (its [`watermark`] is then
    /// `None`: build it again).
    ///
    /// [`watermark`]: SearchIndex::watermark
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        Self::open_with(dir, WriterOptions::default())
    }

    /// [`SearchIndex::open`] with the writer's threads and memory given.
    pub fn open_with(dir: &Path, options: WriterOptions) -> Result<SearchIndex> {
        let (schema, fields) = schema();
        std::fs::create_dir_all(dir).map_err(|e| directory_error(dir, e))?;
        let directory = MmapDirectory::open(dir).map_err(|e| directory_error(dir, e))?;
        let exists = Index::exists(&directory).map_err(|e| directory_error(dir, e))?;
        let index = if exists {
            let index = Index::open(directory)?;
            if index.schema() == schema {
                index
            } else {
                drop(index);
                // Only ever an index directory: `exists` found tantivy's meta.json in it.
                std::fs::remove_dir_all(dir).map_err(|e| directory_error(dir, e))?;
                std::fs::create_dir_all(dir).map_err(|e| directory_error(dir, e))?;
                let directory = MmapDirectory::open(dir).map_err(|e| directory_error(dir, e))?;
                Index::create(directory, schema, IndexSettings::default())?
            }
        } else {
            Index::create(directory, schema, IndexSettings::default())?
        };
        Self::from_index(index, fields, options)
    }

    /// An index in memory, gone when dropped.
    pub fn open_in_ram() -> Result<SearchIndex> {
        Self::open_in_ram_with(WriterOptions::default())
    }

    /// [`SearchIndex::open_in_ram`] with the writer's threads and memory given.
    pub fn open_in_ram_with(options: WriterOptions) -> Result<SearchIndex> {
        let (schema, fields) = schema();
        Self::from_index(Index::create_in_ram(schema), fields, options)
    }

    fn from_index(index: Index, fields: Fields, options: WriterOptions) -> Result<SearchIndex> {
        index
            .tokenizers()
            .register(TOKENIZER_NAME, TextAnalyzer::from(CaseTextTokenizer));
        let mut writer: IndexWriter =
            index.writer_with_num_threads(options.threads.max(1), options.memory_per_thread)?;
        let metas = index.load_metas()?;
        let watermark = match read_payload(metas.payload.as_deref()) {
            Some(watermark) => watermark,
            None if metas.segments.is_empty() => None,
            None => {
                // Written by another layout or cut another way: start again.
                writer.delete_all_documents()?;
                let mut commit = writer.prepare_commit()?;
                commit.set_payload(FORMAT);
                commit.commit()?;
                None
            }
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            fields,
            writer: Mutex::new(Writer { writer, watermark }),
            reader,
        })
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, Writer> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn document(&self, case: &Case, known: &Identity) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_i64(f.case_id, case.id);
        doc.add_text(f.description, &case.description);
        doc.add_text(f.address, &case.address);
        doc.add_text(f.description_masked, pii::mask(&case.description, known));
        doc.add_text(f.address_masked, pii::mask(&case.address, known));
        for region in case.region.ancestry() {
            if region != RegionCode::NATIONAL {
                doc.add_u64(f.regions, u64::from(region.as_u32()));
            }
        }
        for t in &case.types {
            doc.add_text(f.types, t.code());
        }
        doc.add_text(f.primary_type, case.primary_type.code());
        doc.add_text(f.stage, case.stage.code());
        doc.add_text(f.kind, case.kind.code());
        doc.add_text(f.channel, case.channel.code());
        doc.add_i64(f.received_at, case.received_at.timestamp_millis());
        doc
    }

    /// Puts the cases in the index, replacing any earlier version of each. Searches see them
    /// after the next [`commit`](SearchIndex::commit).
    ///
    /// Their masked texts mask identities by pattern only; see
    /// [`upsert_knowing`](SearchIndex::upsert_knowing) to mask each case's own reporter too.
    pub fn upsert(&self, cases: &[Case]) -> Result<()> {
        self.upsert_knowing(cases, &HashMap::new())
    }

    /// [`upsert`](SearchIndex::upsert), masking in each case's texts its own reporter's name
    /// and phone (`known`, by case id) as well as what looks like an identity.
    pub fn upsert_knowing(&self, cases: &[Case], known: &HashMap<i64, Identity>) -> Result<()> {
        let writer = self.writer();
        let nobody = Identity::default();
        for case in cases {
            writer
                .writer
                .delete_term(Term::from_field_i64(self.fields.case_id, case.id));
            let identity = known.get(&case.id).unwrap_or(&nobody);
            writer.writer.add_document(self.document(case, identity))?;
        }
        Ok(())
    }

    /// Adds cases known not to be in the index yet (a build into an empty index): as
    /// [`upsert`](SearchIndex::upsert) without looking for earlier versions, so faster.
    pub fn add_new(&self, cases: &[Case]) -> Result<()> {
        self.add_new_knowing(cases, &HashMap::new())
    }

    /// [`add_new`](SearchIndex::add_new) with each case's own reporter masked too (see
    /// [`upsert_knowing`](SearchIndex::upsert_knowing)).
    pub fn add_new_knowing(&self, cases: &[Case], known: &HashMap<i64, Identity>) -> Result<()> {
        let writer = self.writer();
        let nobody = Identity::default();
        for case in cases {
            let identity = known.get(&case.id).unwrap_or(&nobody);
            writer.writer.add_document(self.document(case, identity))?;
        }
        Ok(())
    }

    /// The text fields a search looks in and shows: the masked pair unless the searcher may
    /// read reporters.
    fn text_fields(&self, q: &SearchQuery) -> (Field, Field) {
        if q.reveal_identities {
            (self.fields.description, self.fields.address)
        } else {
            (self.fields.description_masked, self.fields.address_masked)
        }
    }

    /// Empties the index (at the next commit), for a build from scratch.
    pub fn clear(&self) -> Result<()> {
        let mut writer = self.writer();
        writer.writer.delete_all_documents()?;
        writer.watermark = None;
        Ok(())
    }

    /// Makes everything written so far durable and visible to searches, keeping the recorded
    /// watermark.
    pub fn commit(&self) -> Result<()> {
        let mut writer = self.writer();
        let watermark = writer.watermark.clone();
        Self::commit_locked(&mut writer, watermark)?;
        self.reader.reload()?;
        Ok(())
    }

    /// [`commit`](SearchIndex::commit), recording that the index holds every change up to
    /// feed position `watermark` of the store (its text form, without spaces);
    /// [`watermark`](SearchIndex::watermark) reads it back
    /// after a restart.
    pub fn commit_at(&self, watermark: &str) -> Result<()> {
        let mut writer = self.writer();
        Self::commit_locked(&mut writer, Some(watermark.to_owned()))?;
        self.reader.reload()?;
        Ok(())
    }

    fn commit_locked(writer: &mut Writer, watermark: Option<String>) -> Result<()> {
        let mut commit = writer.writer.prepare_commit()?;
        commit.set_payload(&match &watermark {
            Some(w) => format!("{FORMAT} {w}"),
            None => FORMAT.to_owned(),
        });
        commit.commit()?;
        writer.watermark = watermark;
        Ok(())
    }

    /// The event watermark recorded by the last [`commit_at`](SearchIndex::commit_at); `None`
    /// for a new or emptied index.
    pub fn watermark(&self) -> Option<String> {
        self.writer().watermark.clone()
    }

    /// Cases in the index (as of the last commit).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text part of a query: every whitespace-separated part must occur, as a word or a
    /// phrase, in the description or the address.
    fn text_query(&self, text: &str, fields: (Field, Field)) -> Result<Box<dyn Query>> {
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for part in text.split_whitespace().take(MAX_PARTS) {
            let ways = query_alternatives(part);
            if ways.is_empty() {
                continue;
            }
            let mut either: Vec<Box<dyn Query>> = Vec::with_capacity(ways.len() * 2);
            for words in &ways {
                for field in [fields.0, fields.1] {
                    let terms: Vec<Term> = words
                        .iter()
                        .map(|w| Term::from_field_text(field, w))
                        .collect();
                    either.push(match <[Term; 1]>::try_from(terms) {
                        Ok([term]) => Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                        Err(terms) => Box::new(PhraseQuery::new(terms)),
                    });
                }
            }
            parts.push((Occur::Must, Box::new(BooleanQuery::union(either))));
        }
        match parts.len() {
            0 => Err(SearchError::EmptyQuery),
            1 => Ok(parts.remove(0).1),
            _ => Ok(Box::new(BooleanQuery::new(parts))),
        }
    }

    fn filters(&self, q: &SearchQuery) -> Vec<Box<dyn Query>> {
        let f = &self.fields;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        let term = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        for area in [Some(q.scope), q.region].into_iter().flatten() {
            if area != RegionCode::NATIONAL {
                filters.push(Box::new(TermQuery::new(
                    Term::from_field_u64(f.regions, u64::from(area.as_u32())),
                    IndexRecordOption::Basic,
                )));
            }
        }
        if let Some(t) = q.pollution_type {
            filters.push(term(f.types, t.code()));
        }
        if let Some(t) = q.primary_type {
            filters.push(term(f.primary_type, t.code()));
        }
        if let Some(stage) = q.stage {
            filters.push(term(f.stage, stage.code()));
        }
        if let Some(kind) = q.kind {
            filters.push(term(f.kind, kind.code()));
        }
        if let Some(channel) = q.channel {
            filters.push(term(f.channel, channel.code()));
        }
        if q.received_from.is_some() || q.received_before.is_some() {
            let at = |t: chrono::DateTime<chrono::Utc>| {
                Term::from_field_i64(f.received_at, t.timestamp_millis())
            };
            filters.push(Box::new(RangeQuery::new(
                q.received_from
                    .map_or(Bound::Unbounded, |t| Bound::Included(at(t))),
                q.received_before
                    .map_or(Bound::Unbounded, |t| Bound::Excluded(at(t))),
            )));
        }
        filters
    }

    /// The whole query, and its text part alone (for highlighting).
    fn query(&self, q: &SearchQuery) -> Result<(BooleanQuery, Box<dyn Query>)> {
        let text = self.text_query(&q.text, self.text_fields(q))?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text.box_clone())];
        for filter in self.filters(q) {
            // Filters decide what matches, never how well.
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
        }
        Ok((BooleanQuery::new(clauses), text))
    }

    /// The ids of every case matching `q` (its page ignored), in id order: for exports and
    /// checks.
    pub fn case_ids(&self, q: &SearchQuery) -> Result<Vec<i64>> {
        let (query, _) = self.query(q)?;
        let searcher = self.reader.searcher();
        let docs = searcher.search(&query, &DocSetCollector)?;
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().i64("case_id"))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut ids: Vec<i64> = docs
            .into_iter()
            .filter_map(|doc| columns.get(doc.segment_ord as usize)?.first(doc.doc_id))
            .collect();
        ids.sort_unstable();
        Ok(ids)
    }

    /// Finds the cases matching `q`, best first, with highlighted passages.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults> {
        let (query, text) = self.query(q)?;
        let searcher = self.reader.searcher();
        let limit = q.limit.min(MAX_LIMIT);
        if limit == 0 {
            let total = searcher.search(&query, &Count)?;
            return Ok(SearchResults {
                total: total as u64,
                hits: Vec::new(),
            });
        }
        let top = TopDocs::with_limit(limit)
            .and_offset(q.offset)
            .order_by_score();
        let (top, total) = searcher.search(&query, &(top, Count))?;
        if top.is_empty() {
            return Ok(SearchResults {
                total: total as u64,
                hits: Vec::new(),
            });
        }
        let (description_field, address_field) = self.text_fields(q);
        let mut described = SnippetGenerator::create(&searcher, &*text, description_field)?;
        described.set_max_num_chars(SNIPPET_BYTES);
        let mut addressed = SnippetGenerator::create(&searcher, &*text, address_field)?;
        addressed.set_max_num_chars(usize::MAX);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text_of =
                |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
            let Some(case_id) = doc.get_first(self.fields.case_id).and_then(|v| v.as_i64()) else {
                continue;
            };
            let description = text_of(description_field);
            let place = text_of(address_field);
            hits.push(SearchHit {
                case_id,
                score,
                snippet_html: passage_html(described.snippet(description), description),
                address_html: marked_or_plain(addressed.snippet(place), place),
            });
        }
        Ok(SearchResults {
            total: total as u64,
            hits,
        })
    }

    /// The cases a search finds among those in one of `stages`: the ids of the best `limit`
    /// (no passages), and how many there are in all. What a work queue narrows to.
    pub fn matching_ids(
        &self,
        q: &SearchQuery,
        stages: &[Stage],
        limit: usize,
    ) -> Result<(Vec<i64>, u64)> {
        let (query, _) = self.query(q)?;
        let any_stage: Vec<(Occur, Box<dyn Query>)> = stages
            .iter()
            .map(|stage| {
                let term: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.stage, stage.code()),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, term)
            })
            .collect();
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(query) as Box<dyn Query>),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    Box::new(BooleanQuery::new(any_stage)),
                    0.0,
                )),
            ),
        ]);
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(limit.max(1)).order_by_score();
        let (top, total) = searcher.search(&query, &(top, Count))?;
        let mut ids = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(self.fields.case_id).and_then(|v| v.as_i64()) {
                ids.push(id);
            }
        }
        Ok((ids, total as u64))
    }

    /// The tantivy index, for inspection (segment counts, space usage).
    pub fn tantivy(&self) -> &Index {
        &self.index
    }
}

/// Appends `text` escaped for HTML element content and attribute values, by askama's escaper
/// (the one the pages use).
fn push_escaped(html: &mut String, text: &str) {
    // Writing to a String cannot fail.
    let _ = Html.write_escaped_str(html, text);
}

/// The snippet with its words marked, or the text escaped whole when none was found in it.
fn marked_or_plain(snippet: Snippet, text: &str) -> String {
    if snippet.is_empty() {
        let mut html = String::with_capacity(text.len());
        push_escaped(&mut html, text);
        return html;
    }
    mark_html(&snippet)
}

/// The snippet as HTML: escaped, words in `<mark>`, `…` where the text goes on. Without a word
/// found in the text, its beginning.
fn passage_html(snippet: Snippet, text: &str) -> String {
    if snippet.is_empty() {
        let end = text
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| i >= SNIPPET_BYTES)
            .unwrap_or(text.len());
        let more = if end < text.len() { "…" } else { "" };
        let mut html = String::with_capacity(end + more.len());
        push_escaped(&mut html, &text[..end]);
        html.push_str(more);
        return html;
    }
    let range = snippet.fragment_range();
    // The fragment ends with its last word; the punctuation after it belongs to it.
    let tail_len: usize = text[range.end..]
        .chars()
        .take_while(|c| !c.is_alphanumeric())
        .map(char::len_utf8)
        .sum();
    let end = range.end + tail_len;
    let mut html = String::new();
    if range.start > 0 {
        html.push('…');
    }
    html.push_str(&mark_html(&snippet));
    push_escaped(&mut html, &text[range.end..end]);
    if end < text.len() {
        html.push('…');
    }
    html
}

/// The snippet's fragment, escaped, with its highlighted ranges in `<mark>`. (tantivy's own
/// `to_html` leaves quotes unescaped.)
fn mark_html(snippet: &Snippet) -> String {
    let fragment = snippet.fragment();
    let mut ranges: Vec<std::ops::Range<usize>> = snippet.highlighted().to_vec();
    ranges.sort_by_key(|r| (r.start, r.end));
    // Overlapping or touching words (化工厂 and 化工 inside it; 噪音 then 扰民) are one mark.
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    let mut html = String::with_capacity(fragment.len() + 32);
    let mut done = 0;
    for range in merged {
        push_escaped(&mut html, &fragment[done..range.start]);
        html.push_str("<mark>");
        push_escaped(&mut html, &fragment[range.clone()]);
        html.push_str("</mark>");
        done = range.end;
    }
    push_escaped(&mut html, &fragment[done..]);
    html
}
