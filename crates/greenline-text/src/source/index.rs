//! The earlier cases a new case may repeat, found without comparing it to all of them.
//!
//! Each case is kept as its id, region, time of receipt and its features in a compact text form
//! (not its text): 41 bytes of features on average for the simulator's texts, about 90 bytes with
//! the record around them. It is posted under keys made of its locality (its
//! county, or its city when no county is known) and what identifies its source: the syllable
//! bigrams of each firm or shop name (so 鑫达 is found from 临港新达 and from the homophone 新达),
//! the sounds of each road and compound, and of its rarest words (a landmark, an owner). Postings are chains of (case, next) links from a
//! hash map of heads, newest first: eight bytes a posting, one map entry a distinct key. At one
//! million simulated cases that is 2.0 million postings under 1.5 million keys, and the process
//! grows by about 270 bytes a case in all (`cargo bench -p greenline-text --bench same_source`).
//!
//! Names seen in many counties (a chain such as 华润万家, or a phrase that only looks like a name)
//! are counted, and a common name shared counts for little in a lookup.
//!
//! A lookup gathers the cases of the new case's locality (its county and its city; for a city,
//! the city and all its counties) within the time window that share a key with it, compares
//! the best-sharing few in full with [`score`], and returns them best first. The caller's
//! jurisdiction is part of every lookup: a case outside `scope` is never returned, whatever
//! region the new case claims.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

use greenline_domain::{RegionCode, RegionLevel};
use serde::Serialize;

use super::features::{Compound, Facility, Road, SourceFeatures};
use super::model::PairModel;
use super::score::{SourceMatch, score_with};
use super::sound::{Sound, sounds};
use super::terms::TERMS_TABLE;

/// The default time window: earlier cases received up to this long before the new one.
const DEFAULT_WINDOW_DAYS: u32 = 180;
const DAY_MS: i64 = 86_400_000;
/// At most this many postings are read per key (the newest first), and per lookup.
const MAX_CHAIN: usize = 1_000;
const MAX_READ: usize = 50_000;
/// At most this many cases are compared in full per lookup, those sharing most keys first.
const MAX_SCORED: usize = 32;
const NO_LINK: u32 = u32::MAX;
/// A firm or shop name seen in at least this many counties is common: a chain, or a phrase
/// that looks like a name; it identifies no single source.
const COMMON_NAME_COUNTIES: u16 = 5;
/// Cases a rare word may have been used in and still count: one in 2,000 of the cases held, and
/// at least 50 (a landmark's name is used by the few who live near it; a turn of phrase by many).
fn common_word_cases(live: usize) -> u32 {
    u32::try_from((live / 2_000).max(50)).unwrap_or(u32::MAX)
}

/// Rare words posted per case, and how rare (see `Tokenizer::rarity`) a word must be to be one.
const RARE_KEYS: usize = 3;
const RARE_KEY: f32 = 10.5;

/// One earlier case suggested for a new one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub case_id: i64,
    pub region: RegionCode,
    /// When it was received, milliseconds since the Unix epoch.
    pub received_ms: i64,
    /// The comparison: score, decision and evidence.
    pub matched: SourceMatch,
}

/// Sizes, for monitoring and the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SourceIndexStats {
    /// Cases held (removed ones not counted).
    pub cases: usize,
    /// Distinct posting keys.
    pub keys: usize,
    /// Postings (links) in all chains, removed cases' included until rebuilt.
    pub postings: usize,
    /// Bytes of the cases' compact features.
    pub feature_bytes: usize,
}

/// One earlier case as the index keeps it.
#[derive(Debug, Clone)]
struct Stored {
    id: i64,
    region: RegionCode,
    received_ms: i64,
    kinds: u16,
    night: bool,
    removed: bool,
    /// The features without the text: see [`encode`].
    features: Box<str>,
}

#[derive(Debug, Clone, Copy)]
struct Link {
    slot: u32,
    next: u32,
}

