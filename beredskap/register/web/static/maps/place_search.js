/* The address search of the incident map and the callout form: the WAI-ARIA 1.2 combobox
   pattern (list autocomplete) over GET /api/v1/places.

   The markup (templates/place_search.html) is a plain text field named "address" that the
   server looks up when the form is sent without a script; this script makes it a combobox:
   role=combobox with aria-expanded, aria-controls and aria-activedescendant, a listbox of
   options, a status region announcing how many were found. Keys: ArrowDown/ArrowUp move
   through the options (ArrowDown opens the list), Enter chooses, Escape closes the list (and
   clears the field when it is closed), Tab leaves it. Choosing fills the form's lat and lon
   (and empties east and north), fires "change" on them, and sends "place-search:chosen" on
   the form with {lat, lon, label} for a map to move its marker. Every text shown comes from
   the markup's data attributes, so it is in the page's language. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var MIN_CHARACTERS = 2;
  var LIMIT = 8;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function setUp(root) {
    var input = root.querySelector("input");
    var list = root.querySelector("[role=listbox]");
    var status = root.querySelector("[role=status]");
    var hint = root.querySelector(".hint");
    var form = input ? input.form : null;
    if (!list || !status || !form) {
      return;
    }
    var url = root.getAttribute("data-url");
    var text = function (name) { return root.getAttribute("data-" + name) || ""; };
    var results = [];
    var active = -1;
    var timer = null;
    var pending = null;
    var asked = "";
    var filled = null; // the coordinates a choice wrote, while they are still there

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    if (hint && text("hint")) {
      hint.textContent = text("hint");
    }

    function announce(message) {
      status.textContent = message;
    }

    function open() {
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
      mark();
    }

    function mark() {
      var options = list.children;
      for (var i = 0; i < options.length; i += 1) {
        var on = i === active;
        options[i].setAttribute("aria-selected", on ? "true" : "false");
        options[i].classList.toggle("place-search__option--active", on);
      }
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(found) {
      results = found;
      active = -1;
      list.textContent = "";
      found.forEach(function (place, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "place-search__option";
        option.textContent = place.label;
        // mousedown, not click: the input keeps the focus (and the list stays open) until
        // the choice is made.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(index);
        });
        list.appendChild(option);
      });
      if (found.length === 0) {
        close();
        announce(text("none"));
      } else {
        open();
        announce(fill(found.length === 1 ? text("one") : text("many"), { count: found.length }));
      }
    }

    function field(name) {
      var found = form.elements.namedItem(name);
      return found && "value" in found ? found : null;
    }

    function setField(name, value) {
      var target = field(name);
      if (target) {
        target.value = value;
        target.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    function value(name) {
      var target = field(name);
      return target ? target.value : "";
    }

    // The address typed again after a choice: the coordinates the choice wrote no longer
    // belong to it (the server then looks up what is typed, if nothing is chosen).
    function forgetChoice() {
      if (filled && value("lat") === filled.lat && value("lon") === filled.lon) {
        setField("lat", "");
        setField("lon", "");
      }
      filled = null;
    }

    function choose(index) {
      var place = results[index];
      if (!place) {
        return;
      }
      input.value = place.label;
      asked = place.label;
      close();
      filled = { lat: place.lat.toFixed(6), lon: place.lon.toFixed(6) };
      setField("lat", filled.lat);
      setField("lon", filled.lon);
      // The address's point replaces any UTM coordinates typed before.
      setField("east", "");
      setField("north", "");
      announce(fill(text("chosen"), { label: place.label }));
      form.dispatchEvent(new CustomEvent("place-search:chosen", {
        detail: { lat: place.lat, lon: place.lon, label: place.label }
      }));
    }

    function ask() {
      var query = input.value.trim();
      if (query === asked) {
        return;
      }
      asked = query;
      if (pending) {
        pending.abort();
      }
      if (query.length < MIN_CHARACTERS) {
        results = [];
        list.textContent = "";
        close();
        announce("");
        return;
      }
      pending = new AbortController();
      var address = url + "?" + new URLSearchParams({ q: query.slice(0, 100), limit: LIMIT });
      fetch(address, {
        credentials: "same-origin",
        headers: { accept: "application/json" },
        signal: pending.signal
      }).then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      }).then(function (body) {
        if (input.value.trim() === query) {
          show(body.results || []);
        }
      }).catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        results = [];
        list.textContent = "";
        close();
        announce(text("failed"));
      });
    }

    input.addEventListener("input", function () {
      if (filled) {
        forgetChoice();
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var count = results.length;
      switch (event.key) {
        case "ArrowDown":
          if (!count) {
            return;
          }
          event.preventDefault();
          if (list.hidden) {
            open();
            active = event.altKey ? -1 : 0;
          } else if (!event.altKey) {
            active = (active + 1) % count;
          }
          mark();
          break;
        case "ArrowUp":
          if (!count) {
            return;
          }
          event.preventDefault();
          if (list.hidden) {
            open();
            active = count - 1;
          } else {
            active = active <= 0 ? count - 1 : active - 1;
          }
          mark();
          break;
        case "Enter":
          // With an option active Enter chooses it, and does not send the form.
          if (!list.hidden && active >= 0) {
            event.preventDefault();
            choose(active);
          }
          break;
        case "Escape":
          if (!list.hidden) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            asked = "";
            results = [];
            list.textContent = "";
            announce("");
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", function () {
      close();
    });
  }

  function start() {
    var roots = document.querySelectorAll("[data-place-search]");
    for (var i = 0; i < roots.length; i += 1) {
      setUp(roots[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
