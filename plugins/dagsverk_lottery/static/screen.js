// The big screen: polls the day's state and updates the lists without reloading the page.
// Served from the plugin's static folder because the CSP allows scripts from 'self' only.
(function () {
  "use strict";
  var root = document.getElementById("dv-screen");
  if (!root) { return; }
  var url = root.getAttribute("data-state-url");
  var last = "";

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }

  function fill(list, items, render) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (item) {
      var li = document.createElement("li");
      render(li, item);
      list.appendChild(li);
    });
  }

  function show(state) {
    var key = JSON.stringify(state);
    if (key === last) { return; }
    last = key;
    var status = document.getElementById("dv-status");
    var drawn = state.drawn || [];
    var text;
    if (state.status === "open") {
      text = root.getAttribute("data-t-open") + " · " + fmt(root.getAttribute("data-t-entered"), state);
    } else if (state.status === "sealed") {
      text = root.getAttribute("data-t-sealed") + " · " + fmt(root.getAttribute("data-t-entered"), state);
    } else {
      text = root.getAttribute("data-t-drawn") + " · " + fmt(root.getAttribute("data-t-count"),
        {drawn: drawn.length, capacity: state.capacity, entered: state.entered});
    }
    status.textContent = text;
    var fpLine = document.getElementById("dv-fingerprint-line");
    document.getElementById("dv-fingerprint").textContent = state.fingerprint || "";
    fpLine.hidden = !state.fingerprint;
    // The fingerprints and the beacon round from sealing; the numbers, the beacon value
    // and the seed once drawn. Each line is hidden while it has nothing to show.
    [["dv-entrants", state.entrants_fingerprint], ["dv-round", state.beacon_round],
     ["dv-contribution", state.contribution], ["dv-beacon", state.beacon], ["dv-seed", state.seed]].forEach(function (pair) {
      var code = document.getElementById(pair[0]);
      if (!code) { return; }
      code.textContent = pair[1] ? String(pair[1]) : "";
      document.getElementById(pair[0] + "-line").hidden = !pair[1];
    });
    fill(document.getElementById("dv-drawn"), drawn, function (li, d) {
      li.textContent = d.name;
      if (d.right) {
        var span = document.createElement("span");
        span.className = "dv-right";
        span.textContent = " (" + root.getAttribute("data-t-right") + ")";
        li.appendChild(span);
      }
    });
    fill(document.getElementById("dv-reserve"), state.reserve || [], function (li, r) { li.textContent = r.name; });
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) { show(state); } })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 3000);
}());
