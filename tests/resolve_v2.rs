//! Resolver v2 (issue 9): qualifiers and filters, romanizations, and every miss the issue
//! lists, fixed or with the reason it stays.

use crate::util::{data, gazmap, json_lines, stdout_of};

fn resolve_json(extra: &[&str], names: &[&str]) -> Vec<serde_json::Value> {
    json_lines(&stdout_of(
        gazmap()
            .args(extra)
            .arg("resolve")
            .arg("--format")
            .arg("json")
            .args(names),
    ))
}

/// (status, best place's name, kind, province) of each line.
fn answers(lines: &[serde_json::Value]) -> Vec<(String, String, String, String)> {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    lines
        .iter()
        .map(|l| {
            let b = &l["best"];
            (
                s(&l["status"]),
                s(&b["name"]),
                s(&b["kind"]),
                s(&b["admin1"]),
            )
        })
        .collect()
}

#[test]
fn designators_of_every_table_language_are_stripped_before_the_trailing_province() {
    let queries = [
        "la province du Panjshir",
        "province du Panjshir",
        "Provinz Panjshir",
        "provincia de Panjshir",
        "provincia di Panjshir",
        "ولایت پنجشیر",
        "Panjshir-provinsen",
        "Panjshir vilayeti",
        "provincia del Panjshir",
        "provincie Pandžšír",
        "w prowincji Pandższir",
        "پنجشیر ولایت",
        "د پنجشیر ولایت",
    ];
    for (q, a) in queries.iter().zip(answers(&resolve_json(&[], &queries))) {
        assert_eq!(
            (a.0.as_str(), a.1.as_str(), a.2.as_str()),
            ("matched", "Panjshir", "province"),
            "{q}"
        );
    }
    // a designator of a district names the district, in any of these languages
    let queries = [
        "le district du Khinjan",
        "Distrikt Khinjan",
        "distrito de Khinjan",
        "w dystrykcie Khinjan",
        "okres Khinjan",
        "خنجان ولسوالۍ",
        "د خنجان ولسوالۍ",
    ];
    for (q, a) in queries.iter().zip(answers(&resolve_json(&[], &queries))) {
        assert_eq!((a.0.as_str(), a.2.as_str()), ("matched", "district"), "{q}");
        assert!(a.1.starts_with("Khinj"), "{q}: {a:?}");
    }
}

#[test]
fn a_province_in_parentheses_qualifies_with_a_districts_only_gazetteer() {
    // the gazetteer has no province Herat, only a district of that name and districts whose
    // province field says Herat
    let g = data("districts-herat.csv");
    let g = g.to_str().unwrap();
    let a = answers(&resolve_json(
        &["--gazetteer", g],
        &["Gulran (Herat)", "Kushk (Herat)", "Herat"],
    ));
    assert_eq!(a[0].0, "matched", "{a:?}");
    assert_eq!(a[0].1, "Gulrān");
    assert_eq!(a[1].0, "matched");
    assert_eq!(a[1].1, "Kushk");
    // the name alone is still the district
    assert_eq!((a[2].0.as_str(), a[2].1.as_str()), ("matched", "Herat"));
    // and the embedded gazetteer, which has the province, agrees
    let a = answers(&resolve_json(&[], &["Gulran (Herat)"]));
    assert_eq!((a[0].0.as_str(), a[0].1.as_str()), ("matched", "Gulrān"));
}

#[test]
fn a_province_in_parentheses_never_makes_a_districts_only_gazetteer_ambiguous() {
    // tests/data/districts-only.csv: two districts, no province at all
    let g = data("districts-only.csv");
    let g = g.to_str().unwrap();
    let lines = resolve_json(
        &["--gazetteer", g],
        &["Khinjan (Baghlan)", "Baghran (Helmand)", "Gulran (Herat)"],
    );
    let a = answers(&lines);
    assert_eq!((a[0].0.as_str(), a[0].1.as_str()), ("matched", "Khinjān"));
    assert_eq!((a[1].0.as_str(), a[1].1.as_str()), ("matched", "Baghrān"));
    // no Gulran there: unmatched, not a tie between the label's look-alikes
    assert_eq!(a[2].0, "unmatched", "{}", lines[2]);
}

