//! The decision: relatives and named districts added, filters applied, candidates ranked, and
//! matched, ambiguous or unmatched chosen.

use rustc_hash::FxHashMap;

use crate::gazetteer::{Kind, PlaceId};
use crate::index::NameForm;

use super::score::{better, CONTEXT_BONUS};
use super::{Candidate, Options, Resolution, Resolver, Status};

/// Most candidates kept for the decision.
const MAX_CANDIDATES: usize = 200;

impl Resolver {
    /// "Terezayi (Ali Sher)", "Ali Khel (Jaji)": when one name of a query finds a district
    /// and another a place inside it (official lists name a district with its centre), the
    /// district is meant: it takes the better of the two scores and [`CONTEXT_BONUS`].
    pub(super) fn favour_named_districts(
        &self,
        parts: &[Vec<(PlaceId, f64)>],
        scores: &mut FxHashMap<PlaceId, Candidate>,
    ) {
        let g = &self.gazetteer;
        let mut named: Vec<(PlaceId, PlaceId, f64)> = Vec::new();
        for (i, districts) in parts.iter().enumerate() {
            for &(d, _) in districts {
                if g.place(d).kind != Kind::District || named.iter().any(|n| n.0 == d) {
                    continue;
                }
                let inside = parts
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .flat_map(|(_, members)| members.iter())
                    .filter(|&&(m, _)| g.is_within(m, d))
                    .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
                if let Some(&(m, score)) = inside {
                    named.push((d, m, score));
                }
            }
        }
        for (d, m, score) in named {
            if let Some(c) = scores.get_mut(&d) {
                c.score = c.score.max(score) + CONTEXT_BONUS;
                let member = g.place(m);
                c.reason.push_str(&format!(
                    "; named with {}, a {} inside it",
                    member.name, member.kind
                ));
            }
        }
    }

    /// Adds a candidate's ancestors of the same name (Kunduz city → Kunduz district), or named
    /// as its matched name (the district seat called "Char Darah" → Chahar Dara district), or
    /// that have its matched name among their own (the seat of Walī Muḩammad Shahīd Khūgyāṉī
    /// also called "Walimuhammad-e-Shahid", the district "Wal-e-Muhammad-e-Shahid"), even when
    /// none of their own names matched.
    pub(super) fn add_same_name_ancestors(
        &self,
        scores: &mut FxHashMap<PlaceId, Candidate>,
        threshold: f64,
    ) {
        let g = &self.gazetteer;
        let mut extra: Vec<Candidate> = Vec::new();
        let mut found: Vec<&Candidate> = scores.values().filter(|c| c.score >= threshold).collect();
        // deterministic whatever the hash order
        found.sort_by_key(|c| c.place);
        for c in found {
            let parents = g.parents(c.place);
            for a in [parents.district, parents.province].into_iter().flatten() {
                let known = scores.contains_key(&a) || extra.iter().any(|x| x.place == a);
                if known {
                    continue;
                }
                let key = self.index.primary_consonants(a);
                let matched = self.index.name_consonants(c.name_id);
                let same_name = key == self.index.primary_consonants(c.place) || key == matched;
                let also_named = !same_name
                    && !matched.is_empty()
                    && self.index.place_names(a).any(|n| {
                        self.index.name(n).form != NameForm::Part
                            && self.index.name_consonants(n) == matched
                    });
                if same_name || also_named {
                    let mut relative = c.clone();
                    relative.place = a;
                    relative.reason = if same_name {
                        format!("; the {} of the same name", g.place(a).kind)
                    } else {
                        format!("; the {} that has this name too", g.place(a).kind)
                    };
                    extra.push(relative);
                }
            }
        }
        for c in extra {
            // two children may propose one ancestor: keep the better
            if scores.get(&c.place).is_none_or(|old| better(&c, old)) {
                scores.insert(c.place, c);
            }
        }
    }

    pub(super) fn passes_filters(&self, id: PlaceId, o: &Options) -> bool {
        let g = &self.gazetteer;
        o.kind.is_none_or(|k| g.kind(id) == k)
            // the area itself, when the query names it (a Persian spelling of the province)
            && o.within.is_none_or(|w| id == w || g.is_within(id, w))
            && o.country
                .as_ref()
                .is_none_or(|c| g.place(id).country.eq_ignore_ascii_case(c))
    }