/// Earlier cases by locality and by what identifies their source.
#[derive(Debug, Clone)]
pub struct SourceIndex {
    window_ms: i64,
    cases: Vec<Stored>,
    by_id: HashMap<i64, u32>,
    heads: HashMap<u64, u32>,
    links: Vec<Link>,
    /// Per firm or shop name (its sounds, hashed): the distinct counties it was seen in, up to
    /// [`COMMON_NAME_COUNTIES`] (a case read again does not count twice).
    names: HashMap<u64, Vec<RegionCode>>,
    /// Per rare word (hashed): how many cases have used it. A word rare in general Chinese may
    /// be everyday in complaints (呛人, 熏得): past [`common_word_cases`] it counts for nothing.
    word_cases: HashMap<u64, u32>,
    live: usize,
    /// Whether every case so far came no earlier than the one before: then a chain, newest
    /// first, can stop at the first case before the window.
    in_time_order: bool,
    latest_ms: i64,
}

impl Default for SourceIndex {
    fn default() -> Self {
        SourceIndex::new()
    }
}

/// Loads the county lists (see [`crate::load_tables`]).
pub(super) fn load_tables() {
    LazyLock::force(&COUNTIES);
}

/// Counties by prefecture, for lookups from a case placed only at city level.
static COUNTIES: LazyLock<HashMap<RegionCode, Vec<RegionCode>>> = LazyLock::new(|| {
    let mut map: HashMap<RegionCode, Vec<RegionCode>> = HashMap::new();
    for region in RegionCode::all() {
        if region.code.level() == RegionLevel::County
            && let Some(parent) = region.code.parent()
            && parent.level() == RegionLevel::Prefecture
        {
            map.entry(parent).or_default().push(region.code);
        }
    }
    map
});

impl SourceIndex {
    /// An empty index with the default window of 180 days.
    pub fn new() -> SourceIndex {
        SourceIndex::with_window_days(DEFAULT_WINDOW_DAYS)
    }

    /// An empty index whose lookups reach `days` back.
    pub fn with_window_days(days: u32) -> SourceIndex {
        SourceIndex {
            window_ms: i64::from(days) * DAY_MS,
            cases: Vec::new(),
            by_id: HashMap::new(),
            heads: HashMap::new(),
            links: Vec::new(),
            names: HashMap::new(),
            word_cases: HashMap::new(),
            live: 0,
            in_time_order: true,
            latest_ms: i64::MIN,
        }
    }

    /// Cases held.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Sizes of the index.
    pub fn stats(&self) -> SourceIndexStats {
        SourceIndexStats {
            cases: self.live,
            keys: self.heads.len(),
            postings: self.links.len(),
            feature_bytes: self.cases.iter().map(|c| c.features.len()).sum(),
        }
    }

    /// Adds a case from its text. A case already held under `id` is replaced.
    pub fn insert_text(&mut self, id: i64, region: RegionCode, received_ms: i64, text: &str) {
        self.insert(id, region, received_ms, &SourceFeatures::extract(text));
    }

    /// Adds a case from its features. A case already held under `id` is replaced.
    pub fn insert(
        &mut self,
        id: i64,
        region: RegionCode,
        received_ms: i64,
        features: &SourceFeatures,
    ) {
        self.remove(id);
        let Ok(slot) = u32::try_from(self.cases.len()) else {
            return;
        };
        self.cases.push(Stored {
            id,
            region,
            received_ms,
            kinds: features.kinds,
            night: features.night,
            removed: false,
            features: encode(features).into_boxed_str(),
        });
        self.by_id.insert(id, slot);
        self.live += 1;
        self.in_time_order &= received_ms >= self.latest_ms;
        self.latest_ms = self.latest_ms.max(received_ms);
        for (word, _) in &features.rare_words {
            *self.word_cases.entry(name_key(word)).or_default() += 1;
        }
        for facility in features.facilities.iter().filter(|f| f.is_named()) {
            let counties = self.names.entry(name_key(&facility.stem)).or_default();
            if counties.len() < usize::from(COMMON_NAME_COUNTIES) && !counties.contains(&region) {
                counties.push(region);
            }
        }
        // A case is posted under its own region: its county, or its city when that is all
        // that is known.
        for key in keys(features, false) {
            let key = posting_key(region, &key);
            let next = self.heads.get(&key).copied().unwrap_or(NO_LINK);
            let Ok(link) = u32::try_from(self.links.len()) else {
                return;
            };
            self.links.push(Link { slot, next });
            self.heads.insert(key, link);
        }
    }