#[test]
fn within_a_province_returns_the_province_when_the_query_names_it() {
    let a = answers(&resolve_json(
        &[],
        &["--within", "Panjshir", "پنجشیر", "Panjshir", "ولایت پنجشیر"],
    ));
    for x in &a {
        assert_eq!(
            (x.0.as_str(), x.1.as_str(), x.2.as_str()),
            ("matched", "Panjshir", "province")
        );
    }
    // the area itself may be given in any script or table language, with a designator
    for area in ["پنجشیر", "ولایت پنجشیر", "Provinz Pandschschir"] {
        let a = answers(&resolve_json(
            &[],
            &["--within", area, "Bazarak", "Panjshir"],
        ));
        assert_eq!(
            (a[0].0.as_str(), a[0].1.as_str()),
            ("matched", "Bāzārak"),
            "{area}"
        );
        assert_eq!(
            (a[1].1.as_str(), a[1].2.as_str()),
            ("Panjshir", "province"),
            "{area}"
        );
    }
    // a name shared by the province and a district inside it is still the district
    let a = answers(&resolve_json(&[], &["--within", "Kunduz", "Kunduz"]));
    assert_eq!((a[0].0.as_str(), a[0].2.as_str()), ("matched", "district"));
}

#[test]
fn top_caps_tied_places_and_says_how_many_were_left_out() {
    let g = data("san-jose.csv");
    let g = g.to_str().unwrap();
    let lines = resolve_json(&["--gazetteer", g], &["--top", "2", "San Jose"]);
    let l = &lines[0];
    assert_eq!(l["status"], "ambiguous");
    assert_eq!(l["candidates"].as_array().unwrap().len(), 1, "{l}");
    assert_eq!(l["left_out"], 3, "{l}");
    assert!(l["best"]["reason"]
        .as_str()
        .unwrap()
        .contains("3 more tied places not listed"));
    // --top 1: the best alone
    let lines = resolve_json(&["--gazetteer", g], &["--top", "1", "San Jose"]);
    assert!(lines[0]["candidates"].as_array().unwrap().is_empty());
    assert_eq!(lines[0]["left_out"], 4);
    // enough room: every tie listed, no count
    let lines = resolve_json(&["--gazetteer", g], &["--top", "9", "San Jose"]);
    assert_eq!(lines[0]["candidates"].as_array().unwrap().len(), 4);
    assert!(lines[0].get("left_out").is_none());
    // the table says it too
    let table = stdout_of(gazmap().args(["--gazetteer", g, "resolve", "--top", "2", "San Jose"]));
    assert!(table.contains("and 3 more tied places"), "{table}");
}

#[test]
fn top_caps_the_same_name_at_other_levels_and_counts_them() {
    // Kunduz is a district, a city and a province: one answer, the district, whose other
    // levels tie with it
    let lines = resolve_json(&[], &["--top", "1", "Kunduz"]);
    let l = &lines[0];
    assert_eq!(l["status"], "matched", "{l}");
    assert_eq!(l["best"]["kind"], "district", "{l}");
    assert!(l["candidates"].as_array().unwrap().is_empty(), "{l}");
    assert_eq!(l["left_out"], 2, "{l}");
    assert!(l["best"]["reason"]
        .as_str()
        .unwrap()
        .contains("2 other levels not listed (top 1)"));
    let lines = resolve_json(&[], &["--top", "3", "Kunduz"]);
    assert_eq!(lines[0]["candidates"].as_array().unwrap().len(), 2);
    assert!(lines[0].get("left_out").is_none(), "{}", lines[0]);
    let table = stdout_of(gazmap().args(["resolve", "--top", "2", "Kunduz"]));
    assert!(
        table.contains("and the same name at 1 other level (--top)"),
        "{table}"
    );
    // CSV: the best's reason says it
    let csv = stdout_of(gazmap().args(["resolve", "--top", "1", "--format", "csv", "Kunduz"]));
    assert!(csv.contains("2 other levels not listed (top 1)"), "{csv}");
}

