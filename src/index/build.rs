//! Building an [`Index`] from a gazetteer: the keys of every name, then the flat arrays.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::trigram::trigrams;
use super::{deletions, Index, KeyId, NameForm, NameId, NameRecord};
use crate::error::Result;
use crate::flat::{hash_slots, to_csr, Builder, Heap, Str, Tag};
use crate::gazetteer::{Gazetteer, PlaceId};
use crate::normalize::{bare_name, consonants, fold, skeleton_of_folded};

/// A name while the index is built.
struct NewName {
    place: PlaceId,
    text: String,
    fold: String,
    skeleton: String,
    primary: bool,
    form: NameForm,
}

/// The index while it is built: owned lists and hash maps.
#[derive(Default)]
struct Build {
    names: Vec<NewName>,
    by_fold: FxHashMap<String, Vec<NameId>>,
    keys: Vec<String>,
    key_names: Vec<Vec<NameId>>,
    by_skeleton: FxHashMap<String, u32>,
    by_consonants: FxHashMap<String, Vec<u32>>,
    grams: FxHashMap<u32, Vec<KeyId>>,
    /// where each place's names start
    place_starts: Vec<u32>,
}

impl Index {
    /// Builds the index of every name and alternate name in `gazetteer`.
    pub fn build(gazetteer: &Gazetteer) -> Result<Index> {
        // the keys of each place's names, in parallel; then into the tables in place order
        let per_place: Vec<Vec<NewName>> = (0..gazetteer.len() as PlaceId)
            .into_par_iter()
            .map(|pid| names_of(gazetteer, pid))
            .collect();
        let mut index = Build::default();
        for names in per_place {
            index.place_starts.push(index.names.len() as u32);
            for name in names {
                index.add(name);
            }
        }
        index.place_starts.push(index.names.len() as u32);
        index.order_keys();
        index.freeze()
    }
}