    /// Drops a case (merged, withdrawn, or corrected to another region). Its postings stay
    /// until [`SourceIndex::compact`] but are skipped.
    pub fn remove(&mut self, id: i64) -> bool {
        match self.by_id.remove(&id) {
            Some(slot) => {
                if let Some(case) = self.cases.get_mut(slot as usize) {
                    case.removed = true;
                    case.features = Box::from("");
                }
                self.live -= 1;
                true
            }
            None => false,
        }
    }

    /// The features without the rare words that many cases use.
    fn without_common_words(&self, mut features: SourceFeatures) -> SourceFeatures {
        let limit = common_word_cases(self.live);
        features.rare_words.retain(|(word, _)| {
            self.word_cases
                .get(&name_key(word))
                .is_none_or(|n| *n <= limit)
        });
        features
    }

    /// Whether a firm or shop name has been seen in many counties.
    pub fn is_common_name(&self, stem: &str) -> bool {
        self.names
            .get(&name_key(stem))
            .is_some_and(|counties| counties.len() >= usize::from(COMMON_NAME_COUNTIES))
    }

    /// Rebuilds the postings without removed cases.
    pub fn compact(&mut self) {
        let old = std::mem::take(&mut self.cases);
        let window = self.window_ms;
        *self = SourceIndex {
            window_ms: window,
            ..SourceIndex::new()
        };
        for case in old.into_iter().filter(|c| !c.removed) {
            let features = decode(&case.features, case.kinds, case.night);
            self.insert(case.id, case.region, case.received_ms, &features);
        }
    }

    /// Writes every case held (id, region, time of receipt and compact features, not its text)
    /// to `out`, returning how many; [`SourceIndex::read_cases`] reads them back. The form is
    /// this crate's own and changes with [`features_fingerprint`].
    pub fn write_cases(&self, out: &mut impl std::io::Write) -> std::io::Result<u64> {
        let mut written = 0u64;
        for case in self.cases.iter().filter(|c| !c.removed) {
            out.write_all(&case.id.to_le_bytes())?;
            out.write_all(&case.region.as_u32().to_le_bytes())?;
            out.write_all(&case.received_ms.to_le_bytes())?;
            out.write_all(&case.kinds.to_le_bytes())?;
            out.write_all(&[u8::from(case.night)])?;
            let features = case.features.as_bytes();
            out.write_all(&u32::try_from(features.len()).unwrap_or(0).to_le_bytes())?;
            out.write_all(features)?;
            written += 1;
        }
        Ok(written)
    }

