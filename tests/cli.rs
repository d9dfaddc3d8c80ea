//! The command line: inputs of every kind, bad input, exit codes, atomic output.

use std::io::Write;

use flate2::write::GzEncoder;
use predicates::prelude::*;
use serde_json::Value;

use crate::util::{listing, root, transnorm};

fn write(path: &std::path::Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn works_from_any_directory_with_embedded_glossaries() {
    let dir = tempfile::tempdir().unwrap();
    transnorm(dir.path())
        .arg("normalize")
        .arg(root().join("samples/txt"))
        .args(["-o", "out.jsonl"])
        .assert()
        .success()
        .stderr(predicate::str::contains("5 documents"));
    let out = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    assert!(out.contains("\"to\":\"Kassym-Jomart Tokayev\""));
    assert!(out.contains("glossaries/names/people.csv:"));
}

#[test]
fn gz_txt_directories_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus/sub");
    std::fs::create_dir_all(&corpus).unwrap();
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(
        b"{\"id\":\"g1\",\"text\":\"Toqaev spoke.\"}\n\n{\"text\":\"Pashinian spoke.\"}\n",
    )
    .unwrap();
    write(&corpus.join("b.jsonl.gz"), &gz.finish().unwrap());
    write(
        &dir.path().join("corpus/a.txt"),
        "Kazakh President Toqaev spoke in Almaty.".as_bytes(),
    );
    write(&dir.path().join("corpus/notes.md"), b"not an input");
    let out = transnorm(dir.path())
        .args(["normalize", "corpus", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let docs: Vec<&str> = lines.iter().map(|l| l["doc"].as_str().unwrap()).collect();
    let default_id = format!(
        "{}:3",
        std::path::Path::new("corpus/sub/b.jsonl.gz").display()
    );
    assert_eq!(docs, ["a", "g1", default_id.as_str()]);
    assert_eq!(lines[1]["text"], "Tokayev spoke.");

    transnorm(dir.path())
        .args(["normalize", "-q", "--format", "tsv"])
        .write_stdin("{\"id\":\"s\",\"text\":\"Pashinian\\tspoke.\"}\n")
        .assert()
        .success()
        .stdout("doc\tseg\tlang\tsrc\ttext\ns\t0\tund\tPashinian spoke.\tPashinyan spoke.\n");
}

struct Bad {
    name: &'static str,
    file: &'static str,
    bytes: &'static [u8],
    message: &'static str,
}

const BAD: &[Bad] = &[
    Bad {
        name: "invalid JSON",
        file: "c.jsonl",
        bytes: b"{\"text\":\"ok\"}\n{\"text\": oops}\n",
        message: "c.jsonl:2: invalid JSON",
    },
    Bad {
        name: "no text",
        file: "c.jsonl",
        bytes: b"{\"text\":\"ok\"}\n{\"id\":\"x\"}\n",
        message: "c.jsonl:2: record has no `text` field",
    },
    Bad {
        name: "text not a string",
        file: "c.jsonl",
        bytes: b"{\"text\":[1]}\n",
        message: "c.jsonl:1: `text` is not a string",
    },
    Bad {
        name: "invalid UTF-8 in JSONL",
        file: "c.jsonl",
        bytes: b"{\"text\":\"ok\"}\n{\"text\":\"\xc3\x28\"}\n",
        message: "c.jsonl:2: invalid UTF-8",
    },
    Bad {
        name: "invalid UTF-8 in txt",
        file: "d.txt",
        bytes: b"line one\nline \xff two\n",
        message: "d.txt:2: invalid UTF-8",
    },
    Bad {
        name: "corrupt gzip",
        file: "e.jsonl.gz",
        bytes: b"\x1f\x8b\x08\x00garbage",
        message: "e.jsonl.gz:1:",
    },
];

#[test]
fn bad_input_fails_with_file_line_and_reason_and_leaves_no_output() {
    for bad in BAD {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join(bad.file), bad.bytes);
        transnorm(dir.path())
            .args(["normalize", bad.file, "-o", "out.jsonl"])
            .assert()
            .code(1)
            .stderr(
                predicate::str::contains(bad.message)
                    .and(predicate::str::starts_with("transnorm: error: ")),
            );
        assert_eq!(
            listing(dir.path()),
            [bad.file],
            "{}: output or temporary file left",
            bad.name
        );
    }
}

#[test]
fn missing_and_unsupported_files_fail() {
    let dir = tempfile::tempdir().unwrap();
    transnorm(dir.path())
        .args(["normalize", "nope.jsonl", "-o", "out.jsonl"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nope.jsonl: No such file"));
    write(&dir.path().join("x.csv"), b"a,b");
    transnorm(dir.path())
        .args(["normalize", "x.csv", "-o", "out.jsonl"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("x.csv: unsupported input"));
    assert_eq!(listing(dir.path()), ["x.csv"]);
}

#[test]
fn skip_writes_rejects_and_counts_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = Vec::new();
    for (i, bad) in BAD.iter().filter(|b| b.file == "c.jsonl").enumerate() {
        write(&dir.path().join(format!("c{i}.jsonl")), bad.bytes);
    }
    input.extend_from_slice(b"{\"text\":\"fine\"}\n");
    write(&dir.path().join("z.jsonl"), &input);
    transnorm(dir.path())
        .args([
            "normalize",
            ".",
            "missing.txt",
            "--on-error",
            "skip",
            "-o",
            "out.jsonl",
            "--report",
            "report.json",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "rejected, see out.jsonl.rejects.jsonl",
        ));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let rejects = std::fs::read_to_string(dir.path().join("out.jsonl.rejects.jsonl")).unwrap();
    let n = |k: &str| report[k].as_u64().unwrap();
    // c0: 1 good + 1 bad; c1: 1 good + 1 bad; c2: 1 bad; c3: 1 good + 1 bad; z: 1 good; missing.txt: 1 bad.
    assert_eq!((n("records_in"), n("documents"), n("rejected")), (9, 4, 5));
    assert_eq!(n("records_in"), n("documents") + n("rejected"));
    assert_eq!(rejects.lines().count() as u64, n("rejected"));
    for line in rejects.lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        assert!(
            r["file"].is_string()
                && r["line"].is_u64()
                && r["error"].is_string()
                && r["record"].is_string()
        );
    }
    assert!(rejects.contains("missing.txt"));
    let out = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    let docs: std::collections::BTreeSet<&str> = out
        .lines()
        .map(|l| {
            l.split("\"doc\":\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(docs.len(), 4);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["normalize", "--format", "xml"][..],
        &["normalize", "--bogus"],
        &["normalize", "--format", "moses"],
        &["normalize", "--langs", "en,xx"],
        &["normalize", "--on-error", "skip"],
    ] {
        transnorm(dir.path())
            .args(args)
            .write_stdin("")
            .assert()
            .code(2);
    }
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn bad_glossary_rows_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("mine.csv"),
        b"entity,kind,canonical,lang,variant,replace\nx,person,X,,Xx,\ny,person\n",
    );
    transnorm(dir.path())
        .args(["normalize", "--glossary", "mine.csv", "-o", "out.jsonl"])
        .write_stdin("{\"text\":\"a\"}\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "mine.csv:3: expected 6 fields, found 2",
        ));
    write(
        &dir.path().join("conflict.csv"),
        b"entity,kind,canonical,lang,variant,replace\nz,person,Z,,Pashinian,Pashinian\n",
    );
    write(
        &dir.path().join("conflict2.csv"),
        b"entity,kind,canonical,lang,variant,replace\nw,person,W,,Pashinian,W\n",
    );
    transnorm(dir.path())
        .args([
            "normalize",
            "--glossary",
            "conflict.csv",
            "--glossary",
            "conflict2.csv",
        ])
        .write_stdin("")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "conflict2.csv:2: `Pashinian` is already mapped at conflict.csv:2",
        ));
    std::fs::create_dir_all(dir.path().join("boilerplate")).unwrap();
    write(
        &dir.path().join("boilerplate/site.txt"),
        b"# comment\nread more\nshare (on|\n",
    );
    transnorm(dir.path())
        .args(["normalize", "--glossary", "boilerplate/site.txt"])
        .write_stdin("")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "boilerplate/site.txt:3: bad pattern",
        ));
    assert_eq!(
        listing(dir.path()),
        ["boilerplate", "conflict.csv", "conflict2.csv", "mine.csv"]
    );
}