impl Build {
    /// Renumbers the keys by length then text, so the keys of one length are a range of ids
    /// and nothing depends on the order of the gazetteer.
    fn order_keys(&mut self) {
        let mut order: Vec<u32> = (0..self.keys.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (&self.keys[a as usize], &self.keys[b as usize]);
            a.len().cmp(&b.len()).then_with(|| a.cmp(b))
        });
        let mut new_id = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_id[old as usize] = new as u32;
        }
        let mut keys = std::mem::take(&mut self.keys);
        let mut key_names = std::mem::take(&mut self.key_names);
        self.keys = order
            .iter()
            .map(|&old| std::mem::take(&mut keys[old as usize]))
            .collect();
        self.key_names = order
            .iter()
            .map(|&old| std::mem::take(&mut key_names[old as usize]))
            .collect();
        let renumber = |list: &mut Vec<u32>| {
            for k in list.iter_mut() {
                *k = new_id[*k as usize];
            }
            list.sort_unstable();
        };
        self.by_skeleton
            .values_mut()
            .for_each(|k| *k = new_id[*k as usize]);
        self.by_consonants.values_mut().for_each(renumber);
        self.grams.values_mut().for_each(renumber);
    }

    fn add(&mut self, entry: NewName) {
        let id = self.names.len() as NameId;
        self.by_fold.entry(entry.fold.clone()).or_default().push(id);
        let key = match self.by_skeleton.get(&entry.skeleton) {
            Some(&k) => k,
            None => {
                let k = self.keys.len() as u32;
                self.keys.push(entry.skeleton.clone());
                self.key_names.push(Vec::new());
                self.by_skeleton.insert(entry.skeleton.clone(), k);
                self.by_consonants
                    .entry(consonants(&entry.skeleton))
                    .or_default()
                    .push(k);
                for g in trigrams(&entry.skeleton) {
                    let posting = self.grams.entry(g).or_default();
                    if posting.last() != Some(&k) {
                        posting.push(k);
                    }
                }
                k
            }
        };
        self.key_names[key as usize].push(id);
        self.names.push(entry);
    }

    /// Lays the index out in flat arrays.
    fn freeze(self) -> Result<Index> {
        // each table goes into the buffer as soon as it is made, and what made it is dropped,
        // so that a large gazetteer does not hold the build maps and the tables at once
        let Build {
            names: new_names,
            by_fold,
            keys: key_texts,
            key_names,
            by_skeleton,
            by_consonants,
            grams,
            place_starts,
        } = self;
        let mut b = Builder::default();
        let mut heap = Heap::default();
        let mut keys = Vec::with_capacity(key_texts.len());
        let mut key_consonants = Vec::with_capacity(key_texts.len());
        for k in &key_texts {
            keys.push(heap.push(k)?);
            key_consonants.push(heap.push(&consonants(k))?);
        }
        let names = name_records(&new_names, &by_skeleton, &key_consonants, &mut heap)?;
        drop(new_names);
        drop(by_skeleton);
        let fold_text = |ids: &Vec<NameId>| names[ids[0] as usize].fold;
        let folds = [Tag::Folds, Tag::FoldSlots, Tag::FoldStarts, Tag::FoldNames];
        let fold_texts = push_text_table(&mut b, folds, by_fold, fold_text)?;
        let (fold_deletion_starts, fold_deletion_folds) =
            deletions::build(&fold_texts, deletions::FOLD_EDITS)?;
        drop(fold_texts);
        b.push(Tag::FoldDeletionStarts, &fold_deletion_starts);
        b.push(Tag::FoldDeletionFolds, &fold_deletion_folds);
        drop((fold_deletion_starts, fold_deletion_folds));
        b.push(Tag::Names, &names);
        drop(names);
        let cons_text = |ks: &Vec<KeyId>| key_consonants[ks[0] as usize];
        let cons = [
            Tag::Consonants,
            Tag::ConsonantSlots,
            Tag::ConsonantStarts,
            Tag::ConsonantKeys,
        ];
        push_text_table(&mut b, cons, by_consonants, cons_text)?;
        let (key_name_starts, key_name_ids) = to_csr(key_names)?;
        b.push(Tag::KeyNameStarts, &key_name_starts);
        b.push(Tag::KeyNames, &key_name_ids);
        drop((key_name_starts, key_name_ids));
        push_gram_tables(&mut b, grams, &key_texts)?;
        b.push(Tag::PlaceNameStarts, &place_starts);
        let (deletion_starts, deletion_keys) =
            deletions::build(&key_texts, deletions::SKELETON_EDITS)?;
        b.push(Tag::DeletionStarts, &deletion_starts);
        b.push(Tag::DeletionKeys, &deletion_keys);
        drop((deletion_starts, deletion_keys));
        b.push(
            Tag::KeySlots,
            &hash_slots(key_texts.iter().map(String::as_str)),
        );
        b.push(Tag::Keys, &keys);
        b.push(Tag::NameHeap, heap.bytes());
        drop(heap);
        let (bytes, sections) = b.finish();
        Index::from_sections(bytes, &sections)
    }
}

/// The flat record of each name, its texts pushed onto `heap` (a name's text once for the
/// entries of one place that share it; its fold only when it differs from the text).
fn name_records(
    new_names: &[NewName],
    by_skeleton: &FxHashMap<String, u32>,
    key_consonants: &[Str],
    heap: &mut Heap,
) -> Result<Vec<NameRecord>> {
    let mut names: Vec<NameRecord> = Vec::with_capacity(new_names.len());
    for (i, n) in new_names.iter().enumerate() {
        let key = by_skeleton[&n.skeleton];
        let text = match names.last() {
            Some(last) if last.place == n.place && new_names[i - 1].text == n.text => last.text,
            _ => heap.push(&n.text)?,
        };
        let fold = if n.fold == n.text {
            text
        } else {
            heap.push(&n.fold)?
        };
        names.push(NameRecord {
            place: n.place,
            key,
            text,
            fold,
            consonants: key_consonants[key as usize],
            flags: u32::from(n.primary) | (n.form as u32) << 1,
        });
    }
    Ok(names)
}