#[test]
fn a_province_leads_a_place_named_otherwise_that_has_its_name_as_another_name() {
    // GeoNames calls the towns Jabal os Saraj, Aibak and Mehtar Lam also "Parwan", "Samangan"
    // and "Laghman"; their districts inherit the name; the writer means the province
    let lines = resolve_json(&[], &["Parwan", "Samangan", "Laghman", "Саманган"]);
    for (l, province) in lines
        .iter()
        .zip(["Parwan", "Samangan", "Laghman", "Samangan"])
    {
        assert_eq!(l["status"], "matched", "{l}");
        assert_eq!(l["best"]["kind"], "province", "{l}");
        assert_eq!(l["best"]["name"], province, "{l}");
    }
    assert!(lines[0]["best"]["reason"]
        .as_str()
        .unwrap()
        .contains("the province whose own name it is"));
    // where the levels share the name, the district stays first; a designator says which
    let lines = resolve_json(&[], &["Kunduz", "Khost", "Parwan district"]);
    let got = answers(&lines);
    assert_eq!(got[0].2, "district", "{:?}", got[0]);
    assert_eq!(got[1].2, "district", "{:?}", got[1]);
    assert_eq!(
        (got[2].1.as_str(), got[2].2.as_str()),
        ("Jabal us Sarāj", "district")
    );
}
/// The gazetteer's row for a place id: its alternate names.
fn embedded_alt_names(id: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("gazetteer/afghanistan.csv");
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id_col, alt_col) = (col("id"), col("alt_names"));
    rdr.records()
        .map(|r| r.unwrap())
        .find(|r| &r[id_col] == id)
        .map(|r| r[alt_col].to_string())
        .expect("place in the embedded gazetteer")
}

#[test]
fn persian_urdu_and_cyrillic_spellings_of_districts_with_no_alternate_in_that_script() {
    // (query, expected district id); none of these districts has an alternate name in
    // Arabic or Cyrillic script, which the test checks first (Deh Sabz gave way to Deh Salah
    // when Kabul's districts got their sourced Dari names; Khwaja Ghar, Spin Boldak, Pashtun
    // Kot, Warduj and Yamgan to Bakwah, Shib Koh, Mya Neshin and Lash-e Juwayn when theirs did)
    let cases = [
        ("اندراب", "geonames:7052857"),         // Persian: Andarab
        ("ولسوالی اندراب", "geonames:7052857"), // Persian, with its designator
        ("بکواہ", "geonames:7052918"),          // Urdu: Bakwah (heh goal)
        ("شیب کوہ", "geonames:7052926"),        // Urdu: Shib Koh
        ("میانشین", "geonames:7053305"),        // Persian: Mya Neshin
        ("Андараб", "geonames:7052857"),        // Cyrillic: Andarab
        ("Лаш-е Джувайн", "geonames:7052922"),  // Cyrillic дж: Lash-e Juwayn
        ("Мья Нешин", "geonames:7053305"),      // Cyrillic я: Mya Neshin
        ("Дех Салах", "geonames:7052901"),      // Cyrillic х (kh, here h): Deh Salah
    ];
    let other_script = |s: &str| {
        s.chars().any(|c| {
            ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{0400}'..='\u{04FF}').contains(&c)
        })
    };
    for (_, id) in cases {
        assert!(
            !other_script(&embedded_alt_names(id)),
            "{id} has such an alternate"
        );
    }
    let queries: Vec<&str> = cases.iter().map(|c| c.0).collect();
    for (line, (q, id)) in resolve_json(&[], &queries).iter().zip(cases) {
        assert_eq!(line["status"], "matched", "{q}: {line}");
        assert_eq!(line["best"]["id"], id, "{q}: {line}");
        assert_eq!(line["best"]["kind"], "district", "{q}: {line}");
    }
}

