// kdirectory: progressive enhancement only. Every page is complete without this file.
// 1. "Open now" for each clinic, computed in the clinic's own time zone.
// 2. The finder on the home page: ZIP or city -> nearest city pages, from /search-index.json.
(function () {
  "use strict";
  var DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

  function nowIn(tz) {
    var parts = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, weekday: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(new Date());
    var out = {};
    parts.forEach(function (p) { out[p.type] = p.value; });
    return { day: out.weekday.toLowerCase(), minutes: Number(out.hour) * 60 + Number(out.minute) };
  }

  function toMinutes(hhmm) {
    var bits = hhmm.split(":");
    return Number(bits[0]) * 60 + Number(bits[1]);
  }

  document.querySelectorAll("[data-hours]").forEach(function (el) {
    var tz = el.getAttribute("data-tz");
    var hours;
    try { hours = JSON.parse(el.getAttribute("data-hours")); } catch (e) { return; }
    if (!tz) { return; }
    var now;
    try { now = nowIn(tz); } catch (e) { return; }
    var today = hours[now.day];
    if (today === undefined || today === null) { return; }
    var open = today.some(function (range) {
      return now.minutes >= toMinutes(range[0]) && now.minutes < toMinutes(range[1]);
    });
    el.textContent = open ? "Open now" : "Closed now";
    el.hidden = false;
  });

  var finder = document.getElementById("finder");
  if (!finder || !window.fetch) { return; }
  finder.hidden = false;
  var form = finder.querySelector("form");
  var input = finder.querySelector("input");
  var results = finder.querySelector("[role=status]");
  var index = null;

  function miles(a, b) {
    var rad = Math.PI / 180, dLat = (b[0] - a[0]) * rad, dLon = (b[1] - a[1]) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 3958.8 * 2 * Math.asin(Math.sqrt(h));
  }

  function show(query) {
    var q = query.trim().toLowerCase();
    var origin = null;
    if (/^\d{5}$/.test(q) && index.zips[q]) { origin = index.zips[q]; }
    var matches = index.cities.filter(function (c) { return c.name.toLowerCase().indexOf(q) === 0; });
    if (!origin && matches.length) { origin = [matches[0].lat, matches[0].lon]; }
    results.textContent = "";
    if (!origin) {
      results.textContent = "No match for \u201c" + query + "\u201d. Try a 5-digit ZIP code or a city name.";
      return;
    }
    var ranked = index.cities.map(function (c) {
      return { city: c, d: miles(origin, [c.lat, c.lon]) };
    }).sort(function (a, b) { return a.d - b.d; }).slice(0, 5);
    var list = document.createElement("ul");
    ranked.forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = r.city.url;
      a.textContent = r.city.name;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" \u2014 " + Math.round(r.d) + " mi, " +
        r.city.clinics + (r.city.clinics === 1 ? " clinic" : " clinics")));
      list.appendChild(li);
    });
    results.appendChild(list);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = input.value;
    if (index) { show(query); return; }
    fetch(finder.getAttribute("data-index")).then(function (r) { return r.json(); })
      .then(function (data) { index = data; show(query); })
      .catch(function () { results.textContent = "The finder could not load. Browse the states below."; });
  });
})();