    pub(super) fn rank_key(
        &self,
        c: &Candidate,
        prefer: &[Kind],
        hint: Option<Kind>,
    ) -> (usize, usize) {
        let kind = self.gazetteer.kind(c.place);
        let hinted = usize::from(hint != Some(kind));
        let pos = prefer
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(prefer.len());
        (hinted, pos)
    }

    /// The resolution of `query` from its candidates: their order, the status the ties
    /// give, the best and the listed others (capped by `top`), each with its reason.
    pub(super) fn decide(
        &self,
        query: &str,
        mut cands: Vec<Candidate>,
        o: &Options,
        hint: Option<Kind>,
    ) -> Resolution {
        self.rank(&mut cands, o, hint);
        let query = query.to_string();
        let clamp = |c| self.finish(c);
        let Some(top) = cands.first().map(|c| c.score) else {
            return Resolution {
                query,
                status: Status::Unmatched,
                best: None,
                candidates: vec![],
                left_out: 0,
            };
        };
        if top < o.threshold {
            cands.truncate(o.top);
            let candidates = cands.into_iter().map(clamp).collect();
            return Resolution {
                query,
                status: Status::Unmatched,
                best: None,
                candidates,
                left_out: 0,
            };
        }
        let tied = cands
            .iter()
            .take_while(|c| c.score >= top - o.margin - 1e-9)
            .count();
        let cluster = self.clusters(&cands[..tied]);
        let mut heads = cluster.clone();
        heads.sort_unstable();
        heads.dedup();
        let status = if heads.len() > 1 {
            Status::Ambiguous
        } else {
            Status::Matched
        };
        // the preferred kind leads its cluster; clusters keep their order
        let mut order: Vec<usize> = (0..tied).collect();
        order.sort_by_key(|&i| (cluster[i], self.rank_key(&cands[i], &o.prefer, hint), i));
        // unless it has the name only as another name (the town Jabal os Saraj is also called
        // Parwan) and the name is a province's own: then the province leads
        let head = order[0];
        let province = order.iter().position(|&i| {
            cluster[i] == cluster[head]
                && self.gazetteer.kind(cands[i].place) == Kind::Province
                && self.own_name(&cands[i])
        });
        // a designator in the query ("Parwan district") says which level is meant
        let named_province = province.filter(|&p| {
            let (h, p) = (cands[head].place, cands[order[p]].place);
            let named_otherwise =
                self.index.primary_consonants(h) != self.index.primary_consonants(p);
            hint.is_none() && named_otherwise && !self.own_name(&cands[head])
        });
        if let Some(p) = named_province {
            let i = order.remove(p);
            order.insert(0, i);
        }
        let rest = cands.split_off(tied);
        let mut slots: Vec<Option<Candidate>> = cands.into_iter().map(Some).collect();
        let mut ordered: Vec<Candidate> = order.iter().filter_map(|&i| slots[i].take()).collect();
        let mut best = ordered.remove(0);
        if status == Status::Matched && tied > 1 {
            let kind = self.gazetteer.kind(best.place);
            if named_province.is_some() {
                best.reason.push_str(
                    "; the province whose own name it is, preferred over places that have it as another name",
                );
            } else {
                best.reason.push_str(&format!(
                    "; {kind} preferred over the same name at other levels"
                ));
            }
        }
        let left_out = cap_listed(&mut best, &mut ordered, rest, status, o);
        let candidates = ordered.into_iter().map(clamp).collect();
        Resolution {
            query,
            status,
            best: Some(clamp(best)),
            candidates,
            left_out,
        }
    }

