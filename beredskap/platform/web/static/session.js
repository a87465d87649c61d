// The end of the login, warned five minutes ahead with a way to stay logged in (WCAG 2.2.1),
// and a form sent after the end kept through the login page: its fields wait in this tab's
// sessionStorage, the login sends the user back to the form's page, and they are filled in
// again there for the user to check and send. Nothing is kept past the next page.
(function () {
  "use strict";
  var KEY = "beredskap.keptForm";
  var WARN_MS = 5 * 60 * 1000;
  var KEEP_MS = 24 * 60 * 60 * 1000;

  function read() {
    try { return JSON.parse(window.sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }

  function keepable(form) {
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return false;
    var action = form.getAttribute("action") || window.location.pathname;
    // Never a password, and nothing of the login itself.
    return !/^\/(login|logout)\b/.test(action) && !form.querySelector("input[type=password]");
  }

  function fieldsOf(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.disabled || element.name === "csrf_token") return;
      var type = (element.type || "").toLowerCase();
      if (type === "hidden" || type === "submit" || type === "button" || type === "file") return;
      if ((type === "checkbox" || type === "radio") && !element.checked) return;
      if (element.multiple) {
        Array.prototype.forEach.call(element.selectedOptions, function (option) {
          fields.push([element.name, option.value]);
        });
        return;
      }
      fields.push([element.name, element.value]);
    });
    return fields;
  }

  function fill(form, fields) {
    var byName = {};
    fields.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    Object.keys(byName).forEach(function (name) {
      var values = byName[name];
      var elements = Array.prototype.filter.call(form.elements, function (e) { return e.name === name; });
      elements.forEach(function (element, index) {
        var type = (element.type || "").toLowerCase();
        if (type === "hidden") return;
        if (type === "checkbox" || type === "radio") {
          element.checked = values.indexOf(element.value) !== -1;
        } else if (element.multiple) {
          Array.prototype.forEach.call(element.options, function (option) {
            option.selected = values.indexOf(option.value) !== -1;
          });
        } else if (index < values.length) {
          element.value = values[index];
        }
      });
    });
  }

  function keepOrRestore() {
    var kept = read();
    if (window.location.pathname === "/login") {
      // Back to the page the form was on (the form's own address may take no GET).
      var next = document.querySelector("form[action='/login'] input[name=next]");
      if (kept && next && Date.now() - kept.at < KEEP_MS) next.value = kept.page;
    } else if (kept) {
      window.sessionStorage.removeItem(KEY);
      var fromLogin = document.referrer && new URL(document.referrer).pathname === "/login";
      if (fromLogin && Date.now() - kept.at < KEEP_MS) restore(kept);
    }
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !keepable(form)) return;
      try {
        window.sessionStorage.setItem(KEY, JSON.stringify({
          page: window.location.pathname + window.location.search,
          action: form.getAttribute("action") || window.location.pathname,
          fields: fieldsOf(form),
          at: Date.now()
        }));
      } catch (e) { /* storage full or refused: the form is sent as it is */ }
    });
  }

  function restore(kept) {
    var form = Array.prototype.find.call(document.forms, function (candidate) {
      return keepable(candidate) &&
        (candidate.getAttribute("action") || window.location.pathname) === kept.action;
    });
    var source = document.getElementById("session-warning");
    if (!form || !source) return;
    fill(form, kept.fields);
    var notice = document.createElement("div");
    notice.className = "notice notice--info kept-form";
    notice.setAttribute("role", "status");
    notice.tabIndex = -1;
    notice.textContent = source.dataset.restored;
    form.parentNode.insertBefore(notice, form);
    notice.focus();
  }

  function warn() {
    var box = document.getElementById("session-warning");
    if (!box) return;
    var text = box.querySelector(".session-warning__text");
    var button = box.querySelector("button");
    var absolute = Number(box.dataset.ends);
    var idle = Number(box.dataset.idle);
    var used = Date.now();

    function end() { return idle ? Math.min(absolute, used + idle) : absolute; }

    function tick() {
      var left = end() - Date.now();
      if (left > WARN_MS) {
        if (!box.classList.contains("session-warning--done")) box.hidden = true;
        return;
      }
      box.hidden = false;
      var message = left <= 0 ? box.dataset.ended : box.dataset.soon;
      if (text.textContent !== message) text.textContent = message;
      button.hidden = left <= 0;
    }

    button.addEventListener("click", function () {
      button.disabled = true;
      fetch("/session/extend", {
        method: "POST",
        credentials: "same-origin",
        headers: {"x-csrf-token": box.dataset.csrf, "accept": "application/json"}
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (body) {
        absolute = Date.parse(body.ends_at);
        used = Date.now();
        box.classList.add("session-warning--done");
        button.hidden = true;
        text.textContent = box.dataset.extended;
        window.setTimeout(function () {
          box.classList.remove("session-warning--done");
          box.hidden = true;
        }, 8000);
      }).catch(function () {
        text.textContent = box.dataset.failed;
        button.hidden = true;
      }).then(function () { button.disabled = false; });
    });
    tick();
    window.setInterval(tick, 10000);
  }

  keepOrRestore();
  warn();
})();
