/* A form's place picked on the map: a click fills the latitude and longitude (and empties
   the UTM fields), and typed coordinates move the marker. No inline script: the CSP allows
   only the map's own hashed script. folium declares the map as a global variable named by
   the form's data-map attribute. */
(function () {
  "use strict";

  function decimals(value) {
    return value.toFixed(6);
  }

  function number(input) {
    var text = (input.value || "").trim().replace(",", ".");
    return /^[+-]?\d{1,3}(\.\d+)?$/.test(text) ? parseFloat(text) : null;
  }

  function start() {
    var form = document.querySelector("form[data-map]");
    if (!form) {
      return;
    }
    var map = window[form.getAttribute("data-map")];
    if (!map || typeof map.on !== "function") {
      return;
    }
    var lat = form.elements.namedItem("lat");
    var lon = form.elements.namedItem("lon");
    var east = form.elements.namedItem("east");
    var north = form.elements.namedItem("north");
    var picked = document.getElementById("picked");
    var marker = null;
    map.getContainer().classList.add("map-pick");

    function show(point) {
      if (marker === null) {
        marker = L.circleMarker(point, {
          radius: 8, color: "#ffffff", weight: 2, fillColor: "#1F5FA8", fillOpacity: 1,
          interactive: false
        }).addTo(map);
      } else {
        marker.setLatLng(point);
      }
    }

    function typed() {
      var a = number(lat);
      var b = number(lon);
      if (a !== null && b !== null && a >= -90 && a <= 90 && b >= -180 && b <= 180) {
        show([a, b]);
      }
    }

    typed();
    lat.addEventListener("change", typed);
    lon.addEventListener("change", typed);

    map.on("click", function (event) {
      var point = event.latlng.wrap();
      lat.value = decimals(point.lat);
      lon.value = decimals(point.lng);
      // The map's point replaces any UTM coordinates typed before.
      if (east) { east.value = ""; }
      if (north) { north.value = ""; }
      show(point);
      if (picked) {
        picked.textContent = form.getAttribute("data-picked")
          .replace("{lat}", lat.value).replace("{lon}", lon.value);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
