/* The reach panel of the council map and the incident map (templates/maps/reach_panel.html).

   - Draws the reach circle from the result's data attributes (data-lat, data-lon,
     data-radius in metres) on the page's folium map (a global named by the section's
     data-map), and fits the map to it unless the section says data-fit="false".
   - The council map's own form (#reach-form): a click on the map fills its latitude and
     longitude (and empties the address); an address chosen in the place search
     (place_search.js) moves the map there. Sending it fetches the same page and swaps in
     only the result, so focus stays where it was; the status region (#reach-status) then
     says the result in one sentence, and an error summary gets focus. Without fetch, or
     when it fails, the form is sent as an ordinary GET.
   Every text comes from the markup, in the page's language. */
(function () {
  "use strict";

  var FIELDS = ["address", "lat", "lon", "minutes"];

  function start() {
    var section = document.getElementById("reach");
    if (!section) {
      return;
    }
    var map = window[section.getAttribute("data-map")];
    var hasMap = map && typeof map.addLayer === "function" && window.L;
    var drawn = hasMap ? L.layerGroup().addTo(map) : null;
    // The incident map keeps its own view (its radius and results); the council map is
    // fitted to the circle.
    var fits = section.getAttribute("data-fit") !== "false";
    var status = document.getElementById("reach-status");

    function draw(fit) {
      if (!hasMap) {
        return;
      }
      drawn.clearLayers();
      var result = document.getElementById("reach-result");
      if (!result || !result.hasAttribute("data-radius")) {
        return;
      }
      var point = L.latLng(parseFloat(result.getAttribute("data-lat")),
                           parseFloat(result.getAttribute("data-lon")));
      var circle = L.circle(point, {
        radius: parseFloat(result.getAttribute("data-radius")),
        color: "#1F4E79", weight: 3, dashArray: "8 6", fillColor: "#1F4E79", fillOpacity: 0.06,
        interactive: false
      }).addTo(drawn);
      L.circleMarker(point, {
        radius: 6, color: "#ffffff", weight: 2, fillColor: "#1F4E79", fillOpacity: 1,
        interactive: false
      }).addTo(drawn);
      if (fit && fits) {
        var bounds = circle.getBounds();
        var go = function () { map.fitBounds(bounds, { padding: [12, 12], animate: false }); };
        // Leaflet drops a new view asked for during a zoom animation (folium's own fit).
        if (map._animatingZoom) {
          map.once("zoomend", go);
        } else {
          go();
        }
      }
    }
    // After the page's own scripts have placed the map (layers.js fits it to its squares).
    if (document.readyState === "complete") {
      draw(true);
    } else {
      window.addEventListener("load", function () { draw(true); });
    }

    var form = document.getElementById("reach-form");
    if (!form) {
      return;
    }
    var text = function (name) { return form.getAttribute("data-" + name) || ""; };

    if (hasMap) {
      var picked = document.getElementById("reach-picked");
      map.on("click", function (event) {
        var point = event.latlng.wrap();
        form.elements.namedItem("lat").value = point.lat.toFixed(5);
        form.elements.namedItem("lon").value = point.lng.toFixed(5);
        var address = form.elements.namedItem("address");
        if (address) {
          address.value = "";
        }
        if (picked) {
          picked.textContent = text("picked")
            .replace("{lat}", point.lat.toFixed(5)).replace("{lon}", point.lng.toFixed(5));
        }
      });
      form.addEventListener("place-search:chosen", function (event) {
        map.setView(L.latLng(event.detail.lat, event.detail.lon), Math.max(map.getZoom(), 12));
      });
    }

    function markFields(result) {
      var wrong = (result.getAttribute("data-errors") || "").split(" ");
      FIELDS.forEach(function (name) {
        var input = form.elements.namedItem(name);
        if (!input || !input.setAttribute) {
          return;
        }
        if (wrong.indexOf(name) >= 0) {
          input.setAttribute("aria-invalid", "true");
        } else {
          input.removeAttribute("aria-invalid");
        }
      });
    }

    if (!window.fetch || !window.DOMParser || !window.URLSearchParams || !window.FormData) {
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = form.getAttribute("action").split("#")[0] + "?" +
        new URLSearchParams(new FormData(form)).toString();
      if (status) {
        status.textContent = text("busy");
      }
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html")
            .getElementById("reach-result");
          var old = document.getElementById("reach-result");
          if (!fresh || !old) {
            throw new Error("no result in the page");
          }
          var adopted = document.importNode(fresh, true);
          old.parentNode.replaceChild(adopted, old);
          markFields(adopted);
          if (window.history && window.history.replaceState) {
            window.history.replaceState(null, "", url + "#reach");
          }
          draw(true);
          if (status) {
            status.textContent = adopted.getAttribute("data-summary") || "";
          }
          var errors = document.getElementById("reach-errors");
          if (errors) {
            errors.focus();
          }
        })
        .catch(function () {
          if (status) {
            status.textContent = text("failed");
          }
          form.submit();
        });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