/// Pushes the trigram tables: the grams in order, the keys that have each (in key order, so
/// by length), and where each key length starts in each gram's list.
fn push_gram_tables(
    b: &mut Builder,
    grams: FxHashMap<u32, Vec<KeyId>>,
    key_texts: &[String],
) -> Result<()> {
    let mut grams: Vec<(u32, Vec<KeyId>)> = grams.into_iter().collect();
    grams.sort_unstable_by_key(|&(g, _)| g);
    let gram_codes: Vec<u32> = grams.iter().map(|&(g, _)| g).collect();
    b.push(Tag::Grams, &gram_codes);
    // by_len[n]: the position in the posting of the first key at least n bytes long
    let by_len: Vec<Vec<u32>> = grams
        .iter()
        .map(|(_, ks)| {
            let mut by_len = Vec::new();
            for (i, &k) in ks.iter().enumerate() {
                let len = key_texts[k as usize].len();
                by_len.resize(by_len.len().max(len + 1), i as u32);
            }
            by_len
        })
        .collect();
    let (gram_len_starts, gram_lens) = to_csr(by_len)?;
    b.push(Tag::GramLenStarts, &gram_len_starts);
    b.push(Tag::GramLens, &gram_lens);
    drop((gram_len_starts, gram_lens));
    let (gram_starts, gram_keys) = to_csr(grams.into_iter().map(|(_, ks)| ks))?;
    b.push(Tag::GramStarts, &gram_starts);
    b.push(Tag::GramKeys, &gram_keys);
    drop((gram_starts, gram_keys));
    Ok(())
}

/// Pushes a map from texts to lists as four sections: the texts (as `text_of` finds each in
/// the heap) in byte order, their hash table, and the lists as compressed rows; gives the
/// texts in that order.
fn push_text_table(
    b: &mut Builder,
    [texts, slots, starts, items]: [Tag; 4],
    map: FxHashMap<String, Vec<u32>>,
    text_of: impl Fn(&Vec<u32>) -> Str,
) -> Result<Vec<String>> {
    let mut rows: Vec<(String, Vec<u32>)> = map.into_iter().collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let strs: Vec<Str> = rows.iter().map(|(_, list)| text_of(list)).collect();
    b.push(texts, &strs);
    b.push(slots, &hash_slots(rows.iter().map(|(t, _)| t.as_str())));
    let (texts, lists): (Vec<String>, Vec<Vec<u32>>) = rows.into_iter().unzip();
    let (row_starts, row_items) = to_csr(lists)?;
    b.push(starts, &row_starts);
    b.push(items, &row_items);
    Ok(texts)
}

/// The index entries of a place's names: each distinct text, and the distinct keys of its
/// designator-less form, a compound without its "wa" (and), and the compound's parts.
fn names_of(gazetteer: &Gazetteer, pid: PlaceId) -> Vec<NewName> {
    let place = gazetteer.place(pid);
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let names = std::iter::once(place.name).chain(place.alt_names());
    for (i, text) in names.enumerate() {
        let f = fold(text);
        if f.is_empty() {
            continue;
        }
        let mut forms = vec![(f.clone(), NameForm::Full)];
        if let Some(bare) = bare_name(text).filter(|b| !b.is_empty()) {
            forms.push((bare, NameForm::Bare));
        }
        let compound = forms.last().map(|(k, _)| k.clone()).unwrap_or_default();
        if let Some((a, b)) = compound.split_once(" wa ") {
            // writers drop the "and" as often as they keep it (Tala Barfak, Kuran Munjan)
            forms.push((format!("{a} {b}"), NameForm::Unjoined));
            forms.push((a.to_string(), NameForm::Part));
            forms.push((b.to_string(), NameForm::Part));
        }
        for (key, form) in forms {
            // one entry per distinct text (exact matching) and per distinct derived key
            let tag = if form == NameForm::Full {
                text.to_string()
            } else {
                format!("\0{key}")
            };
            if seen.contains(&tag) || (form != NameForm::Full && seen.contains(&key)) {
                continue;
            }
            seen.push(tag);
            seen.push(key.clone());
            out.push(NewName {
                place: pid,
                text: text.to_string(),
                skeleton: skeleton_of_folded(&key),
                fold: key,
                primary: i == 0,
                form,
            });
        }
    }
    out
}
