// Check-in at the door: results appear while staff type a few letters of a name, so a
// returning participant is registered with the letters and one click on their name.
// Without JavaScript the search form works as before (letters, Enter, click).
// Anything with a digit is left to Enter: that is how a card scanner ends its code, and
// the form then POSTs (with its CSRF token), where an exact card code registers the person
// at once. The results shown while typing come from a GET, which never registers anyone.
(function () {
  "use strict";
  var input = document.getElementById("dv-q");
  var results = document.getElementById("dv-results");
  if (!input || !results || !window.fetch || !window.DOMParser) { return; }
  var form = input.form;
  var timer = null;
  var asked = 0;

  function show(q) {
    var mine = ++asked;
    var params = new URLSearchParams(new FormData(form));
    params.delete("_csrf_token");  // the token stays in the form, never in a URL
    fetch(form.getAttribute("action") + "?" + params.toString(), {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || mine !== asked) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("dv-results");
        if (!fresh) { return; }
        results.innerHTML = fresh.innerHTML;
        results.setAttribute("data-q", q);
      })
      .catch(function () { /* the form still works with Enter */ });
  }

  input.addEventListener("input", function () {
    var q = input.value.trim();
    if (timer) { clearTimeout(timer); }
    if (/\d/.test(q)) { return; }
    if (q.length < 2) {
      asked++;
      results.innerHTML = "";
      results.setAttribute("data-q", q);
      return;
    }
    timer = setTimeout(function () { show(q); }, 120);
  });
})();
