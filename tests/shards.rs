//! Shards and resumable runs: the parts, concatenated in order, are the output of one run; a
//! killed run resumed with `--resume` ends with the same bytes and redoes no complete shard.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};

use crate::util::{listing, root, transnorm};

/// `samples.jsonl` repeated `copies` times with fresh ids, plus records without an id (whose
/// default id carries the line number) and, with `bad`, lines that are not JSON.
fn corpus(dir: &Path, copies: usize, bad: bool) -> PathBuf {
    let samples = std::fs::read_to_string(root().join("samples/jsonl/samples.jsonl")).unwrap();
    let mut out = String::new();
    for c in 0..copies {
        for (j, line) in samples.lines().enumerate() {
            let mut rec: serde_json::Value = serde_json::from_str(line).unwrap();
            if (c + j) % 4 == 0 {
                rec.as_object_mut().unwrap().remove("id");
            } else {
                rec["id"] = format!("copy{c}-{j}").into();
            }
            out.push_str(&rec.to_string());
            out.push('\n');
        }
        if bad && c % 3 == 1 {
            out.push_str("{\"text\": broken\n");
        }
    }
    let p = dir.join("corpus.jsonl");
    std::fs::write(&p, out).unwrap();
    p
}

/// The files of `dir` whose names end in `ext`, concatenated in name (= shard) order.
fn joined(dir: &Path, ext: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for name in listing(dir) {
        if name.ends_with(ext) && !name.ends_with(".manifest.json") {
            out.extend(std::fs::read(dir.join(name)).unwrap());
        }
    }
    out
}

fn manifests(dir: &Path) -> Vec<String> {
    if !dir.exists() {
        return Vec::new();
    }
    listing(dir)
        .into_iter()
        .filter(|n| n.ends_with(".manifest.json"))
        .collect()
}

#[test]
fn shards_concatenated_are_one_run_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let big = corpus(tmp.path(), 6, false);
    let txt = root().join("samples/txt");
    // One file cut at lines (more shards than files), and a folder of whole files.
    for (input, shards) in [(&big, 7), (&txt, 2), (&txt, 5)] {
        for (format, exts) in [
            ("jsonl", &[".jsonl"][..]),
            ("docs", &[".jsonl"]),
            ("tsv", &[".tsv"]),
            ("moses", &[".src", ".norm", ".ids"]),
        ] {
            let tag = format!(
                "{}-{shards}-{format}",
                input.file_name().unwrap().to_string_lossy()
            );
            let dir = tmp.path().join(&tag);
            let single = tmp.path().join(format!("{tag}.single"));
            transnorm(tmp.path())
                .arg("normalize")
                .arg(input)
                .args(["--format", format, "-q", "-o"])
                .arg(&single)
                .assert()
                .success();
            transnorm(tmp.path())
                .arg("normalize")
                .arg(input)
                .args(["--format", format, "-q", "--threads", "2", "--shards"])
                .arg(shards.to_string())
                .arg("--output-dir")
                .arg(&dir)
                .assert()
                .success();
            assert_eq!(manifests(&dir).len(), shards, "{tag}");
            for ext in exts {
                let want = if format == "moses" {
                    let mut p = single.as_os_str().to_owned();
                    p.push(ext);
                    std::fs::read(p).unwrap()
                } else {
                    std::fs::read(&single).unwrap()
                };
                assert!(!want.is_empty(), "{tag}");
                assert!(
                    joined(&dir, ext) == want,
                    "{tag}{ext}: the shards differ from one run"
                );
            }
        }
    }
}

#[test]
fn each_shard_alone_is_the_same_part_and_rejects_are_split_too() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path(), 9, true);
    let single = tmp.path().join("single.jsonl");
    transnorm(tmp.path())
        .arg("normalize")
        .arg(&input)
        .args(["--on-error", "skip", "-q", "-o"])
        .arg(&single)
        .assert()
        .success();
    let dir = tmp.path().join("parts");
    for i in 0..4 {
        transnorm(tmp.path())
            .arg("normalize")
            .arg(&input)
            .args(["--on-error", "skip", "-q", "--shard", &format!("{i}/4")])
            .arg("--output-dir")
            .arg(&dir)
            .assert()
            .success();
    }
    assert_eq!(joined(&dir, "0004.jsonl"), std::fs::read(&single).unwrap());
    let rejects = std::fs::read(tmp.path().join("single.jsonl.rejects.jsonl")).unwrap();
    assert_eq!(String::from_utf8_lossy(&rejects).lines().count(), 3);
    assert_eq!(joined(&dir, ".rejects.jsonl"), rejects);
    // The manifests add up to the input and name their checksums.
    let mut records = 0;
    for name in manifests(&dir) {
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(&name)).unwrap()).unwrap();
        records += m["records_in"].as_u64().unwrap();
        assert_eq!(m["outputs"][0]["sha256"].as_str().unwrap().len(), 64);
    }
    assert_eq!(records, 9 * 5 + 3);
}

#[test]
fn a_killed_run_resumes_to_the_same_output_without_redoing_a_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path(), 160, false);
    let single = tmp.path().join("single.jsonl");
    transnorm(tmp.path())
        .arg("normalize")
        .arg(&input)
        .args(["-q", "-o"])
        .arg(&single)
        .assert()
        .success();

    let shards = 8;
    let dir = tmp.path().join("parts");
    let args = |resume: bool| {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("transnorm"));
        cmd.current_dir(tmp.path())
            .arg("normalize")
            .arg(&input)
            .args(["--threads", "1", "--shards", &shards.to_string()])
            .arg("--output-dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if resume {
            cmd.arg("--resume");
        }
        cmd
    };
    // Kill the run as soon as its first shard is complete.
    let mut child = args(false).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while manifests(&dir).is_empty() {
        assert!(Instant::now() < deadline, "no shard completed");
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().ok();
    child.wait().unwrap();
    let done = manifests(&dir);
    assert!(
        !done.is_empty() && done.len() < shards,
        "the kill must land between shards: {done:?}"
    );
    let stamp = |name: &str| -> SystemTime {
        let part = name.replace(".manifest.json", ".jsonl");
        std::fs::metadata(dir.join(part))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before: Vec<(String, SystemTime)> = done.iter().map(|n| (n.clone(), stamp(n))).collect();

    let out = args(true).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches("skipped").count(), done.len(), "{stderr}");
    for (name, time) in &before {
        assert_eq!(stamp(name), *time, "{name} was written again");
    }
    assert_eq!(manifests(&dir).len(), shards);
    assert!(joined(&dir, ".jsonl") == std::fs::read(&single).unwrap());

    // A resumed run with other options must not mix its parts with these.
    transnorm(tmp.path())
        .arg("normalize")
        .arg(&input)
        .args([
            "--punct",
            "ascii",
            "--shards",
            &shards.to_string(),
            "--resume",
        ])
        .arg("--output-dir")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "part-00000-of-00008.manifest.json: written by a run with other inputs, options",
        ));
}

#[test]
fn shard_arguments_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let input = root().join("samples/txt");
    for args in [
        &["--shard", "4/4", "--output-dir", "d"][..],
        &["--shard", "1/4"],
        &["--shards", "0", "--output-dir", "d"],
        &["--resume"],
        &["-o", "x.jsonl", "--output-dir", "d"],
    ] {
        transnorm(tmp.path())
            .arg("normalize")
            .arg(&input)
            .args(args)
            .assert()
            .code(2);
    }
    transnorm(tmp.path())
        .args(["normalize", "--shards", "2", "--output-dir", "d"])
        .write_stdin("{\"text\":\"a\"}\n")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("standard input cannot be split"));
}
