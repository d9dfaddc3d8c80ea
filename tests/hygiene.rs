//! Text hygiene measured against other tools' test cases and clean text:
//! ftfy's mojibake cases (../shared/external/ftfy, Apache-2.0, by Robyn Speer), the Moses
//! punctuation cases of sacremoses and Joshua, and FLORES-200 (no edit but NFC).

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use transnorm::glossary::DataSet;
use transnorm::stages::mojibake;
use transnorm::stages::punct::{Punct, PunctStage};
use transnorm::{EditKind, Options, Pipeline};

use crate::flores::flores;

fn external(rel: &str) -> Option<std::path::PathBuf> {
    let dir = flores()?.parent()?.join(rel);
    dir.exists().then_some(dir)
}

/// Encodings other than UTF-8 read as Windows-1252/Latin-1, which we do not claim to repair.
/// Labels that name another encoding, a lossy decoding (U+FFFD or `?` in place of bytes) or
/// ftfy's own hopeless cases.
const OTHER_ENCODINGS: &[&str] = &[
    "MacRoman",
    "1251",
    "1250",
    "1253",
    "1254",
    "1257",
    "437",
    "CESU",
    "8859-2",
    "KOI8",
    "lossy",
    "Lossy",
    "replacement character",
    "hopeless",
    "Hebrew",
    "Arabic",
    "Vietnamese",
    "U+009D",
];

/// (file, claimed?) -> (passed, total)
pub fn ftfy_scores() -> Option<BTreeMap<(String, bool), (usize, usize)>> {
    let dir = external("ftfy")?;
    let mut scores: BTreeMap<(String, bool), (usize, usize)> = BTreeMap::new();
    for file in [
        "in-the-wild",
        "synthetic",
        "negative",
        "language-names",
        "known-failures",
    ] {
        let cases: Vec<Value> = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{file}.json"))).unwrap(),
        )
        .unwrap();
        for c in cases {
            let label = c["label"].as_str().unwrap_or("");
            let original = c["original"].as_str().unwrap();
            // Text that lost bytes (U+FFFD in place of them) cannot be decoded back exactly.
            let lossy = original.contains('\u{FFFD}');
            let claimed =
                file == "negative" || !(lossy || OTHER_ENCODINGS.iter().any(|e| label.contains(e)));
            let want = c
                .get("fixed-encoding")
                .or(c.get("fixed"))
                .and_then(Value::as_str)
                .unwrap();
            let got = mojibake::fix(original);
            let entry = scores.entry((file.to_owned(), claimed)).or_default();
            entry.0 += usize::from(got == want);
            entry.1 += 1;
        }
    }
    Some(scores)
}

#[test]
fn ftfy_cases_by_category() {
    let Some(scores) = ftfy_scores() else { return };
    for ((file, claimed), (pass, total)) in &scores {
        eprintln!(
            "ftfy {file} ({}): {pass}/{total}",
            if *claimed {
                "claimed"
            } else {
                "other encodings"
            }
        );
    }
    // Clean text: all but one ftfy negative ("a lot of Ã’s", which reads as mojibake of "Ò").
    let (pass, total) = scores[&("negative".to_owned(), true)];
    assert!(pass + 1 >= total, "negative cases changed: {pass}/{total}");
    // The floor we reach on what we claim: UTF-8 read as Windows-1252 or Latin-1, without lost bytes.
    let claimed: (usize, usize) = scores
        .iter()
        .filter(|((f, c), _)| *c && f != "negative" && f != "known-failures")
        .fold((0, 0), |a, (_, s)| (a.0 + s.0, a.1 + s.1));
    eprintln!("ftfy claimed, all categories: {}/{}", claimed.0, claimed.1);
    assert!(
        claimed.0 * 100 >= claimed.1 * 84,
        "claimed cases: {}/{}",
        claimed.0,
        claimed.1
    );
}