    /// Adds `count` cases written by [`SourceIndex::write_cases`], leaving out those received
    /// before `since_ms` (out of the window by now). Fails, having added some, on a cut or
    /// damaged input: the caller starts again from an empty index.
    pub fn read_cases(
        &mut self,
        input: &mut impl std::io::Read,
        count: u64,
        since_ms: i64,
    ) -> std::io::Result<()> {
        let damaged = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, why);
        let mut buffer = Vec::new();
        for _ in 0..count {
            let mut head = [0u8; 8 + 4 + 8 + 2 + 1 + 4];
            input.read_exact(&mut head)?;
            let field = |at: usize, len: usize| &head[at..at + len];
            let id = i64::from_le_bytes(field(0, 8).try_into().unwrap_or_default());
            let region = u32::from_le_bytes(field(8, 4).try_into().unwrap_or_default());
            let received_ms = i64::from_le_bytes(field(12, 8).try_into().unwrap_or_default());
            let kinds = u16::from_le_bytes(field(20, 2).try_into().unwrap_or_default());
            let night = head[22] != 0;
            let len = u32::from_le_bytes(field(23, 4).try_into().unwrap_or_default());
            buffer.resize(len as usize, 0);
            input.read_exact(&mut buffer)?;
            let text = std::str::from_utf8(&buffer).map_err(|_| damaged("features not UTF-8"))?;
            let region = RegionCode::parse(&format!("{region:06}"))
                .map_err(|_| damaged("a region not in the division table"))?;
            if received_ms >= since_ms {
                self.insert(id, region, received_ms, &decode(text, kinds, night));
            }
        }
        Ok(())
    }

    /// Earlier cases that may be about the same source as a new case: from `region`'s
    /// locality, received within the window before `at_ms`, and inside `scope` (the caller's
    /// jurisdiction; pass [`RegionCode::NATIONAL`] for all). Best first, at most `limit`, each
    /// with its [`SourceMatch`]; those whose `matched.same` is false are near misses.
    pub fn candidates(
        &self,
        scope: RegionCode,
        region: RegionCode,
        at_ms: i64,
        features: &SourceFeatures,
        limit: usize,
    ) -> Vec<Candidate> {
        if limit == 0 {
            return Vec::new();
        }
        let localities: Vec<RegionCode> = match region.level() {
            RegionLevel::County => {
                let mut list = vec![region];
                list.extend(
                    region
                        .parent()
                        .filter(|p| p.level() == RegionLevel::Prefecture),
                );
                list
            }
            RegionLevel::Prefecture => {
                let mut list = vec![region];
                list.extend(COUNTIES.get(&region).into_iter().flatten().copied());
                list
            }
            // A province or the nation says too little of where the source is.
            RegionLevel::Province | RegionLevel::National => Vec::new(),
        };
        let from = at_ms.saturating_sub(self.window_ms);
        let query = self.without_common_words(features.clone());
        let features = &query;
        let query_keys = keys(features, true);
        let mut shared: HashMap<u32, u32> = HashMap::new();
        let mut read_in_all = 0;
        'localities: for locality in &localities {
            // Only localities inside the scope, or containing it, can hold cases inside it.
            if !locality.is_within(scope) && !scope.is_within(*locality) {
                continue;
            }
            for key in &query_keys {
                let mut link = self
                    .heads
                    .get(&posting_key(*locality, key))
                    .copied()
                    .unwrap_or(NO_LINK);
                let mut read = 0;
                while link != NO_LINK && read < MAX_CHAIN {
                    if read_in_all >= MAX_READ {
                        break 'localities;
                    }
                    let Some(Link { slot, next }) = self.links.get(link as usize).copied() else {
                        break;
                    };
                    read += 1;
                    read_in_all += 1;
                    link = next;
                    let Some(case) = self.cases.get(slot as usize) else {
                        continue;
                    };
                    if case.received_ms < from && self.in_time_order {
                        break;
                    }
                    if case.removed
                        || case.received_ms < from
                        || case.received_ms > at_ms
                        || !case.region.is_within(scope)
                    {
                        continue;
                    }
                    *shared.entry(slot).or_default() += 1;
                }
            }
        }
        let mut ranked: Vec<(u32, u32)> = shared.into_iter().collect();
        ranked.sort_unstable_by(|a, b| {
            b.1.cmp(&a.1).then_with(|| {
                let (x, y) = (&self.cases[a.0 as usize], &self.cases[b.0 as usize]);
                y.received_ms.cmp(&x.received_ms)
            })
        });
        ranked.truncate(MAX_SCORED);
        let mut found: Vec<Candidate> = ranked
            .into_iter()
            .filter_map(|(slot, _)| self.cases.get(slot as usize))
            .map(|case| {
                let model = PairModel::shipped();
                let mut matched = score_with(
                    features,
                    &self.without_common_words(decode(&case.features, case.kinds, case.night)),
                    &|stem| self.is_common_name(stem),
                    model,
                );
                matched.same = matched.score >= model.index_threshold;
                Candidate {
                    case_id: case.id,
                    region: case.region,
                    received_ms: case.received_ms,
                    matched,
                }
            })
            .collect();
        found.sort_by(|a, b| {
            b.matched
                .score
                .total_cmp(&a.matched.score)
                .then_with(|| b.received_ms.cmp(&a.received_ms))
        });
        found.truncate(limit);
        found
    }
}

