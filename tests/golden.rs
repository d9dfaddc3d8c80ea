//! Golden files: the real binary on samples/ in every format, compared byte for byte with
//! tests/golden/, at one and two threads. `TRANSNORM_BLESS=1 cargo test` rewrites them.

use std::path::Path;

use serde_json::Value;

use crate::invariant::{check_doc, check_segments};
use crate::util::{root, transnorm};

struct Case {
    name: &'static str,
    input: &'static str,
    args: &'static [&'static str],
    /// Output files, relative to the `-o` value (`""` for the file itself).
    outputs: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "txt.jsonl",
        input: "samples/txt",
        args: &["--format", "jsonl"],
        outputs: &[""],
    },
    Case {
        name: "txt.docs.jsonl",
        input: "samples/txt",
        args: &["--format", "docs"],
        outputs: &[""],
    },
    Case {
        name: "txt.tsv",
        input: "samples/txt",
        args: &["--format", "tsv"],
        outputs: &[""],
    },
    Case {
        name: "txt.moses",
        input: "samples/txt",
        args: &["--format", "moses"],
        outputs: &[".src", ".norm", ".ids"],
    },
    Case {
        name: "jsonl.docs.jsonl",
        input: "samples/jsonl/samples.jsonl",
        args: &["--format", "docs"],
        outputs: &[""],
    },
];

fn run_case(case: &Case, threads: &str, dir: &Path) -> Vec<(String, Vec<u8>)> {
    let out = dir.join(format!("{}-{threads}", case.name));
    transnorm(dir)
        .arg("normalize")
        .arg(root().join(case.input))
        .args(case.args)
        .args(["--threads", threads, "-q", "-o"])
        .arg(&out)
        .assert()
        .success();
    case.outputs
        .iter()
        .map(|suffix| {
            let mut p = out.clone().into_os_string();
            p.push(suffix);
            (
                format!("{}{suffix}", case.name),
                std::fs::read(p).expect("output written"),
            )
        })
        .collect()
}

#[test]
fn samples_match_golden_files_at_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let bless = std::env::var_os("TRANSNORM_BLESS").is_some();
    for case in CASES {
        let one = run_case(case, "1", dir.path());
        let two = run_case(case, "2", dir.path());
        for ((name, a), (_, b)) in one.iter().zip(&two) {
            assert!(a == b, "{name}: --threads 1 and --threads 2 differ");
            let golden = root().join("tests/golden").join(name);
            if bless {
                std::fs::write(&golden, a).unwrap();
                continue;
            }
            let want = std::fs::read(&golden).unwrap_or_else(|_| {
                panic!(
                    "{} missing: run TRANSNORM_BLESS=1 cargo test",
                    golden.display()
                )
            });
            if a != &want {
                let got = String::from_utf8_lossy(a);
                let want = String::from_utf8_lossy(&want);
                let first = got.lines().zip(want.lines()).position(|(g, w)| g != w);
                panic!(
                    "{name} differs from its golden file (first differing line {first:?}):\n got: {}\nwant: {}\n\
                     If the change is intended: TRANSNORM_BLESS=1 cargo test",
                    first.and_then(|i| got.lines().nth(i)).unwrap_or(""),
                    first.and_then(|i| want.lines().nth(i)).unwrap_or(""),
                );
            }
        }
    }
}

fn read_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn golden_outputs_keep_the_alignment_invariant() {
    let golden = root().join("tests/golden");
    let mut by_doc: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for seg in read_lines(&golden.join("txt.jsonl")) {
        by_doc
            .entry(seg["doc"].as_str().unwrap().to_owned())
            .or_default()
            .push(seg);
    }
    assert_eq!(by_doc.len(), 5);
    for (doc, segs) in &by_doc {
        let original =
            std::fs::read_to_string(root().join("samples/txt").join(format!("{doc}.txt"))).unwrap();
        check_segments(&original, segs);
    }
    for doc in read_lines(&golden.join("txt.docs.jsonl")) {
        check_doc(&doc);
    }
}

#[test]
fn jsonl_input_carries_its_fields_through() {
    let docs = read_lines(&root().join("tests/golden/jsonl.docs.jsonl"));
    assert_eq!(docs.len(), 5);
    for d in &docs {
        assert_eq!(d["source"], "seed");
        assert!(d["metadata"]["file"].as_str().unwrap().starts_with("txt/"));
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            &keys[..4],
            ["id", "text", "source", "metadata"],
            "input fields keep their order"
        );
        for k in [
            "src",
            "lang",
            "lang_confidence",
            "edits",
            "entities",
            "scores",
        ] {
            assert!(d.get(k).is_some(), "docs record lacks {k}");
        }
    }
}

#[test]
fn txt_and_jsonl_samples_give_the_same_segments() {
    let dir = tempfile::tempdir().unwrap();
    let run = |input: &str| {
        let out = transnorm(dir.path())
            .arg("normalize")
            .arg(root().join(input))
            .arg("-q")
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    assert!(run("samples/txt") == run("samples/jsonl/samples.jsonl"));
}

#[test]
fn a_second_pass_changes_nothing() {
    let docs = read_lines(&root().join("tests/golden/txt.docs.jsonl"));
    let input: String = docs
        .iter()
        .map(|d| serde_json::json!({"id": d["id"], "text": d["text"]}).to_string() + "\n")
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let out = transnorm(dir.path())
        .args(["normalize", "--format", "docs", "-q"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success());
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let d: Value = serde_json::from_str(line).unwrap();
        assert_eq!(
            d["edits"],
            serde_json::json!([]),
            "second pass edited {}",
            d["id"]
        );
    }
}

#[test]
fn samples_lose_exactly_their_page_furniture() {
    let docs = read_lines(&root().join("tests/golden/txt.docs.jsonl"));
    let removed = |id: &str| -> Vec<String> {
        let d = docs.iter().find(|d| d["id"] == id).unwrap();
        d["edits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "boilerplate")
            .map(|e| e["from"].as_str().unwrap().trim().to_owned())
            .collect()
    };
    let cases: [(&str, &[&str]); 5] = [
        ("000_ef37a1a118df8b80", &["Categories:", "Tags:", "No responses yet", "Lascia un commento", "Il tuo indirizzo email non sarà pubblicato. I campi obbligatori sono contrassegnati *"]),
        ("001_f746b196c47e67ff", &["Andre Ismagambet", "Journalist", "© All rights reserved"]),
        ("002_f6c32bdf33aa97c3", &["CentralasianLIGHT.org"]),
        ("003_f2d3f294bb08212c", &["[ad_1]", "[ad_2]", "Source link"]),
        ("004_87378f866307ef84", &[")", "© Mil.ru", "© Mil.ru", "Note: This article has been indexed to our site. We do not claim legitimacy, ownership or copyright of any of the content above. To see the article at original source Click Here", "(adsbygoogle=window.adsbygoogle || ).push();"]),
    ];
    for (id, want) in cases {
        assert_eq!(removed(id), want, "{id}");
    }
    let d = docs
        .iter()
        .find(|d| d["id"] == "001_f746b196c47e67ff")
        .unwrap();
    assert_eq!(
        (d["byline"].as_str(), d["byline_role"].as_str()),
        (Some("Andre Ismagambet"), Some("Journalist"))
    );
}