fn moses(options: &[&str]) -> PunctStage {
    let options: HashSet<String> = options.iter().map(|s| s.to_string()).collect();
    PunctStage::with_options(&DataSet::defaults(), Punct::Moses, options).unwrap()
}

#[test]
fn moses_punctuation_cases() {
    let Some(dir) = external("moses-punct") else {
        return;
    };
    let cases: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(dir.join("test_normalizer_cases.json")).unwrap(),
    )
    .unwrap();
    let (mut pass, mut total) = (0, 0);
    for c in &cases {
        if c["method"] != "normalize" {
            continue; // replace_unicode_punct alone is a sub-step, not a mode
        }
        let kw = &c["constructor_args"]["kwargs"];
        let flag = |k: &str, default: bool| kw.get(k).and_then(Value::as_bool).unwrap_or(default);
        let mut opts = vec!["penn"];
        for (k, name, default) in [
            ("norm_quote_commas", "quote-commas", true),
            ("norm_numbers", "numbers", true),
            ("perl_parity", "perl", false),
            ("pre_replace_unicode_punct", "unicode-punct", false),
            ("post_remove_control_chars", "remove-control", false),
        ] {
            if flag(k, default) {
                opts.push(name);
            }
        }
        let got = moses(&opts).normalize_str(c["input"].as_str().unwrap(), "en");
        total += 1;
        if got == c["expected"].as_str().unwrap() {
            pass += 1;
        } else {
            eprintln!("moses {}: got {got:?}, want {:?}", c["test"], c["expected"]);
        }
    }
    eprintln!("sacremoses normalize cases: {pass}/{total}");
    assert_eq!(pass, total, "every sacremoses case");
    let (mut pass, mut total) = (0, 0);
    let input = std::fs::read_to_string(dir.join("joshua_normalization_input.en.txt")).unwrap();
    let expected =
        std::fs::read_to_string(dir.join("joshua_normalization_expected.en.txt")).unwrap();
    let joshua = moses(&["penn", "perl", "quote-commas"]);
    for (i, e) in input
        .lines()
        .zip(expected.lines())
        .filter(|(i, _)| !i.is_empty())
    {
        total += 1;
        let got = joshua.normalize_str(i, "en");
        if got == e {
            pass += 1;
        } else {
            eprintln!("joshua: got {got:?}, want {e:?}");
        }
    }
    // Joshua's normalize.pl is not Moses' script: it makes ‘ a double quote, keeps a leading
    // no-break space and maps U+FDD3 to a hyphen.
    eprintln!("joshua cases: {pass}/{total}");
    assert!(pass >= 7, "{pass}/{total}");
}

#[test]
fn flores_gets_no_edit_but_nfc() {
    let Some(dir) = flores() else { return };
    let pipeline = Pipeline::new(&Options::default()).unwrap();
    let (mut docs, mut other) = (0, Vec::new());
    for (stem, _) in transnorm::eval::FLORES {
        for chunk in transnorm::eval::sentences(&dir, stem).unwrap().chunks(10) {
            let d = pipeline.normalize(stem, &chunk.join("\n")).unwrap();
            docs += 1;
            // Names are canonicalized on clean text too: that is the names stage's job, measured
            // in its own tests. Hygiene, punctuation and boilerplate must leave clean text alone.
            let hygiene = |k: EditKind| {
                matches!(
                    k,
                    EditKind::Unicode | EditKind::Punct | EditKind::Boilerplate
                )
            };
            for e in d
                .log
                .edits()
                .iter()
                .filter(|e| hygiene(e.kind) && &*e.rule != "unicode:nfc")
            {
                other.push(format!(
                    "{stem}: {:?} -> {:?} ({})",
                    &d.src()[e.src.clone()],
                    e.to,
                    e.rule
                ));
            }
        }
    }
    eprintln!(
        "FLORES: {docs} documents, {} edits other than NFC",
        other.len()
    );
    assert!(other.is_empty(), "{:#?}", &other[..other.len().min(20)]);
}