/// The keys a case is posted under, or looked up by (`query`: also every Han bigram of the text,
/// to find an earlier case's name written here without its facility word).
fn keys(features: &SourceFeatures, query: bool) -> Vec<Vec<Sound>> {
    let mut keys: Vec<Vec<Sound>> = Vec::new();
    let mut add = |tag: Sound, body: &[Sound]| {
        let mut key = Vec::with_capacity(body.len() + 1);
        key.push(tag);
        key.extend_from_slice(body);
        if !keys.contains(&key) {
            keys.push(key);
        }
    };
    for facility in features.facilities.iter().filter(|f| f.is_named()) {
        let stem = sounds(&facility.stem);
        for pair in stem.windows(2) {
            add(1, pair);
        }
        // A name of three characters or more may be written in a later text without its
        // facility word (湘味轩的排烟口): posted by its first three characters as written.
        if !query {
            let chars: Vec<Sound> = facility.stem.chars().take(3).map(u32::from).collect();
            if chars.len() == 3 {
                add(4, &chars);
            }
        }
    }
    if query {
        let text: Vec<Sound> = features.text_chars.iter().map(|c| u32::from(*c)).collect();
        for three in text.windows(3) {
            if three.iter().all(|c| char::from_u32(*c).is_some_and(is_han)) {
                add(4, three);
            }
        }
    }
    for road in &features.roads {
        add(2, &sounds(&road.stem));
    }
    for compound in &features.compounds {
        add(3, &sounds(&compound.name));
    }
    // The rarest few words (a landmark, an owner, a made-up name): what two reporters who name
    // no shop, road or compound may still share (解放纪念塔, 老周家).
    for (word, _) in features
        .rare_words
        .iter()
        .filter(|(_, rarity)| *rarity >= RARE_KEY)
        .take(RARE_KEYS)
    {
        add(5, &sounds(word));
    }
    keys
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

fn name_key(stem: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    sounds(stem).hash(&mut hasher);
    hasher.finish()
}

fn posting_key(locality: RegionCode, key: &[Sound]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    locality.as_u32().hash(&mut hasher);
    key.hash(&mut hasher);
    hasher.finish()
}

/// The features as one short text: a line per facility (`F` written, stem length in
/// characters, facility word), road (`R` written, stem length, direction, number), compound
/// (`C` name, building), area (`A` name), equipment or spot (`O` word), rare word (`W` word,
/// rarity to one decimal), where on a place (`S` tagged spot), the lines of business (`L` bit
/// set), a trade within them (`T`) and owners' surnames (`P`). Names hold no tabs or line
/// breaks.
fn encode(features: &SourceFeatures) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for f in &features.facilities {
        let _ = writeln!(
            out,
            "F{}\t{}\t{}\t{}",
            f.written,
            f.stem.chars().count(),
            f.word,
            if f.near { "1" } else { "" }
        );
    }
    for r in &features.roads {
        let _ = writeln!(
            out,
            "R{}\t{}\t{}\t{}",
            r.written,
            r.stem.chars().count(),
            r.direction.map(String::from).unwrap_or_default(),
            r.number.map(|n| n.to_string()).unwrap_or_default()
        );
    }
    for c in &features.compounds {
        let _ = writeln!(
            out,
            "C{}\t{}\t{}",
            c.name,
            c.building.map(|n| n.to_string()).unwrap_or_default(),
            c.ending
        );
    }
    for a in &features.areas {
        let _ = writeln!(out, "A{a}");
    }
    for o in &features.objects {
        let _ = writeln!(out, "O{o}");
    }
    for (w, r) in &features.rare_words {
        let _ = writeln!(out, "W{w}\t{r:.1}");
    }
    for s in &features.spots {
        let _ = writeln!(out, "S{s}");
    }
    if features.lines != 0 {
        let _ = writeln!(out, "L{}", features.lines);
    }
    for t in &features.trades {
        let _ = writeln!(out, "T{t}");
    }
    if !features.owners.is_empty() {
        let _ = writeln!(out, "P{}", features.owners);
    }
    if !features.hints.is_empty() {
        let _ = writeln!(out, "H{}", features.hints);
    }
    if features.public_places != 0 {
        let _ = writeln!(out, "K{}", features.public_places);
    }
    out
}

