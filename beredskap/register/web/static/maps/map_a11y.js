/* Leaflet for keyboard and screen-reader users on every map page (WCAG 2.1.1, 3.1.2, 1.4.13):
   the zoom buttons and the layer control in the page's language (texts from the template's
   data attributes), the layer control a real button that opens on click or Enter, never on
   hover, and closes with Esc; clusters named by what they hold ("5 steder"), not "5".
   Loaded after Leaflet and before the map is made, so every map gets it. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!window.L || !script) {
    return;
  }
  var t = script.dataset;
  var numbers = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-GB" : "nb-NO");

  function places(count) {
    return (count === 1 ? t.place : t.places).replace("%(count)s", numbers.format(count));
  }

  function label(button, text) {
    if (button && text) {
      button.title = text;
      button.setAttribute("aria-label", text);
    }
  }

  L.Map.addInitHook(function () {
    var zoom = this.zoomControl;
    if (zoom) {
      label(zoom._zoomInButton, t.zoomIn);
      label(zoom._zoomOutButton, t.zoomOut);
    }
  });

  // The layer control: its link made a button; hover no longer opens it.
  var onAdd = L.Control.Layers.prototype.onAdd;
  L.Control.Layers.prototype.onAdd = function (map) {
    var container = onAdd.call(this, map);
    var control = this;
    L.DomEvent.off(container, {mouseenter: control._expandSafely, mouseleave: control.collapse}, control);
    var link = control._layersLink;
    var button = L.DomUtil.create("button", "leaflet-control-layers-toggle");
    button.type = "button";
    label(button, t.layers);
    button.setAttribute("aria-expanded", "false");
    control._section.id = control._section.id || "map-layers-" + L.stamp(control);
    button.setAttribute("aria-controls", control._section.id);
    container.removeAttribute("aria-haspopup");
    container.insertBefore(button, link);
    container.removeChild(link);
    control._layersLink = button;
    var expand = control.expand, collapse = control.collapse;
    control.expand = function () {
      expand.call(control);
      button.setAttribute("aria-expanded", "true");
      return control;
    };
    control.collapse = function () {
      collapse.call(control);
      button.setAttribute("aria-expanded", "false");
      return control;
    };
    map.off("click", collapse, control);
    map.on("click", control.collapse, control);
    L.DomEvent.on(button, "click", function (event) {
      L.DomEvent.stop(event);
      if (button.getAttribute("aria-expanded") === "true") {
        control.collapse();
      } else {
        control.expand();
      }
    });
    L.DomEvent.on(container, "keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        L.DomEvent.stop(event);
        control.collapse();
        button.focus();
      }
    });
    if (!control.options.collapsed) {
      control.expand();
    }
    return container;
  };

  // Clusters say how many places they hold; the number alone stays visible.
  if (L.MarkerClusterGroup) {
    L.MarkerClusterGroup.prototype._defaultIconCreateFunction = function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      var html = document.createElement("div");
      var shown = html.appendChild(document.createElement("span"));
      shown.setAttribute("aria-hidden", "true");
      shown.textContent = numbers.format(count);
      var name = html.appendChild(document.createElement("span"));
      name.className = "visually-hidden";
      name.textContent = places(count);
      return new L.DivIcon({
        html: html, className: "marker-cluster marker-cluster-" + size, iconSize: new L.Point(40, 40)
      });
    };
  }
})();
