/* The incident map: a click on the map fills the form's point (no inline script: the CSP
   allows only the map's own hashed script). folium declares the map as a global variable
   named by the form's data-map attribute. */
(function () {
  "use strict";

  function decimals(value) {
    return value.toFixed(5);
  }

  function start() {
    var form = document.getElementById("incident-form");
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
          radius: 8, color: "#ffffff", weight: 2, fillColor: "#C0392B", fillOpacity: 1,
          interactive: false
        }).addTo(map);
      } else {
        marker.setLatLng(point);
      }
    }

    map.on("click", function (event) {
      var point = event.latlng.wrap();
      lat.value = decimals(point.lat);
      lon.value = decimals(point.lng);
      // The map's point replaces any UTM coordinates or address typed before.
      east.value = "";
      north.value = "";
      var address = form.elements.namedItem("address");
      if (address) {
        address.value = "";
      }
      show(point);
      if (picked) {
        picked.textContent = form.getAttribute("data-picked")
          .replace("{lat}", lat.value).replace("{lon}", lon.value);
      }
    });

    // An address chosen in the search (place_search.js): its point, in view.
    form.addEventListener("place-search:chosen", function (event) {
      var point = L.latLng(event.detail.lat, event.detail.lon);
      show(point);
      map.setView(point, Math.max(map.getZoom(), 14));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
