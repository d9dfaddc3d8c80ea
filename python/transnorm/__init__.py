"""transnorm: multilingual news text normalized into a clean corpus aligned to its source.

    >>> import transnorm
    >>> p = transnorm.Pipeline()
    >>> rec = p.normalize("Kazakh President Qasym-Zhomart Toqaev spoke.", id="a")
    >>> rec["text"]
    'Kazakh President Kassym-Jomart Tokayev spoke.'

`Pipeline.normalize_batch` runs many documents in parallel with the GIL released; each result
is the `docs` record of the output contract (see the project README), the same bytes of
information that `transnorm normalize --format docs` writes.
"""

from ._transnorm import Pipeline, TransnormError, __version__

__all__ = ["Pipeline", "TransnormError", "__version__"]
