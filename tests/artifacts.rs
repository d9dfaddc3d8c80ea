//! Artifact repair measured: edit-level precision and recall on sample 003 against a hand-made
//! gold version (tests/data/003_gold.txt), and no artifact edit on clean text (FLORES-200 in
//! every language, and our own clean English with the traps of the spinner rules).

use std::collections::HashSet;

use regex::Regex;
use similar::{capture_diff_slices, Algorithm, DiffOp};

use transnorm::{apply_edits, EditKind, Options, Pipeline};

use crate::util::root;

/// Word-level edits turning `from` into `to`: (token range in `from`, replacement tokens).
fn edits(from: &[&str], to: &[&str]) -> HashSet<(usize, usize, String)> {
    capture_diff_slices(Algorithm::Myers, from, to)
        .into_iter()
        .filter_map(|op| match op {
            DiffOp::Equal { .. } => None,
            DiffOp::Delete {
                old_index, old_len, ..
            } => Some((old_index, old_index + old_len, String::new())),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => Some((
                old_index,
                old_index,
                to[new_index..new_index + new_len].join(" "),
            )),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => Some((
                old_index,
                old_index + old_len,
                to[new_index..new_index + new_len].join(" "),
            )),
        })
        .collect()
}

fn tokens(s: &str) -> Vec<&str> {
    let re = Regex::new(r"\w+(?:[’']\w+)*|[^\w\s]").unwrap();
    re.find_iter(s).map(|m| m.as_str()).collect()
}

/// Precision and recall of our repair of sample 003, word-level, against the gold version.
pub fn sample_003_scores() -> (f64, f64, usize, usize, usize) {
    let pipeline = Pipeline::new(&Options::default()).unwrap();
    let src = std::fs::read_to_string(root().join("samples/txt/003_f2d3f294bb08212c.txt")).unwrap();
    let doc = pipeline.normalize("003", &src).unwrap();
    let furniture: Vec<_> = doc
        .log
        .edits()
        .iter()
        .filter(|e| e.kind == EditKind::Boilerplate)
        .cloned()
        .collect();
    let input = apply_edits(&src, 0, &furniture);
    let gold = std::fs::read_to_string(root().join("tests/data/003_gold.txt")).unwrap();
    let (input, ours, gold) = (tokens(&input), tokens(doc.text()), tokens(&gold));
    let want = edits(&input, &gold);
    let got = edits(&input, &ours);
    let hit = got.intersection(&want).count();
    (
        hit as f64 / got.len() as f64,
        hit as f64 / want.len() as f64,
        hit,
        got.len(),
        want.len(),
    )
}

#[test]
fn sample_003_is_repaired_with_measured_precision_and_recall() {
    let (p, r, hit, got, want) = sample_003_scores();
    eprintln!("sample 003: precision {p:.3} ({hit}/{got}), recall {r:.3} ({hit}/{want})");
    // The level reached; a change that lowers either fails here.
    assert!(p >= 0.95, "precision {p:.3}");
    assert!(r >= 0.73, "recall {r:.3}");
}

fn artifact_edits(pipeline: &Pipeline, text: &str) -> Vec<String> {
    let d = pipeline.normalize("clean", text).unwrap();
    d.log
        .edits()
        .iter()
        .filter(|e| e.kind == EditKind::Artifact)
        .map(|e| format!("{:?} -> {:?} ({})", &d.src()[e.src.clone()], e.to, e.rule))
        .collect()
}

#[test]
fn clean_english_traps_are_left_alone() {
    let pipeline = Pipeline::new(&Options::default()).unwrap();
    let text = std::fs::read_to_string(root().join("tests/data/clean_traps_en.txt")).unwrap();
    let doc = pipeline.normalize("traps", &text).unwrap();
    assert!(
        doc.scores["artifact"] < 0.5,
        "score {}",
        doc.scores["artifact"]
    );
    assert_eq!(artifact_edits(&pipeline, &text), Vec::<String>::new());
    // Paragraph by paragraph too: a short document must not pass the threshold by chance.
    for para in text.split("\n\n") {
        assert_eq!(
            artifact_edits(&pipeline, para),
            Vec::<String>::new(),
            "{para}"
        );
    }
}

#[test]
fn no_artifact_edit_on_clean_multilingual_sentences() {
    let Some(dir) = crate::flores::flores() else {
        return;
    };
    let pipeline = Pipeline::new(&Options::default()).unwrap();
    let mut total = 0;
    for (stem, _) in transnorm::eval::FLORES {
        let lines = transnorm::eval::sentences(&dir, stem).unwrap();
        for chunk in lines.chunks(10) {
            let found = artifact_edits(&pipeline, &chunk.join("\n"));
            total += found.len();
            assert!(found.is_empty(), "{stem}: {found:?}");
        }
    }
    assert_eq!(total, 0);
}

#[test]
fn flag_mode_annotates_and_off_mode_leaves_artifacts() {
    let dir = tempfile::tempdir().unwrap();
    let run = |mode: &str| -> serde_json::Value {
        let out = crate::util::transnorm(dir.path())
            .args(["normalize", "--format", "docs", "-q", "--artifacts", mode])
            .arg(root().join("samples/txt/003_f2d3f294bb08212c.txt"))
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let kinds = |d: &serde_json::Value| -> Vec<String> {
        d["edits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    let repaired = run("repair");
    assert!(kinds(&repaired).contains(&"artifact".to_owned()));
    assert!(repaired.get("flags").is_none());
    let flagged = run("flag");
    assert!(!kinds(&flagged).contains(&"artifact".to_owned()));
    let flags = flagged["flags"].as_array().unwrap();
    let artifact_edits = kinds(&repaired).iter().filter(|k| *k == "artifact").count();
    assert!(
        flags.len() * 10 >= artifact_edits * 8,
        "{} flags, {artifact_edits} repairs",
        flags.len()
    );
    assert_eq!(flags[0]["from"], "Collective Safety Treaty Group");
    assert!(flags[0]["rule"]
        .as_str()
        .unwrap()
        .starts_with("glossaries/artifacts/en.csv:"));
    assert!(flagged["scores"]["artifact"].as_f64().unwrap() > 10.0);
    let off = run("off");
    assert!(!kinds(&off).contains(&"artifact".to_owned()));
    assert!(off["text"]
        .as_str()
        .unwrap()
        .contains("Collective Safety Treaty Group"));
}
