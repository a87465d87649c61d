"""A folium map as the pieces a page places: links, the map's element, one inline script.

folium renders a whole HTML document whose head sets `html, body` to full height and holds
inline styles; the pages have their own layout and a Content-Security-Policy without
'unsafe-inline'. So the map's own head block is left out (maps.css sizes the map), the links
are kept, and the script's SHA-256 goes into the page's `script-src`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from branca.element import CssLink, JavascriptLink
from folium import Map

from beredskap.register.maps.assets import UnservedAssetsError, use_local_assets

# folium's own head entries that the pages replace (a meta tag and the map's inline styles).
FIGURE_META = "meta_http"


@dataclass(frozen=True)
class EmbeddedMap:
    map_id: str
    stylesheets: tuple[str, ...]
    scripts: tuple[str, ...]
    html: str  # the map's <div>
    script: str  # the content of one inline <script>, exactly as placed in the page

    @property
    def script_hash(self) -> str:
        """The script as a CSP source expression."""
        digest = hashlib.sha256(self.script.encode("utf-8")).digest()
        return f"'sha256-{base64.b64encode(digest).decode()}'"

    @property
    def size(self) -> int:
        return len(self.html.encode()) + len(self.script.encode())


def _local(url: str) -> str:
    if not url.startswith("/") or url.startswith("//"):
        raise UnservedAssetsError(f"a map would load {url} from another host")
    return url


def embed(map_: Map) -> EmbeddedMap:
    """Render the map for a page of ours."""
    use_local_assets(map_)
    figure = map_.get_root()
    figure.render()
    stylesheets: list[str] = []
    scripts: list[str] = []
    for name, element in figure.header._children.items():
        if isinstance(element, CssLink):
            stylesheets.append(_local(element.url))
        elif isinstance(element, JavascriptLink):
            scripts.append(_local(element.url))
        elif name not in (FIGURE_META, map_.get_name()):
            # Anything else in the head would be inline code the CSP does not allow.
            raise UnservedAssetsError(f"unexpected head element {name} in a map")
    # Keep "</" out of the inline script: folium escapes "<" in data, this guards the rest.
    script = figure.script.render()
    if "</script" in script.lower():
        raise ValueError("a map's script contains '</script'")
    return EmbeddedMap(
        map_id=map_.get_name(),
        stylesheets=tuple(stylesheets),
        scripts=tuple(scripts),
        html=figure.html.render(),
        script=script,
    )
