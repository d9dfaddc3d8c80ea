//! `transnorm glossary add|check|list|find` and `transnorm explain`, through the real binary.

use predicates::prelude::*;

use crate::util::{root, transnorm};

const HEADER: &str = "entity,kind,canonical,lang,variant,replace\n";

#[test]
fn add_creates_the_file_and_keeps_header_comments_and_order() {
    let dir = tempfile::tempdir().unwrap();
    transnorm(dir.path())
        .args([
            "glossary",
            "add",
            "--to",
            "mine.csv",
            "--variant",
            "Paşinyan",
            "--canonical",
            "Pashinyan",
        ])
        .assert()
        .success()
        .stdout("added mine.csv:2: nikol-pashinyan,person,Nikol Pashinyan,,Paşinyan,Pashinyan\n");
    let existing = format!("# my spellings\n{HEADER}# people\nfoo,org,Foo Corp,,Fooo,Foo Corp\n");
    std::fs::write(dir.path().join("mine.csv"), &existing).unwrap();
    transnorm(dir.path())
        .args([
            "glossary",
            "add",
            "--to",
            "mine.csv",
            "--variant",
            "Pashinian",
            "--canonical",
            "Pashinian",
            "--lang",
            "en",
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("mine.csv")).unwrap();
    assert_eq!(
        text,
        format!("{existing}nikol-pashinyan,person,Nikol Pashinyan,en,Pashinian,\n")
    );
    // The row it wrote is used by the next run.
    transnorm(dir.path())
        .args(["normalize", "--glossary", "mine.csv", "--format", "tsv", "-q", "--langs", "en"])
        .write_stdin("{\"id\":\"a\",\"text\":\"Prime Minister Pashinian said Fooo is a company in Armenia.\"}\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("\tPrime Minister Pashinian said Foo Corp is a company in Armenia.\n"));
}

#[test]
fn add_refuses_duplicates_conflicts_chains_and_common_words() {
    let dir = tempfile::tempdir().unwrap();
    for (args, message) in [
        (
            &["--variant", "Toqaev", "--canonical", "Tokayev"][..],
            "already in the glossary at glossaries/names/people.csv:",
        ),
        (
            &["--variant", "Tokaeff", "--canonical", "Toqaev"],
            "chain: `Toqaev` is itself rewritten to `Tokayev`",
        ),
        (
            &[
                "--variant",
                "Search",
                "--canonical",
                "Search-2024",
                "--kind",
                "event",
            ],
            "common word of `en`",
        ),
        (
            &["--variant", "Zzyzx", "--canonical", "Zzyzx Road"],
            "give its --kind",
        ),
    ] {
        transnorm(dir.path())
            .args(["glossary", "add", "--to", "mine.csv"])
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message));
    }
    assert!(
        !dir.path().join("mine.csv").exists(),
        "nothing written on refusal"
    );
    transnorm(dir.path())
        .args([
            "glossary",
            "add",
            "--to",
            "mine.csv",
            "--variant",
            "Search",
            "--canonical",
            "Search-2024",
            "--kind",
            "event",
            "--force",
        ])
        .assert()
        .success();
}

#[test]
fn corrupted_and_read_only_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = format!("{HEADER}a,person,A,,Aa,\n\"unterminated,x\nb,person\n");
    std::fs::write(dir.path().join("bad.csv"), &bad).unwrap();
    transnorm(dir.path())
        .args(["glossary", "check", "bad.csv"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("bad.csv:3:"));
    transnorm(dir.path())
        .args([
            "glossary",
            "add",
            "--to",
            "bad.csv",
            "--variant",
            "Paşinyan",
            "--canonical",
            "Pashinyan",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.csv:3:"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bad.csv")).unwrap(),
        bad
    );

    let ro = dir.path().join("ro.csv");
    std::fs::write(&ro, HEADER).unwrap();
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms).unwrap();
    transnorm(dir.path())
        .args([
            "glossary",
            "add",
            "--to",
            "ro.csv",
            "--variant",
            "Paşinyan",
            "--canonical",
            "Pashinyan",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("ro.csv: the file is read-only"));
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), HEADER);
}

#[test]
fn concurrent_adds_lose_nothing_and_tear_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("transnorm");
    let children: Vec<_> = (0..12)
        .map(|i| {
            std::process::Command::new(&bin)
                .current_dir(dir.path())
                .args(["glossary", "add", "--to", "shared.csv", "--kind", "person"])
                .args([
                    "--variant",
                    &format!("Qwerty{i}"),
                    "--canonical",
                    &format!("Qwerty Person{i}"),
                ])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let text = std::fs::read_to_string(dir.path().join("shared.csv")).unwrap();
    assert!(text.starts_with(HEADER));
    assert_eq!(text.lines().count(), 13, "{text}");
    for i in 0..12 {
        assert!(
            text.contains(&format!(",Qwerty{i},Qwerty Person{i}\n")),
            "entry {i} lost:\n{text}"
        );
    }
    transnorm(dir.path())
        .args(["glossary", "check", "shared.csv"])
        .assert()
        .success();
}

#[test]
fn dry_run_counts_matches_in_a_corpus_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    transnorm(dir.path())
        .args([
            "glossary",
            "add",
            "--to",
            "mine.csv",
            "--variant",
            "Eurasiatoday.ru",
            "--canonical",
            "Eurasiatoday.ru",
        ])
        .args(["--kind", "org", "--dry-run", "--corpus"])
        .arg(root().join("samples/txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "would add mine.csv:2: eurasiatoday-ru,org,Eurasiatoday.ru,,Eurasiatoday.ru,",
        ))
        .stdout(predicate::str::contains("1 matches in 1 documents"))
        .stdout(predicate::str::contains("002_f6c32bdf33aa97c3: …"));
    assert!(!dir.path().join("mine.csv").exists());
}

#[test]
fn check_list_and_find() {
    let dir = tempfile::tempdir().unwrap();
    transnorm(dir.path())
        .arg("glossary")
        .arg("check")
        .arg(root().join("glossaries"))
        .assert()
        .success();
    transnorm(dir.path())
        .args(["glossary", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\tkassym-jomart-tokayev\tperson\t*\tToqaev\tTokayev\n",
        ));
    transnorm(dir.path())
        .args(["glossary", "find", "Tokaïev"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "[fr] -> kassym-jomart-tokayev (Kassym-Jomart Tokayev, person), kept as written",
        ));
    transnorm(dir.path())
        .args(["glossary", "find", "Nobody"])
        .assert()
        .code(1);
}

#[test]
fn explain_shows_each_edit_with_its_rule() {
    let dir = tempfile::tempdir().unwrap();
    transnorm(dir.path())
        .args(["explain", "--color", "never"])
        .write_stdin("Kazakh President Qasym-Zhomart Toqaev spoke in Almaty.\n")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "[Qasym-Zhomart Toqaev → Kassym-Jomart Tokayev | name glossaries/names/people.csv:7]",
        ));
    transnorm(dir.path())
        .args([
            "explain",
            "--color",
            "never",
            "--doc",
            "003_f2d3f294bb08212c",
        ])
        .arg(root().join("samples/txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "[[ad_1]⏎ → ∅ | boilerplate glossaries/boilerplate/en.txt:3]",
        ));
}
