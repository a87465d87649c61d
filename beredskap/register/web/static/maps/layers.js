/* The overview's points and the council's squares, built in the browser from compact rows
   (beredskap/maps/rows.py and council.py write them): one Leaflet object per row, popups made
   only when opened, every text set as text, never parsed as HTML. Labels arrive translated. */
(function () {
  "use strict";

  var numbers = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-GB" : "nb-NO");

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function organisationLink(id, name, fallback) {
    if (id === null || id === undefined) {
      return document.createTextNode(fallback);
    }
    var link = element("a", null, name);
    link.href = "/organisations/" + Number(id);
    return link;
  }

  function counted(forms, count) {
    return (count === 1 ? forms[0] : forms[1]).replace("%(count)s", numbers.format(count));
  }

  function popup(title) {
    var box = element("div", "map-popup");
    box.appendChild(element("h2", "map-popup__title", title));
    return box;
  }

  function paragraph(box, className) {
    return box.appendChild(element("p", className));
  }

  // A table of {lines, items} per kind; `counts` is flat: lines, items, lines, items, ...
  function countsTable(caption, labels, counts, t) {
    var table = element("table", "map-popup__table");
    table.appendChild(element("caption", null, caption));
    var head = table.appendChild(element("thead")).appendChild(element("tr"));
    var kind = head.appendChild(element("th"));
    kind.appendChild(element("span", "visually-hidden", t.kindHeader));
    head.appendChild(element("th", "num", t.linesHeader));
    head.appendChild(element("th", "num", t.itemsHeader));
    var body = table.appendChild(element("tbody"));
    for (var i = 0; i < labels.length; i++) {
      if (!counts[2 * i]) {
        continue;
      }
      var row = body.appendChild(element("tr"));
      row.appendChild(element("th", null, labels[i])).scope = "row";
      row.appendChild(element("td", "num", numbers.format(counts[2 * i])));
      row.appendChild(element("td", "num", numbers.format(counts[2 * i + 1])));
    }
    return table;
  }

  var popups = {
    // [lat, lon, category, id, name, organisation number, sites, the municipality's own (1/0),
    //  contact name, phone, e-mail]
    organisation: function (row, t) {
      var box = element("div", "map-popup");
      var title = box.appendChild(element("h2", "map-popup__title"));
      title.appendChild(organisationLink(row[3], row[4], row[4]));
      var meta = paragraph(box, "map-popup__meta");
      meta.textContent = (row[7] ? t.municipal + " · " : "") + t.categories[row[2]] +
        (row[5] ? " · " + t.organisationNumber.replace("%(number)s", row[5]) : "");
      paragraph(box).textContent = counted(t.sites, row[6]);
      if (row[8] || row[9] || row[10]) {
        var contact = paragraph(box);
        contact.appendChild(element("strong", null, t.contact));
        if (row[8]) {
          contact.appendChild(element("br"));
          contact.appendChild(document.createTextNode(row[8]));
        }
        if (row[9]) {
          contact.appendChild(element("br"));
          var phone = contact.appendChild(element("a", "phone", row[9]));
          phone.href = "tel:" + String(row[9]).replace(/[^+0-9]/g, "");
        }
        if (row[10]) {
          contact.appendChild(element("br"));
          var mail = contact.appendChild(element("a", null, row[10]));
          mail.href = "mailto:" + row[10]; // a validated address; the scheme is ours
        }
      }
      return box;
    },

    // [lat, lon, category, name, address, open 24/7 (1/0), organisation id, organisation,
    //  the municipality's own (1/0)]
    site: function (row, t) {
      var box = popup(row[3]);
      paragraph(box, "map-popup__meta").textContent = t.kind + (row[5] ? " · " + t.open : "") +
        (row[8] && row[6] ? " · " + t.municipal : "");
      if (row[4]) {
        paragraph(box).textContent = row[4];
      }
      paragraph(box).appendChild(organisationLink(row[6], row[7], t.municipality));
      return box;
    },

    // [lat, lon, lines, site, organisation id, organisation, by capability, by status,
    //  [lines, items] past their inspection date, the municipality's own site (1/0)]
    equipment: function (row, t) {
      var box = popup(row[3]);
      var owner = paragraph(box, "map-popup__meta");
      owner.appendChild(organisationLink(row[4], row[5], t.municipality));
      if (row[9] && row[4]) {
        owner.appendChild(document.createTextNode(" · " + t.municipal));
      }
      paragraph(box).textContent = counted(t.lines, row[2]);
      box.appendChild(countsTable(t.byCapability, t.capabilities, row[6], t));
      box.appendChild(countsTable(t.byStatus, t.statuses, row[7], t));
      // The inspection state beside the statuses, in words: "ready" may hide an overdue line.
      if (row[8]) {
        if (row[8][0]) {
          paragraph(box, "warning").textContent = counted(t.overdue, row[8][0]);
        } else {
          paragraph(box).textContent = t.noneOverdue;
        }
      }
      return box;
    },

    // [corners, value, colour, by capability, volunteers by qualification, volunteers in all];
    // `index`: its place in the rows, which is its row in the table below the map.
    cell: function (row, t, index) {
      var box = popup(t.square.replace("%(number)s", squareNumber(index)));
      paragraph(box, "map-popup__meta").textContent = t.title;
      var equipment = row[3];
      if (equipment.some(Boolean)) {
        box.appendChild(countsTable(t.readyEquipment, t.capabilities, equipment, t));
      } else {
        paragraph(box).textContent = t.noEquipment;
      }
      var table = box.appendChild(element("table", "map-popup__table"));
      table.appendChild(element("caption", null, t.volunteers));
      var body = table.appendChild(element("tbody"));
      var any = false;
      function line(label, count) {
        var tr = body.appendChild(element("tr"));
        tr.appendChild(element("th", null, label)).scope = "row";
        tr.appendChild(element("td", "num", count === null ? t.fewer : numbers.format(count)));
      }
      for (var i = 0; i < t.qualifications.length; i++) {
        if (row[4][i] !== 0) {
          any = true;
          line(t.qualifications[i], row[4][i]);
        }
      }
      line(t.inAll, row[5] === null && !any ? 0 : row[5]);
      var link = paragraph(box).appendChild(element("a", null, t.inTable));
      link.href = "#square-" + (index + 1);
      return box;
    }
  };

  function circle(row, t) {
    return L.circleMarker([row[0], row[1]], {
      radius: t.style.radius,
      color: t.style.color,
      weight: t.style.weight,
      fill: true,
      fillColor: t.colours[row[2]],
      fillOpacity: t.style.fillOpacity
    });
  }

  // A square of the council's grid, coloured by its class (grey and dashed: suppressed).
  function square(row, t) {
    return L.polygon(row[0], {
      color: t.style.color,
      weight: t.style.weight,
      fill: true,
      fillColor: t.colours[row[2]],
      fillOpacity: row[2] === t.suppressed ? 0.45 : t.style.fillOpacity,
      dashArray: row[2] === t.suppressed ? "3 3" : null
    });
  }

  // A site's equipment: a square labelled with its number of lines (a focusable marker).
  function countMarker(row) {
    var label = element("span", null, numbers.format(row[2]));
    return L.marker([row[0], row[1]], {
      icon: L.divIcon({
        className: "map-pin map-pin--equipment",
        html: label,
        iconSize: [30, 30],
        iconAnchor: [15, 15],
        popupAnchor: [0, -14]
      }),
      title: row[3],
      alt: row[3],
      riseOnHover: true
    });
  }

  // The square's number in the council's table (rows arrive in the table's order); an
  // identifier, written as the table writes it, without grouping.
  function squareNumber(index) {
    return String(index + 1);
  }

  // What a count of volunteers reads as: "fewer than 3" when withheld, as in the popup.
  function volunteersCounted(count, t) {
    return count === null ? t.fewerVolunteers : counted(t.volunteerCount, count || 0);
  }

  // What a point or square is, in words (colour says the category or class only to those
  // who see it); map_a11y.js names the layer with it and makes shapes operable by keyboard.
  var names = {
    organisation: function (row, t) { return row[4] + ", " + t.categories[row[2]]; },
    site: function (row, t) { return row[3] + ", " + t.kind; },
    equipment: function (row, t) { return row[3] + ": " + counted(t.lines, row[2]); },
    cell: function (row, t, index) {
      var lines = 0;
      for (var i = 0; i < row[3].length; i += 2) {
        lines += row[3][i];
      }
      var any = row[4].some(function (count) { return count !== 0; });
      var volunteers = row[5] === null && !any ? 0 : row[5];
      return t.square.replace("%(number)s", squareNumber(index)) + ": " +
        counted(t.lineCount, lines) + ", " + volunteersCounted(volunteers, t);
    }
  };

  window.beredskapMaps = {
    // Fills `group` (a feature group or a marker cluster group) with one layer per row.
    layer: function (kind, rows, texts, group) {
      var make = kind === "equipment" ? countMarker : kind === "cell" ? square : circle;
      var layers = new Array(rows.length);
      for (var i = 0; i < rows.length; i++) {
        var layer = make(rows[i], texts);
        layer.bindPopup(popups[kind].bind(null, rows[i], texts, i), {maxWidth: 320});
        layer.options.accessibleName = names[kind](rows[i], texts, i);
        layers[i] = layer;
      }
      if (typeof group.addLayers === "function") {
        group.addLayers(layers); // marker clusters add in bulk, far faster than one by one
      } else {
        for (var j = 0; j < layers.length; j++) {
          group.addLayer(layers[j]);
        }
      }
      return group;
    }
  };
})();
