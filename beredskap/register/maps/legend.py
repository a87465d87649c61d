"""The legend: a Leaflet control holding HTML the page rendered (translated, escaped)."""

from __future__ import annotations

from folium.elements import MacroElement
from folium.template import Template

# Colours that stay apart for most colour-blind readers (Okabe-Ito, then Tol's muted set),
# in the order categories are listed; text in the legend and popups always names them too.
CATEGORY_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#332288",
    "#882255",
    "#117733",
    "#999933",
    "#AA4499",
    "#44AA99",
    "#661100",
    "#555555",
)
AGREEMENT_COLOUR = "#6A3D9A"
INCIDENT_COLOUR = "#C0392B"
VOLUNTEER_COLOUR = "#1B7837"


def colour_of(index: int) -> str:
    return CATEGORY_COLOURS[index % len(CATEGORY_COLOURS)]


class Legend(MacroElement):
    """A collapsible legend in a map corner (a `<details>`, folded on narrow screens).
    `html` must be safe markup without inline styles (the pages' CSP forbids them): colours
    go in SVG `fill` attributes."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (map) {
                var legend = L.control({position: {{ this.position|tojson }}});
                legend.onAdd = function () {
                    var box = L.DomUtil.create("div", "map-legend");
                    box.innerHTML = {{ this.html|tojson }};
                    // On a phone an open legend would hide the map: it starts folded there.
                    var folded = box.querySelector("details[open]");
                    if (folded && window.matchMedia("(max-width: 40rem)").matches) {
                        folded.removeAttribute("open");
                    }
                    L.DomEvent.disableClickPropagation(box);
                    L.DomEvent.disableScrollPropagation(box);
                    return box;
                };
                legend.addTo(map);
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.html = str(html)
        self.position = position