fn decode(text: &str, kinds: u16, night: bool) -> SourceFeatures {
    let prefix = |s: &str, n: &str| -> String { s.chars().take(n.parse().unwrap_or(0)).collect() };
    let mut features = SourceFeatures {
        kinds,
        night,
        ..SourceFeatures::default()
    };
    for line in text.lines() {
        let mut chars = line.chars();
        let tag = chars.next();
        let cols: Vec<&str> = chars.as_str().split('\t').collect();
        match (tag, cols.as_slice()) {
            (Some('F'), [written, stem, word, near]) => {
                // Facility words come from the term list; anything else is no facility word.
                let word = TERMS_TABLE
                    .name_words
                    .get_key_value(word)
                    .map_or("", |(w, _)| *w);
                features.facilities.push(Facility {
                    written: (*written).to_owned(),
                    stem: prefix(written, stem),
                    word: word.to_owned(),
                    near: *near == "1",
                });
            }
            (Some('R'), [written, stem, direction, number]) => features.roads.push(Road {
                written: (*written).to_owned(),
                stem: prefix(written, stem),
                direction: direction.chars().next(),
                number: number.parse().ok(),
            }),
            (Some('C'), [name, building, ending]) => features.compounds.push(Compound {
                name: (*name).to_owned(),
                building: building.parse().ok(),
                ending: (*ending).to_owned(),
            }),
            (Some('A'), [name]) => features.areas.push((*name).to_owned()),
            (Some('O'), [word]) => features.objects.push((*word).to_owned()),
            (Some('S'), [spot]) => features.spots.push((*spot).to_owned()),
            (Some('L'), [lines]) => features.lines = lines.parse().unwrap_or(0),
            (Some('T'), [trade]) => features.trades.push((*trade).to_owned()),
            (Some('P'), [owners]) => features.owners = (*owners).to_owned(),
            (Some('H'), [hints]) => features.hints = (*hints).to_owned(),
            (Some('K'), [places]) => features.public_places = places.parse().unwrap_or(0),
            (Some('W'), [word, rarity]) => features
                .rare_words
                .push(((*word).to_owned(), rarity.parse().unwrap_or(0.0))),
            _ => {}
        }
    }
    features
}

#[cfg(test)]
mod tests {
    use super::super::score::EvidenceKind;
    use super::*;

    fn code(c: &str) -> RegionCode {
        RegionCode::parse(c).expect("valid code")
    }

    const DAY: i64 = DAY_MS;

