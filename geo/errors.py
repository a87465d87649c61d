"""The toolkit's refusals carry a code and parameters, not only words.

`code` is the message's English template with `%(name)s` placeholders (one of the constants
beside each error class) and `params` fill it in; `str(error)` is the English text. The
register turns a code into its own translated message (`beredskap.platform.geo_errors`), so
nothing matches these words to find a translation.
"""

from __future__ import annotations


class GeoError(ValueError):
    """A spatial value the toolkit refuses, as a code and its parameters."""

    def __init__(self, code: str, **params: str | int | float) -> None:
        self.code = code
        self.params = params
        super().__init__(code % params if params else code)