    /// Orders candidates best first (score, method, kind preference, population, id) and
    /// keeps [`MAX_CANDIDATES`]; one name at several levels (Kunduz city, district, province)
    /// shares its best score, so the kind preference, not the spelling of one level's
    /// alternate names, decides.
    fn rank(&self, cands: &mut Vec<Candidate>, o: &Options, hint: Option<Kind>) {
        let g = &self.gazetteer;
        let sort = |cands: &mut Vec<Candidate>| {
            cands.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then_with(|| a.method.cmp(&b.method))
                    .then_with(|| {
                        self.rank_key(a, &o.prefer, hint)
                            .cmp(&self.rank_key(b, &o.prefer, hint))
                    })
                    .then_with(|| g.population(b.place).cmp(&g.population(a.place)))
                    .then_with(|| g.place_id(a.place).cmp(g.place_id(b.place)))
            })
        };
        sort(cands);
        cands.truncate(MAX_CANDIDATES);
        let above = cands.iter().take_while(|c| c.score >= o.threshold).count();
        for i in 1..cands.len() {
            if let Some(j) =
                (0..i.min(above)).find(|&j| self.same_name_hierarchy(&cands[i], &cands[j]))
            {
                if cands[j].score > cands[i].score {
                    cands[i].score = cands[j].score;
                    cands[i].method = cands[i].method.max(cands[j].method);
                }
            }
        }
        sort(cands);
    }

    /// The cluster of each tied candidate (the position of its first member): tied places
    /// fall into clusters of one name at several levels.
    fn clusters(&self, tied: &[Candidate]) -> Vec<usize> {
        let mut cluster: Vec<usize> = (0..tied.len()).collect();
        for i in 0..tied.len() {
            if let Some(j) = (0..i).find(|&j| self.same_name_hierarchy(&tied[i], &tied[j])) {
                cluster[i] = cluster[j];
            }
        }
        cluster
    }

    /// A candidate as a resolution lists it: its score rounded into [0, 1], its reason and
    /// the name that matched.
    fn finish(&self, mut c: Candidate) -> Candidate {
        c.score = (c.score.clamp(0.0, 1.0) * 1000.0).round() / 1000.0;
        c.reason = self.explain(&c);
        let e = self.index.name(c.name_id);
        c.matched_name = e.text.to_string();
        c.matched_key = e.fold.to_string();
        c
    }

    /// Whether the name a candidate matched is its place's own: it has the consonant key of
    /// the place's primary name. *Parwan* is the province's own name, and only an alternate
    /// name of the town Jabal os Saraj (which its district inherits).
    fn own_name(&self, c: &Candidate) -> bool {
        self.index.primary_consonants(c.place) == self.index.name_consonants(c.name_id)
    }

    /// One name at several levels: one place contains the other (or both sit in the same
    /// province) and their names, or the names that matched, share a consonant key.
    pub(super) fn same_name_hierarchy(&self, a: &Candidate, b: &Candidate) -> bool {
        let g = &self.gazetteer;
        let (pa, pb) = (g.parents(a.place), g.parents(b.place));
        let nested = pa.iter().any(|p| p == b.place)
            || pb.iter().any(|p| p == a.place)
            || (pa.province.is_some() && pa.province == pb.province);
        if !nested {
            return false;
        }
        let matched_key = |c: &Candidate| self.index.name_consonants(c.name_id);
        self.index.primary_consonants(a.place) == self.index.primary_consonants(b.place)
            || matched_key(a) == matched_key(b)
    }
}

/// Caps the places listed beside `best` at `top` (the best included) and gives how many tied
/// places that leaves out, saying so in the best's reason: for a match, the same name at
/// other levels (then the untied `rest` fill the list); for an ambiguity, the tied places,
/// when `cap_ties`.
fn cap_listed(
    best: &mut Candidate,
    ordered: &mut Vec<Candidate>,
    rest: Vec<Candidate>,
    status: Status,
    o: &Options,
) -> usize {
    let mut left_out = 0;
    if status == Status::Matched {
        // the same name at other levels ties with the best: count those `top` leaves out
        left_out = ordered.len().saturating_sub(o.top.saturating_sub(1));
        if left_out > 0 {
            let levels = if left_out == 1 { "level" } else { "levels" };
            best.reason.push_str(&format!(
                "; {left_out} other {levels} not listed (top {})",
                o.top.max(1)
            ));
        }
        ordered.extend(rest);
        ordered.truncate(o.top.saturating_sub(1));
    } else if o.cap_ties && ordered.len() >= o.top {
        left_out = ordered.len() + 1 - o.top.max(1);
        ordered.truncate(o.top.saturating_sub(1));
        let places = if left_out == 1 { "place" } else { "places" };
        best.reason.push_str(&format!(
            "; {left_out} more tied {places} not listed (top {})",
            o.top.max(1)
        ));
    }
    left_out
}