    #[test]
    fn features_survive_the_compact_form() {
        let features = SourceFeatures::extract(
            "长沙市雨花区万家丽中路188号的老刘烧烤，桂花园小区5栋，团结镇的鑫泰废品回收站",
        );
        let again = decode(&encode(&features), features.kinds, features.night);
        assert_eq!(again.facilities, features.facilities);
        assert_eq!(again.roads, features.roads);
        assert_eq!(again.compounds, features.compounds);
        assert_eq!(again.areas, features.areas);
        assert_eq!(again.objects, features.objects);
        assert_eq!(again.rare_words, features.rare_words);
        assert_eq!(features.trades, ["烧烤"]);
        assert_eq!(again.trades, features.trades);
        let spots = SourceFeatures::extract("锦绣小区9栋1202，渝味坊火锅（西门店）东边，不是一家");
        // Two sides, a flat, a branch, and the clause that says what the source is not.
        assert_eq!(spots.spots.len(), 5, "{:?}", spots.spots);
        let again = decode(&encode(&spots), spots.kinds, spots.night);
        assert_eq!(again.spots, spots.spots);
        let owned = SourceFeatures::extract("老孙家的养猪场，猪粪往河里排");
        assert!(owned.lines != 0 && owned.owners == "孙", "{owned:?}");
        let again = decode(&encode(&owned), owned.kinds, owned.night);
        assert_eq!((again.lines, again.owners), (owned.lines, owned.owners));
        let placed = SourceFeatures::extract("三中后门那个印刷厂，就在客运站对面");
        assert_eq!(placed.public_places.count_ones(), 2, "{placed:?}");
        let again = decode(&encode(&placed), placed.kinds, placed.night);
        assert_eq!(again.public_places, placed.public_places);
    }

    #[test]
    fn a_repeat_report_is_found_in_its_county() {
        let mut index = SourceIndex::new();
        let county = code("430111");
        index.insert_text(
            1,
            county,
            10 * DAY,
            "万家丽中路老刘烧烤油烟太大，每晚烟雾缭绕",
        );
        index.insert_text(2, county, 11 * DAY, "万家丽中路的湘里人家饭店油烟扰民");
        index.insert_text(3, county, 12 * DAY, "桂花园小区的广场舞太吵");
        let query = SourceFeatures::extract("雨花区万家丽中路188号的老刘烧烤，烧炭烤串，烟很大");
        let found = index.candidates(RegionCode::NATIONAL, county, 20 * DAY, &query, 5);
        assert_eq!(found.first().map(|c| c.case_id), Some(1), "{found:?}");
        // Same by the pair model; whether the index flags it on its own depends on its stricter
        // threshold, calibrated on simulated suggestions.
        assert!(
            found[0].matched.score >= PairModel::shipped().threshold,
            "{found:?}"
        );
        assert!(found.iter().all(|c| c.case_id != 2 || !c.matched.same));
        assert!(
            found
                .iter()
                .all(|c| c.case_id != 2 || c.matched.score < PairModel::shipped().threshold)
        );
    }

    #[test]
    fn candidates_never_come_from_outside_the_callers_scope() {
        let mut index = SourceIndex::new();
        // The same shop, reported in two districts of one city and in another city.
        let yuhua = code("430111");
        let furong = code("430102");
        let xian = code("610102");
        let text = "建设路老王烧烤油烟很大";
        index.insert_text(1, yuhua, DAY, text);
        index.insert_text(2, furong, DAY, text);
        index.insert_text(3, xian, DAY, text);
        index.insert_text(4, code("430100"), DAY, text);
        let query = SourceFeatures::extract(text);
        // A county officer of 雨花区 asking about a case of 长沙市 (county unknown).
        let found = index.candidates(yuhua, code("430100"), 2 * DAY, &query, 10);
        assert!(!found.is_empty());
        assert!(found.iter().all(|c| c.region.is_within(yuhua)), "{found:?}");
        // A 芙蓉区 officer passing a 雨花区 case sees nothing of 雨花区.
        let found = index.candidates(furong, yuhua, 2 * DAY, &query, 10);
        assert!(
            found.iter().all(|c| c.region.is_within(furong)),
            "{found:?}"
        );
        // The city sees its own districts and itself, never 西安.
        let city = code("430100");
        let found = index.candidates(city, city, 2 * DAY, &query, 10);
        let mut ids: Vec<i64> = found.iter().map(|c| c.case_id).collect();
        ids.sort_unstable();
        assert_eq!(ids, [1, 2, 4]);
    }

