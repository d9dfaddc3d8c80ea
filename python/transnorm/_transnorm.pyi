"""Type stubs of the native module (built from py/src/lib.rs)."""

from os import PathLike
from typing import Any, Literal, Optional, Sequence, TypedDict, Union

__version__: str

class TransnormError(ValueError):
    """A glossary, option or document transnorm cannot use; the message names the file, line
    and reason, as the command line does."""

class Edit(TypedDict):
    src_span: list[int]
    """[start, end) in the original text, in characters."""
    # `from` is a keyword: read it as edit["from"].
    to: str
    kind: Literal["unicode", "punct", "boilerplate", "name", "artifact"]
    rule: str

class EntityRecord(TypedDict, total=False):
    span: list[int]
    """[start, end) in the normalized text, in characters."""
    id: str
    canonical: str
    kind: str
    rule: str
    confidence: float

class DocsRecord(TypedDict, total=False):
    """The `docs` record of the output contract."""

    id: Optional[str]
    text: str
    src: str
    lang: str
    lang_confidence: float
    edits: list[Edit]
    entities: list[EntityRecord]
    scores: dict[str, float]
    flags: list[dict[str, Any]]

class Pipeline:
    """A configured transnorm pipeline: glossaries loaded and checked, automata compiled once.
    Build one per process (or per Spark/Ray worker) and reuse it."""

    def __init__(
        self,
        glossaries: Optional[Sequence[Union[str, PathLike[str]]]] = None,
        *,
        default_glossaries: bool = True,
        unicode: Literal["nfc", "nfkc"] = "nfc",
        punct: Literal["keep", "ascii", "moses"] = "keep",
        keep_boilerplate: bool = False,
        langs: Optional[Sequence[str]] = None,
        unseen_names: Literal["annotate", "replace", "off"] = "annotate",
        artifacts: Literal["repair", "flag", "off"] = "repair",
        artifact_threshold: float = 1.5,
        threads: int = 0,
    ) -> None:
        """Raises TransnormError for a bad glossary row (file:line: reason) or option value."""

    def normalize(self, text: str, id: Optional[str] = None) -> DocsRecord:
        """Normalizes one document and returns its `docs` record."""

    def normalize_batch(
        self, texts: Sequence[str], ids: Optional[Sequence[Optional[str]]] = None
    ) -> list[DocsRecord]:
        """Normalizes many documents in parallel with the GIL released; results in input order."""

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the version, options and glossaries: equal fingerprints, equal output."""