#[test]
fn pashto_kurdish_arabic_and_latin_writers_spellings_resolve_by_their_tables() {
    // (query, expected id): none of these spellings is a name or alternate name in the
    // gazetteer; each is read by a script's or a language's table
    let cases = [
        ("ده یک", "geonames:7052955"),    // Persian ده is Deh: Deh Yak district
        ("کامې", "geonames:7053282"),     // Pashto ې is e: Kame, Kamah district
        ("قەندەهار", "geonames:9653599"), // Kurdish ە is a: Qandahar, Kandahar district
        ("كابيسا", "geonames:1138255"),   // Arabic beh for p: Kapisa province
        ("بانشير", "geonames:6957555"),   // Arabic beh for p: Panjshir province
        ("Chost", "geonames:7054009"),    // German ch for kh: Khost district
        ("Cüzcan", "geonames:1139049"),   // Turkish c for j: Jowzjan province
        ("Džouzdžāna", "geonames:1139049"), // Latvian dž for j: Jowzjan province
        ("Khawaja Omari", "geonames:7052961"), // Khawaja is Khwaja: Khwajah Omari district
    ];
    let queries: Vec<&str> = cases.iter().map(|c| c.0).collect();
    for (line, (q, id)) in resolve_json(&[], &queries).iter().zip(cases) {
        assert_eq!(line["status"], "matched", "{q}: {line}");
        assert_eq!(line["best"]["id"], id, "{q}: {line}");
    }
    // the Arabic reading of jim as g finds the Tagab districts: two of them, a tie
    let line = &resolve_json(&[], &["تاجاب"])[0];
    assert_eq!(line["status"], "ambiguous", "{line}");
    assert_eq!(line["best"]["name"], "Tagāb", "{line}");
    let line = &resolve_json(&[], &["--within", "Kapisa", "تاجاب"])[0];
    assert_eq!(line["status"], "matched", "{line}");
    assert_eq!(line["best"]["id"], "geonames:7053090", "{line}");
    assert!(line["best"]["reason"].as_str().unwrap().contains("Arabic"));
}

#[test]
fn german_spellings_with_s_for_z_and_ch_for_kh_resolve() {
    // German writes z as s and kh as ch (the names German reference works give these
    // places; none of these spellings is in the gazetteer)
    let cases = [
        ("Sabul", "geonames:1121143"),        // Zabul province
        ("Gasni", "geonames:7052956"),        // Ghazni district
        ("Sebak", "geonames:7052737"),        // Zebak district
        ("Chost", "geonames:7054009"),        // Khost district
        ("Wachan", "geonames:7052694"),       // Wakhan district
        ("Chinjan", "geonames:7052905"),      // Khinjan district
        ("Kadschaki", "geonames:7053026"),    // Kajaki district
        ("Dschuzdschan", "geonames:1139049"), // Jowzjan province
    ];
    let queries: Vec<&str> = cases.iter().map(|c| c.0).collect();
    for (line, (q, id)) in resolve_json(&[], &queries).iter().zip(cases) {
        assert_eq!(line["status"], "matched", "{q}: {line}");
        assert_eq!(line["best"]["id"], id, "{q}: {line}");
    }
}

#[test]
fn the_issue_misses_fixed() {
    // (query, district id): a swap (Ghanzi); German and Hungarian romanizations; short forms
    // the Arabic-script alternates of the place reach (Oba: أوبه)
    let cases = [
        // geoBoundaries spells the province "Ghanzi": an alternate name of the province now
        ("Ghanzi", "geonames:1141268"),
        ("Wardudsch", "geonames:7052696"),
        ("Pandschwai", "geonames:7053307"),
        ("Vardudzs", "geonames:7052696"),
        ("Jumgán", "geonames:7052735"),
        ("Oba", "geonames:7053047"),
    ];
    let queries: Vec<&str> = cases.iter().map(|c| c.0).collect();
    for (line, (q, id)) in resolve_json(&[], &queries).iter().zip(cases) {
        assert_eq!(line["status"], "matched", "{q}: {line}");
        assert_eq!(line["best"]["id"], id, "{q}: {line}");
    }
    // German "Feisabad" is Fayzabad, a name several places bear: ambiguous until --within,
    // and "Dschaghatu" is Jaghatu, which names the Wardak district and (as its old name) the
    // Ghazni district Bahram-e Shahid
    let cases = [
        ("Feisabad", "Badakhshan", "Badakhshan"),
        ("Dschaghatu", "Wardak", "Maidan Wardak"),
    ];
    for (q, within, province) in cases {
        let plain = &resolve_json(&[], &[q])[0];
        assert_eq!(plain["status"], "ambiguous", "{q}: {plain}");
        let line = &resolve_json(&[], &["--within", within, q])[0];
        assert_eq!(line["status"], "matched", "{q}: {line}");
        assert_eq!(line["best"]["admin1"], province, "{q}: {line}");
        assert_eq!(line["best"]["kind"], "district", "{q}: {line}");
        assert!(line["best"]["reason"].as_str().unwrap().contains("German"));
    }
    // Sherkhan is Sher Khan Bandar, the border town of Imam Sahib (Kunduz), now a sourced row
    // of gazetteer/new_towns.csv: no longer Shibirghan ("Sheberkhan", two edits away)
    let line = &resolve_json(&[], &["Sherkhan"])[0];
    assert_eq!(line["status"], "matched", "{line}");
    assert_eq!(line["best"]["id"], "gazmap:af-sher-khan-bandar", "{line}");
    assert_eq!(line["best"]["admin2"], "Imām Şāḩib", "{line}");
}