#[test]
fn user_glossaries_override_and_defaults_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("mine.csv"),
        b"entity,kind,canonical,lang,variant,replace\nnikol-pashinyan,person,Nikol Pashinyan,,Pashinian,\nfoo,org,Foo Corp,,Fooo,Foo Corp\n",
    );
    let input = "{\"id\":\"a\",\"text\":\"Pashinian met Fooo and Toqaev.\"}\n";
    let run = |args: &[&str]| {
        let out = transnorm(dir.path())
            .args(["normalize", "--format", "docs", "-q"])
            .args(args)
            .write_stdin(input)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let d: Value = serde_json::from_slice(&out.stdout).unwrap();
        d["text"].as_str().unwrap().to_owned()
    };
    assert_eq!(run(&[]), "Pashinyan met Fooo and Tokayev.");
    assert_eq!(
        run(&["--glossary", "mine.csv"]),
        "Pashinian met Foo Corp and Tokayev."
    );
    assert_eq!(
        run(&["--glossary", "mine.csv", "--no-default-glossaries"]),
        "Pashinian met Foo Corp and Toqaev."
    );
}

#[test]
fn help_explains_the_options() {
    let dir = tempfile::tempdir().unwrap();
    transnorm(dir.path())
        .args(["normalize", "--help"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("--on-error")
                .and(predicate::str::contains("--glossary"))
                .and(predicate::str::contains("stdin")),
        );
}

#[test]
fn broken_pipe_is_a_quiet_success() {
    use std::process::{Command, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("transnorm");
    let mut child = Command::new(bin)
        .args(["normalize", "-q"])
        .arg(root().join("samples/txt"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away at once
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn glossary_folders_are_walked_and_classified() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("mine");
    std::fs::create_dir_all(g.join("boilerplate")).unwrap();
    write(
        &g.join("names.csv"),
        b"entity,kind,canonical,lang,variant,replace\nfoo,org,Foo Corp,,Fooo,Foo Corp\n",
    );
    write(
        &g.join("rules.csv"),
        b"lang,gate,phrase,repair,before\nen,always,Foo Corp,Foo Corporation,\n",
    );
    write(&g.join("boilerplate/site.txt"), b"read our foo policy\n");
    write(&g.join("README.txt"), b"not a list: skipped\n");
    let out = transnorm(dir.path())
        .args(["normalize", "--glossary", "mine", "--format", "docs", "-q"])
        .write_stdin("{\"id\":\"a\",\"text\":\"Fooo grew.\\nRead our Foo policy\\n\"}\n")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["text"], "Foo Corp grew.");
    let rules: Vec<&str> = d["edits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["mine/names.csv:2", "mine/boilerplate/site.txt:1"]);
}

#[test]
fn punctuation_modes() {
    let dir = tempfile::tempdir().unwrap();
    let input = "{\"id\":\"p\",\"text\":\"He said “yes” — twice… Russia , Belarus .\"}\n";
    let run = |mode: &str| {
        let out = transnorm(dir.path())
            .args([
                "normalize",
                "--format",
                "docs",
                "-q",
                "--langs",
                "en",
                "--punct",
                mode,
            ])
            .write_stdin(input)
            .output()
            .unwrap();
        assert!(out.status.success());
        let d: Value = serde_json::from_slice(&out.stdout).unwrap();
        d["text"].as_str().unwrap().to_owned()
    };
    assert_eq!(run("keep"), "He said “yes” — twice… Russia , Belarus .");
    assert_eq!(run("ascii"), "He said \"yes\" - twice... Russia, Belarus.");
    assert_eq!(run("moses"), "He said \"yes\" - twice... Russia, Belarus.");
}

#[test]
fn a_byte_order_mark_and_crlf_in_jsonl_are_fine() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("bom.jsonl"), b"\xef\xbb\xbf{\"id\":\"a\",\"text\":\"Toqaev spoke.\"}\r\n{\"id\":\"b\",\"text\":\"\"}\r\n");
    let out = transnorm(dir.path())
        .args(["normalize", "bom.jsonl", "--format", "docs", "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["text"], "Tokayev spoke.");
    assert_eq!(lines[1]["text"], "");
}

#[test]
fn unseen_spellings_show_their_rule_and_confidence() {
    let dir = tempfile::tempdir().unwrap();
    let run = |mode: &str| -> Value {
        let out = transnorm(dir.path())
            .args(["normalize", "-q", "--langs", "en", "--unseen-names", mode])
            .write_stdin("{\"id\":\"k\",\"text\":\"President Tokajev met the press in Astana.\"}\n")
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let annotated = run("annotate");
    let e = &annotated["entities"][0];
    assert_eq!(
        (e["id"].as_str(), e["rule"].as_str()),
        (Some("kassym-jomart-tokayev"), Some("translit-key"))
    );
    assert!((e["confidence"].as_f64().unwrap() - 0.7).abs() < 1e-6);
    assert_eq!(
        annotated["text"],
        "President Tokajev met the press in Astana."
    );
    assert_eq!(
        run("replace")["text"],
        "President Tokayev met the press in Astana."
    );
    assert_eq!(
        run("off")["entities"].as_array().unwrap().len(),
        1,
        "only Astana"
    );
}
