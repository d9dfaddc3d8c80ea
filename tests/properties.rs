//! Property tests: the alignment invariant on random documents with random glossaries,
//! including non-ASCII text, combining characters, invisible characters, boilerplate lines and
//! overlapping candidate matches.

use proptest::prelude::*;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use transnorm::glossary::{DataFile, DataSet, FileKind};
use transnorm::io::output::{render, OutputFormat};
use transnorm::{apply_edits, Document, Options, Pipeline};

use crate::invariant::{check_doc, check_segments};

/// Pieces random documents are made of: words that glossary variants are also drawn from (so
/// matches overlap and nest), non-ASCII and decomposed letters, invisible and exotic spaces,
/// entities, punctuation, line breaks and whole boilerplate lines.
const PIECES: &[&str] = &[
    "Toqaev",
    "Toqaev's",
    "Kassym",
    "Kassym-Jomart",
    "Jomart",
    "Tokayev",
    "Erevan",
    "Erevanè",
    "Токаев",
    "Токаеву",
    "cafe\u{301}",
    "e\u{301}\u{323}",
    "Ka\u{200b}zakh",
    "CS\u{ad}TO",
    "\u{a0}",
    "\u{2009}",
    "&amp;",
    "&#8217;",
    "  ",
    "\t",
    " ",
    " ",
    " ",
    ". ",
    "! ",
    "? ",
    "“",
    "”",
    "’s",
    "\n",
    "\n\n",
    "\r\n",
    "\n[ad_1]\n",
    "\nSource link",
    "\nCategories:\n",
    "\n© Mil.ru\n",
    ")\n",
    "the",
    "folks",
    "12 months",
    "final week",
    "Collective Safety Treaty Group",
    "Mr.",
    "A.",
    "U.S.",
    "3.6",
    "…",
    "\u{1}",
    "日本語",
];

const VARIANTS: &[&str] = &[
    "Toqaev",
    "Kassym-Jomart",
    "Kassym-Jomart Tokayev",
    "Jomart",
    "Tokayev",
    "Erevan",
    "Токаев",
    "Kazakh",
    "CSTO",
    "e\u{301}",
    "Toqaev's",
    "Kassym",
];

fn doc() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|p| p.concat())
}

fn glossary() -> impl Strategy<Value = String> {
    let row = (
        prop::sample::select(VARIANTS),
        prop::sample::select(VARIANTS),
        any::<bool>(),
        0..3usize,
    );
    prop::collection::vec(row, 0..10).prop_map(|rows| {
        let mut csv = String::from("entity,kind,canonical,lang,variant,replace\n");
        let mut seen = std::collections::HashSet::new();
        for (i, (variant, to, keep, lang)) in rows.into_iter().enumerate() {
            let lang = ["", "en", "it"][lang];
            if !seen.insert((variant, lang)) {
                continue;
            }
            let to = if keep { "" } else { to };
            csv.push_str(&format!("e{i},person,E {i},{lang},{variant},{to}\n"));
        }
        csv
    })
}

fn pipeline(names_csv: &str) -> Pipeline {
    let mut data = DataSet::defaults();
    data.files.retain(|f| f.kind != FileKind::Names);
    data.files.push(DataFile {
        path: "random.csv".into(),
        text: names_csv.to_owned(),
        kind: FileKind::Names,
        default: false,
    });
    Pipeline::with_data(&data, &Options::default()).expect("random glossary loads")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn edits_applied_to_the_source_give_the_text(src in doc(), csv in glossary()) {
        let p = pipeline(&csv);
        let d = p.normalize("p", &src).unwrap();
        // In bytes, in the library.
        prop_assert_eq!(apply_edits(d.src(), 0, d.log.edits()), d.text());
        for w in d.log.edits().windows(2) {
            prop_assert!(w[0].src.end <= w[1].src.start, "edits overlap or are out of order");
        }
        for e in d.log.edits() {
            prop_assert!(d.src().is_char_boundary(e.src.start) && d.src().is_char_boundary(e.src.end));
        }
        // The text is NFC wherever it came from.
        let nfc: String = d.text().nfc().collect();
        prop_assert_eq!(&nfc, d.text());
        // In characters, in every output format that carries offsets.
        let segs: Vec<Value> = String::from_utf8(render(&d, OutputFormat::Jsonl).main).unwrap()
            .lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        check_segments(&src, &segs);
        let docs: Value = serde_json::from_slice(&render(&d, OutputFormat::Docs).main).unwrap();
        check_doc(&docs);
        // Entities point at real text.
        for e in &d.entities {
            prop_assert!(e.src.start < e.src.end && e.src.end <= src.len());
        }
    }

    #[test]
    fn a_group_run_stage_by_stage_gives_each_document_what_it_gets_alone(
        srcs in prop::collection::vec(doc(), 0..6),
        csv in glossary(),
    ) {
        let p = pipeline(&csv);
        let mut group: Vec<Document> =
            srcs.iter().map(|s| Document::new("g", s.as_str())).collect();
        for result in p.run_batch(&mut group) {
            prop_assert!(result.is_ok());
        }
        prop_assert_eq!(group.len(), srcs.len());
        for (d, src) in group.iter().zip(&srcs) {
            let alone = p.normalize("g", src).unwrap();
            for format in [OutputFormat::Jsonl, OutputFormat::Docs] {
                prop_assert_eq!(&render(d, format).main, &render(&alone, format).main);
            }
        }
    }

    #[test]
    fn hygiene_nfc_agrees_with_whole_string_nfc(src in "\\PC{0,40}") {
        static BARE: std::sync::LazyLock<Pipeline> = std::sync::LazyLock::new(|| {
            let opts = Options { keep_boilerplate: true, ..Options::default() };
            Pipeline::with_data(&DataSet::default(), &opts).unwrap()
        });
        let d = BARE.normalize("n", &src).unwrap();
        let nfc: String = d.text().nfc().collect();
        prop_assert_eq!(&nfc, d.text());
    }
}