#[test]
fn the_issue_misses_that_stay_say_why() {
    // geoBoundaries' spellings are alternate names of the districts they were joined to
    for (q, district) in [("Shaki", "Shikī"), ("Shahada", "Shuhadā")] {
        let line = &resolve_json(&[], &[q])[0];
        assert_eq!(line["status"], "matched", "{q}: {line}");
        assert_eq!(line["best"]["name"], district, "{q}: {line}");
        assert_eq!(line["best"]["method"], "alternate", "{q}: {line}");
    }
    // "Mazar" is a sourced alternate name of the Mazar-e Sharif district
    // (gazetteer/alternate_names.csv)
    let line = &resolve_json(&[], &["Mazar"])[0];
    assert_eq!(line["status"], "matched", "{line}");
    assert_eq!(line["best"]["name"], "Mazār-e Sharīf", "{line}");
    // GeoNames lists "Khogyani" letter for letter as an alternate name of a Ghazni village
    // and as "Khogyani District" for the Nangarhar district: that is two places, ambiguous,
    // never the village matched
    let line = &resolve_json(&[], &["Khogyani"])[0];
    assert_eq!(line["status"], "ambiguous", "{line}");
    let listed: Vec<&str> = std::iter::once(&line["best"])
        .chain(line["candidates"].as_array().unwrap())
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(listed.contains(&"geonames:7053283"), "{listed:?}");
}

#[test]
fn a_slip_of_the_first_letter_one_edit_from_a_name_is_matched() {
    // the ranking model lifts a fuzzy match one edit from a unique name: the first letter is
    // no exception (the hand-set similarity took a tenth off for it)
    let lines = resolve_json(&[], &["Landahar", "Salalabad", "Chenarto"]);
    assert_eq!(lines[0]["status"], "matched", "{}", lines[0]);
    assert_eq!(lines[0]["best"]["admin1"], "Kandahar", "{}", lines[0]);
    assert_eq!(lines[1]["status"], "matched", "{}", lines[1]);
    assert_eq!(lines[1]["best"]["admin1"], "Nangarhar", "{}", lines[1]);
    // two edits from a short name is as often another name: Chenarto is not Chinar, it is
    // the newer district Chinarto (gazetteer/new_districts.csv), a romanization variant
    assert_eq!(lines[2]["status"], "matched", "{}", lines[2]);
    assert_eq!(lines[2]["best"]["name"], "Chinarto", "{}", lines[2]);
}

#[test]
fn a_compound_name_without_its_wa_is_the_compound() {
    let lines = resolve_json(
        &[],
        &["Tala Barfak district", "Kuran Munjan", "Khost Firing"],
    );
    let got = answers(&lines);
    let want = [
        ("Tālah wa Barfak", "Baghlan"),
        ("Kuran Wa Munjan", "Badakhshan"),
        ("Khōst wa Firing", "Baghlan"),
    ];
    for (g, (name, province)) in got.iter().zip(want) {
        assert_eq!(g.0, "matched", "{g:?}");
        assert_eq!(
            (g.1.as_str(), g.2.as_str(), g.3.as_str()),
            (name, "district", province)
        );
    }
    let reason = lines[1]["best"]["reason"].as_str().unwrap();
    assert!(reason.contains("without its \"wa\" (and)"), "{reason}");
}
