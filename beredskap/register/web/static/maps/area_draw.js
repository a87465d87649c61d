/* An agreement's service area drawn on the map: each click adds a corner, and the polygon so
   far is written as GeoJSON into the form's text field (which is the way without a map: a
   file or pasted GeoJSON). "Undo" and "Start again" appear only with this script. A stored
   area is shown dashed. No inline script: the CSP allows only the map's own hashed script;
   folium declares the map as a global variable named by the form's data-map attribute. */
(function () {
  "use strict";

  function round(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  function start() {
    var form = document.querySelector("form[data-map]");
    if (!form) {
      return;
    }
    // A file over the limit is refused before it is sent (the server refuses it too).
    var file = form.elements.namedItem("service_area_file");
    var tooBig = document.getElementById("area-file-too-big");
    if (file && tooBig && file.files) {
      file.addEventListener("change", function () {
        var limit = parseInt(file.getAttribute("data-max-bytes"), 10);
        var big = file.files.length > 0 && file.files[0].size > limit;
        tooBig.hidden = !big;
        if (big) {
          file.value = "";
          file.setAttribute("aria-invalid", "true");
          file.setAttribute("aria-describedby", "area-file-too-big f-service_area-hint");
          file.focus();
        }
      });
    }
    var map = window[form.getAttribute("data-map")];
    var field = form.elements.namedItem("service_area");
    if (!map || typeof map.on !== "function" || !field) {
      return;
    }
    var tools = form.querySelector(".area-draw");
    var status = document.getElementById("area-points");
    var corners = [];
    var drawn = null;
    map.getContainer().classList.add("map-pick");
    if (tools) {
      tools.hidden = false;
    }

    var stored = document.getElementById("stored-area");
    if (stored) {
      try {
        var layer = L.geoJSON(JSON.parse(stored.textContent), {
          interactive: false,
          style: { color: "#5B6770", weight: 2, dashArray: "6 4", fillOpacity: 0.08 }
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { maxZoom: 13 });
      } catch (ignored) {
        /* the page says the stored area in words */
      }
    }

    function write() {
      if (drawn !== null) {
        map.removeLayer(drawn);
        drawn = null;
      }
      if (corners.length >= 2) {
        drawn = L.polygon(corners, {
          color: "#1F5FA8", weight: 3, fillOpacity: 0.15, interactive: false
        }).addTo(map);
      }
      if (corners.length >= 3) {
        var ring = corners.map(function (c) { return [round(c.lng), round(c.lat)]; });
        ring.push(ring[0]);
        field.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      } else if (corners.length === 0 || field.getAttribute("data-drawn") === "1") {
        field.value = "";
      }
      field.setAttribute("data-drawn", corners.length ? "1" : "");
      if (status) {
        status.textContent = form.getAttribute("data-points")
          .replace("{count}", String(corners.length));
      }
    }

    map.on("click", function (event) {
      corners.push(event.latlng.wrap());
      write();
    });
    form.addEventListener("click", function (event) {
      var action = event.target.getAttribute && event.target.getAttribute("data-area");
      if (action === "undo") {
        corners.pop();
        write();
      } else if (action === "clear") {
        corners = [];
        write();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