    #[test]
    fn no_scope_and_no_claimed_region_ever_reaches_outside_the_scope() {
        // One repeated shop in counties and cities of two provinces, and at city level.
        let places = [
            "430102", "430111", "430100", "430203", "430200", "440305", "440300", "110105",
        ];
        let text = "解放路老王烧烤油烟很大，天天烤到半夜";
        let mut index = SourceIndex::new();
        for (i, place) in places.iter().enumerate() {
            index.insert_text(i as i64, code(place), DAY, text);
        }
        let query = SourceFeatures::extract(text);
        let scopes = [
            "000000", "430000", "430100", "430111", "440000", "440305", "110000",
        ];
        for scope in scopes {
            for claimed in places.iter().chain(["430000", "000000"].iter()) {
                let found = index.candidates(code(scope), code(claimed), 2 * DAY, &query, 10);
                for candidate in &found {
                    assert!(
                        candidate.region.is_within(code(scope)),
                        "scope {scope}, claimed {claimed}: {candidate:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_name_found_in_many_counties_identifies_no_source() {
        let mut index = SourceIndex::new();
        let counties = ["430102", "430103", "430104", "430105", "430111", "430112"];
        for (i, county) in counties.iter().enumerate() {
            index.insert_text(
                i as i64,
                code(county),
                DAY,
                "楼下的蜜雪冰城奶茶店音响太吵了",
            );
        }
        assert!(index.is_common_name("蜜雪冰城"));
        let query = SourceFeatures::extract("蜜雪冰城奶茶店门口的音响吵死了");
        let found = index.candidates(RegionCode::NATIONAL, code("430111"), 2 * DAY, &query, 5);
        let chain = found
            .first()
            .map(|c| c.matched.clone())
            .expect("a candidate");
        let kinds: Vec<_> = chain.evidence.iter().map(|e| e.kind).collect();
        assert!(kinds.contains(&EvidenceKind::CommonName), "{chain:?}");
        assert!(!kinds.contains(&EvidenceKind::SameName), "{chain:?}");
        // In a county of its own, the name identifies the shop and counts for more.
        let mut index = SourceIndex::new();
        index.insert_text(1, code("430111"), DAY, "楼下的蜜雪冰城奶茶店音响太吵了");
        let found = index.candidates(RegionCode::NATIONAL, code("430111"), 2 * DAY, &query, 5);
        let own = found
            .first()
            .map(|c| c.matched.clone())
            .expect("a candidate");
        // Same by the pair model; the index's own flag is stricter (calibrated on simulated
        // suggestions) and may leave it to staff.
        assert!(
            own.score >= PairModel::shipped().threshold && own.score > chain.score,
            "{own:?} / {chain:?}"
        );
    }

    #[test]
    fn only_cases_within_the_window_before_the_new_one_count() {
        let mut index = SourceIndex::with_window_days(30);
        let county = code("430111");
        let text = "建设路老王烧烤油烟很大";
        index.insert_text(1, county, DAY, text);
        index.insert_text(2, county, 50 * DAY, text);
        index.insert_text(3, county, 90 * DAY, text);
        let query = SourceFeatures::extract(text);
        let found = index.candidates(RegionCode::NATIONAL, county, 60 * DAY, &query, 10);
        let ids: Vec<i64> = found.iter().map(|c| c.case_id).collect();
        assert_eq!(ids, [2]);
    }

    #[test]
    fn a_removed_case_is_not_suggested_and_compaction_keeps_the_rest() {
        let mut index = SourceIndex::new();
        let county = code("430111");
        index.insert_text(1, county, DAY, "建设路老王烧烤油烟很大");
        index.insert_text(2, county, DAY, "建设路老王烧烤晚上烟太大");
        assert!(index.remove(1));
        assert!(!index.remove(1));
        let query = SourceFeatures::extract("建设路的老王烧烤油烟");
        let ids = |index: &SourceIndex| -> Vec<i64> {
            index
                .candidates(RegionCode::NATIONAL, county, 2 * DAY, &query, 10)
                .iter()
                .map(|c| c.case_id)
                .collect()
        };
        assert_eq!(ids(&index), [2]);
        index.compact();
        assert_eq!(index.len(), 1);
        assert_eq!(ids(&index), [2]);
    }
}
