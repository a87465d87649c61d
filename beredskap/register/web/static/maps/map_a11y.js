/* Leaflet for keyboard and screen-reader users on every map page (WCAG 2.1.1, 3.1.2, 1.4.13):
   the zoom buttons and the layer control in the page's language (texts from the template's
   data attributes), the layer control a real button that opens on click or Enter, never on
   hover, and closes with Esc; clusters named by what they hold ("5 steder"), not "5"; every
   shape with a popup focusable, named and opened by Enter or Space.
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

  // Every shape with a popup (a circle, an area, a square of the council's grid) is focusable,
  // a button named in words, and opens its popup on Enter or Space, as a marker does (WCAG
  // 2.1.1, 1.1.1); a shape without a popup stays out of the tab order. The name is the
  // layer's `accessibleName` option, else its GeoJSON feature's `properties.name`. Markers
  // are focusable already (Leaflet): they get the name as their label. Set on every add:
  // clusters and layer toggles re-add layers, and Leaflet draws a new element each time.
  function accessibleName(layer) {
    var properties = layer.feature && layer.feature.properties;
    return layer.options.accessibleName || (properties && properties.name) || "";
  }

  function isKey(event) {
    return event.key === "Enter" || event.key === " ";
  }

  // A popup opened by the keyboard takes the focus (its text is read from the start, its
  // links are one Tab away, not after every other shape); Esc closes it and the focus goes
  // back to what opened it.
  function popupOpened(event) {
    var layer = this;
    if (!layer._openedByKey) {
      return;
    }
    layer._openedByKey = false;
    var box = event.popup.getElement();
    if (!box) {
      return;
    }
    var content = box.querySelector(".leaflet-popup-content") || box;
    content.setAttribute("tabindex", "-1");
    content.focus({preventScroll: true});
    function escape(keydown) {
      if (keydown.key === "Escape") {
        L.DomEvent.stop(keydown);
        layer.closePopup();
      }
    }
    L.DomEvent.on(box, "keydown", escape);
    layer.once("popupclose", function () {
      L.DomEvent.off(box, "keydown", escape);
      var node = layer.getElement();
      var focus = document.activeElement;
      if (node && (!focus || focus === document.body || box.contains(focus))) {
        node.focus({preventScroll: true});
      }
    });
  }

  function operable() {
    var layer = this;
    var node = layer.getElement ? layer.getElement() : null;
    var name = accessibleName(layer);
    if (!node || node._operable) {
      return;
    }
    node._operable = true;
    if (name) {
      node.setAttribute("aria-label", name);
    }
    if (!layer.getPopup()) {
      return;
    }
    if (layer instanceof L.Marker) {
      // Leaflet opens a marker's popup on Enter; it is told that a key did.
      L.DomEvent.on(node, "keydown", function (event) {
        layer._openedByKey = event.key === "Enter";
      });
      return;
    }
    if (!layer.options.interactive) {
      return;
    }
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    L.DomEvent.on(node, "keydown", function (event) {
      if (isKey(event)) {
        L.DomEvent.stop(event);
        layer._openedByKey = true;
        layer.openPopup(); // at the shape's centre
      }
    });
  }

  function hook() {
    this.on("add", operable, this);
    this.on("popupopen", popupOpened, this);
  }
  L.Path.addInitHook(hook);
  L.Marker.addInitHook(hook);

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
