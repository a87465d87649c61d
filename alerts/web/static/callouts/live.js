// The live callout page: fetch the callout and its recipients from the API every few seconds
// and update the figures and rows in place. Without JavaScript a reload shows the same data.
(function () {
  "use strict";
  var root = document.getElementById("callout-live");
  if (!root || !window.fetch) { return; }
  var id = root.dataset.callout;
  var seconds = Math.max(2, parseInt(root.dataset.refresh, 10) || 5);
  var labels = JSON.parse(root.dataset.labels || "{}");
  var phones = root.dataset.phones === "true";
  var lang = root.dataset.lang === "en" ? "en-GB" : "nb-NO";
  // Only the page on screen is refreshed: a callout of 20,000 is read a page at a time.
  var offset = parseInt(root.dataset.offset, 10) || 0;
  var limit = parseInt(root.dataset.limit, 10) || 200;

  function label(kind, value) {
    return (labels[kind] && labels[kind][value]) || value || "";
  }

  function via(provider) {
    return root.dataset.viaText.replace("{provider}", label("SmsProvider", provider));
  }

  function clock(iso) {
    if (!iso) { return ""; }
    return new Date(iso).toLocaleTimeString(lang, {
      hour: "2-digit", minute: "2-digit", timeZone: "Europe/Oslo", hour12: false
    });
  }

  function setText(element, text) {
    if (element && element.textContent !== String(text)) { element.textContent = String(text); }
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  function recipients() {
    var url = "/api/v1/callouts/" + id + "/recipients?limit=" + limit + "&offset=" + offset;
    return getJson(url).then(function (page) { return page.items; });
  }

  function showCallout(callout) {
    Object.keys(callout.counts).forEach(function (key) {
      root.querySelectorAll('[data-count="' + key + '"]').forEach(function (element) {
        setText(element, callout.counts[key]);
      });
    });
    callout.needs.forEach(function (need) {
      setText(root.querySelector('[data-need="' + need.qualification + '"]'), need.yes);
    });
    var status = root.querySelector('[data-field="status"]');
    if (status) {
      setText(status, label("CalloutStatus", callout.status));
      status.className = "badge badge--callout-" + callout.status;
    }
  }

  function cell(row, name, className) {
    var td = document.createElement("td");
    var span = document.createElement("span");
    span.dataset.field = name;
    if (className) { span.className = className; }
    td.appendChild(span);
    row.appendChild(td);
    return td;
  }

  // A row for someone escalation added since the page was made.
  function newRow(item) {
    var row = document.createElement("tr");
    row.dataset.recipient = item.id;
    var name = document.createElement("td");
    name.textContent = item.name || "";
    row.appendChild(name);
    if (phones) {
      var mobile = document.createElement("td");
      mobile.className = "phone";
      if (item.mobile && item.mobile.charAt(0) === "+") {
        var call = document.createElement("a");
        call.href = "tel:" + item.mobile;
        call.textContent = item.mobile;
        mobile.appendChild(call);
      } else {
        mobile.textContent = item.mobile || "";
      }
      row.appendChild(mobile);
    }
    var distance = document.createElement("td");
    distance.className = "num";
    distance.textContent = (item.distance_m / 1000).toLocaleString(lang, { maximumFractionDigits: 1 });
    row.appendChild(distance);
    var sms = cell(row, "state", "state");
    [["reason", "reason"], ["provider", "muted"], ["notices", "muted"], ["call", "muted"]]
      .forEach(function (field) {
        var span = document.createElement("span");
        span.dataset.field = field[0];
        span.className = field[1];
        sms.appendChild(span);
      });
    cell(row, "answer", "answer");
    var minutes = cell(row, "minutes");
    minutes.className = "num";
    var clockTime = document.createElement("span");
    clockTime.dataset.field = "arrival";
    clockTime.className = "arrival";
    minutes.appendChild(clockTime);
    var answered = document.createElement("td");
    answered.dataset.field = "answered_at";
    row.appendChild(answered);
    return row;
  }

  function showRecipients(items) {
    var body = root.querySelector("table.recipients tbody");
    if (!body) { return; }
    items.forEach(function (item) {
      var row = body.querySelector('tr[data-recipient="' + item.id + '"]');
      if (!row) {
        if (body.children.length >= limit) { return; }
        row = newRow(item);
        body.appendChild(row);
      }
      var state = row.querySelector('[data-field="state"]');
      if (state) {
        setText(state, label("RecipientState", item.state));
        state.className = "state state--" + item.state;
      }
      var coded = (item.problem === "other" || item.problem === "retrying") && item.error_code;
      setText(row.querySelector('[data-field="reason"]'), item.problem
        ? " · " + label("SmsProblem", item.problem) + (coded ? " (" + item.error_code + ")" : "")
        : "");
      setText(row.querySelector('[data-field="provider"]'),
        item.provider ? " · " + via(item.provider) : "");
      setText(row.querySelector('[data-field="notices"]'), item.notices.map(function (notice) {
        return " · " + label("NoticeKind", notice.kind) + ": " + label("RecipientState", notice.state)
          + (notice.provider ? " " + via(notice.provider) : "");
      }).join(""));
      // The phone call (voice fallback): placed, answered with its key, not answered, busy...
      setText(row.querySelector('[data-field="call"]'), item.call
        ? " · " + (item.call.key ? root.dataset.callKeyText : root.dataset.callText)
          .replace("{state}", label("VoiceCallState", item.call.state))
          .replace("{key}", item.call.key || "")
        : "");
      var answer = row.querySelector('[data-field="answer"]');
      if (answer) {
        // Someone who sent STOP will not answer: said so, not left as "no answer".
        var shown = item.answer || (item.problem === "opted_out" ? "opted_out" : "");
        setText(answer, shown ? label("Answer", shown) : "");
        answer.className = "answer" + (shown ? " answer--" + shown : "");
      }
      setText(row.querySelector('[data-field="minutes"]'),
        item.minutes_to_arrival === null ? "" : item.minutes_to_arrival);
      // The arrival as a clock time (Oslo) beside the minutes: answered at + minutes.
      var due = item.answered_at && item.minutes_to_arrival !== null
        ? new Date(new Date(item.answered_at).getTime() + item.minutes_to_arrival * 60000) : null;
      setText(row.querySelector('[data-field="arrival"]'), due
        ? " " + root.dataset.arrivalText.replace("{time}", clock(due.toISOString())) : "");
      setText(row.querySelector('[data-field="answered_at"]'), clock(item.answered_at));
    });
  }

  var note = root.querySelector('[data-field="updated"]');
  var lastGood = null;

  function refresh() {
    Promise.all([getJson("/api/v1/callouts/" + id), recipients()])
      .then(function (results) {
        showCallout(results[0]);
        showRecipients(results[1]);
        lastGood = new Date();
        setText(note, root.dataset.updatedText.replace("{time}", clock(lastGood.toISOString())));
        root.dataset.refreshed = String(Date.now());
      })
      .catch(function () {
        if (lastGood) {
          setText(note, root.dataset.offlineText.replace("{time}", clock(lastGood.toISOString())));
        }
      })
      .then(function () { window.setTimeout(refresh, seconds * 1000); });
  }

  window.setTimeout(refresh, seconds * 1000);
}());
