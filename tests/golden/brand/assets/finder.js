// kdirectory finder: a ZIP code, a city or the visitor's own position -> the nearest clinics.
// Progressive enhancement: without this file the finder stays hidden and the lists of states
// and cities reach every clinic. Everything runs in the page, from the site's own files under
// /finder/ (kdirectory.site.site_files); the position from "Use my location" never leaves it.
(function (root) {
  "use strict";
  var NEAREST = 10;        // located clinics listed
  var SUGGESTIONS = 3;     // closest spellings offered for a name not found
  var OTHERS = 4;          // other places of the same name offered
  var NEAR_PLACE_MILES = 5; // "Use my location" serves the city page whose centre is this near
  var FAR_MILES = 50;      // beyond this, the nearest clinic is not said to be "near"
  var ABBREVIATIONS = { saint: "st", sainte: "ste", mount: "mt", fort: "ft" };

  // The key places are compared by (kdirectory.site.site_files.place_key): the words of the
  // name, ASCII and lower case, usual abbreviations shortened, run together.
  function words(text) {
    return String(text).replace(/&/g, " and ").normalize("NFKD").replace(/[^\x00-\x7f]/g, "")
      .toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  }
  function placeKey(text) {
    return words(text).map(function (w) { return ABBREVIATIONS[w] || w; }).join("");
  }

  // What the visitor typed: {zip: "92025"} (ZIP+4 too), {digits: "9202"} (digits that are
  // no ZIP code), a name {text, key, state, fullKey} or null for nothing. A trailing state
  // code or name of `states` (code -> name) is read as the state: "Escondido, CA",
  // "escondido ca" and "Escondido California" are key "escondido" in CA; `fullKey` is the
  // key of every word, for a city whose name ends like a state.
  function parseQuery(text, states) {
    var compact = String(text).replace(/[^0-9a-z]/gi, "");
    if (!compact) { return null; }
    if (/^\d+$/.test(compact)) {
      return compact.length === 5 || compact.length === 9 ? { zip: compact.slice(0, 5) } : { digits: compact };
    }
    var all = words(text).map(function (w) { return ABBREVIATIONS[w] || w; });
    var names = {};
    Object.keys(states).forEach(function (code) { names[placeKey(states[code])] = code; });
    var state = null, rest = all;
    for (var n = Math.min(3, all.length - 1); n >= 1 && !state; n--) {
      var tail = all.slice(all.length - n).join("");
      var code = n === 1 && states[tail.toUpperCase()] ? tail.toUpperCase() : names[tail];
      if (code) { state = code; rest = all.slice(0, all.length - n); }
    }
    return { text: String(text).trim().replace(/\s+/g, " "), key: rest.join(""), state: state, fullKey: all.join("") };
  }

  // Great-circle (haversine) distance in miles.
  function miles(lat1, lon1, lat2, lon2) {
    var rad = Math.PI / 180, dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 3958.8 * 2 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function distanceText(d) {
    return d < 1 ? "Under 1 mi" : "About " + Math.round(d) + " mi";
  }

  // The `count` clinics nearest (lat, lon), nearest first: [{clinic, miles}].
  function nearest(clinics, lat, lon, count) {
    return clinics.map(function (c) { return { clinic: c, miles: miles(lat, lon, c.lat, c.lon) }; })
      .sort(function (a, b) {
        return a.miles - b.miles || (a.clinic.name < b.clinic.name ? -1 : a.clinic.name > b.clinic.name ? 1 : 0);
      })
      .slice(0, count);
  }

  function editDistance(a, b) {
    var previous = [], current, i, j;
    for (j = 0; j <= b.length; j++) { previous.push(j); }
    for (i = 1; i <= a.length; i++) {
      current = [i];
      for (j = 1; j <= b.length; j++) {
        current.push(Math.min(previous[j] + 1, current[j - 1] + 1,
          previous[j - 1] + (a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1)));
      }
      previous = current;
    }
    return previous[b.length];
  }

  // Places first by how well they match, then those with clinics, then by name.
  function byUse(a, b) {
    return (b.clinics - a.clinics) || (a.page === b.page ? 0 : a.page ? -1 : 1) ||
      (a.key.length - b.key.length) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
  }

  // The places `query` names: exact matches of its key first, else (from 3 characters) the
  // places whose key starts with it; in the query's state when it gives one.
  function matchPlaces(query, places) {
    var inState = places.filter(function (p) { return !query.state || p.state === query.state; });
    var exact = inState.filter(function (p) { return p.key === query.key; });
    if (exact.length || query.key.length < 3) { return exact.sort(byUse); }
    return inState.filter(function (p) { return p.key.indexOf(query.key) === 0; }).sort(byUse);
  }

  // Up to `count` places whose names are spelled closest to the query's.
  function suggest(query, places, count) {
    var limit = Math.max(1, Math.floor(query.key.length / 3));
    var seen = {};
    return places.filter(function (p) { return !query.state || p.state === query.state; })
      .map(function (p) {
        var d = editDistance(query.key, p.key);
        if (p.key.length > query.key.length) {
          d = Math.min(d, editDistance(query.key, p.key.slice(0, query.key.length)) + 1);
        }
        return { place: p, d: d };
      })
      .filter(function (s) { return s.d <= limit; })
      .sort(function (a, b) { return a.d - b.d || byUse(a.place, b.place); })
      .map(function (s) { return s.place; })
      .filter(function (p) { return seen[p.label] ? false : (seen[p.label] = true); })
      .slice(0, count);
  }

  // The index file (site_files.finder_index, stored by column) as lists of objects.
  function decode(raw) {
    var days = raw.d, weeks = raw.w;
    function schedule(week, special) {
      var out = { week: null, special: {} };
      if (week >= 0) {
        out.week = weeks[week].map(function (day) { return day >= 0 ? days[day] : null; });
      }
      for (var i = 0; special && i < special.length; i += 2) { out.special[special[i]] = days[special[i + 1]]; }
      return out;
    }
    var p = raw.p, places = [];
    for (var i = 0; i < p[0].length; i++) {
      places.push({
        name: p[0][i], state: p[1][i], path: p[2][i], lat: p[3][i], lon: p[4][i],
        key: placeKey(p[0][i]), label: p[0][i] + ", " + p[1][i], page: true, clinics: 0, index: i
      });
    }
    function rows(columns, extra) {
      var out = [];
      for (var n = 0; n < columns[0].length; n++) {
        var place = places[columns[2][n]];
        var flags = columns[3][n];
        var clinic = {
          slug: columns[0][n], name: columns[1][n], place: place,
          path: raw.u.clinic.replace("{}", columns[0][n]),
          accepting: flags & 1 ? true : flags & 2 ? false : null, spravato: Boolean(flags & 4),
          zone: raw.z[columns[4][n]], schedule: schedule(columns[5][n], columns[6][n])
        };
        extra(clinic, n);
        place.clinics += 1;
        out.push(clinic);
      }
      return out;
    }
    var clinics = rows(raw.c, function (c, n) {
      c.lat = (c.place.lat || 0) + raw.c[7][n] / 1000;
      c.lon = (c.place.lon || 0) + raw.c[8][n] / 1000;
    });
    var areas = rows(raw.a, function (c, n) { c.served = raw.a[7][n]; });
    areas.sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; });
    var shards = { zip: {}, places: {} };
    raw.k.zip.split(" ").forEach(function (run) {
      var ends = run.split("-");
      for (var n = Number(ends[0]); run && n <= Number(ends[ends.length - 1]); n++) {
        shards.zip[("00" + n).slice(-3)] = true;
      }
    });
    raw.k.places.split(" ").forEach(function (key) { if (key) { shards.places[key] = true; } });
    return { paths: raw.u, shards: shards, states: raw.s, places: places, clinics: clinics, areas: areas };
  }

  // Gazetteer places of a shard (site_files.place_shards) as places.
  function decodePlaces(rows) {
    return rows.map(function (r) {
      return { name: r[0], state: r[1], lat: r[2], lon: r[3], key: placeKey(r[0]), label: r[0] + ", " + r[1], page: false, clinics: 0, index: null };
    });
  }

  // The city page of the same name and state as a gazetteer name, if there is one.
  function pageFor(index, name, state) {
    var key = placeKey(name);
    for (var i = 0; i < index.places.length; i++) {
      if (index.places[i].key === key && index.places[i].state === state) { return index.places[i]; }
    }
    return null;
  }

  function pageNear(index, lat, lon) {
    var best = null, bestMiles = NEAR_PLACE_MILES;
    index.places.forEach(function (p) {
      if (p.lat === null) { return; }
      var d = miles(lat, lon, p.lat, p.lon);
      if (d <= bestMiles) { best = p; bestMiles = d; }
    });
    return best;
  }

  function servedBy(index, place) {
    if (!place || place.index === null) { return []; }
    return index.areas.filter(function (c) { return c.served.indexOf(place.index) >= 0; });
  }

  var api = root.kdirectory = root.kdirectory || {};
  api.finder = {
    placeKey: placeKey, parseQuery: parseQuery, miles: miles, distanceText: distanceText,
    nearest: nearest, editDistance: editDistance, matchPlaces: matchPlaces, suggest: suggest,
    decode: decode, decodePlaces: decodePlaces, pageFor: pageFor, pageNear: pageNear, servedBy: servedBy
  };
  if (!root.document) { return; }
  var document = root.document;
  var finder = document.getElementById("finder");
  if (!finder || !root.fetch || !root.Promise || !String.prototype.normalize) { return; }

  // Started once every deferred script has run, so that site.js (kdirectory.hours) is there.
  function start() {
    var form = document.getElementById("finder-form");
    var input = document.getElementById("finder-query");
    var locate = document.getElementById("finder-locate");
    var status = document.getElementById("finder-status");
    var output = document.getElementById("finder-list");
    var files = {};
    var searches = 0;

    function load(url) {
      if (!files[url]) {
        files[url] = root.fetch(url, { credentials: "same-origin" }).then(function (r) {
          if (r.ok) { return r.json(); }
          throw new Error(url + ": " + r.status);
        });
        files[url].catch(function () { delete files[url]; });
      }
      return files[url];
    }
    // A shard of the index's kind ("zip" or "places"); null when the site has none by that key.
    function shard(index, kind, key) {
      return index.shards[kind][key] ? load(index.paths[kind].replace("{}", key)) : root.Promise.resolve(null);
    }
    var indexPromise = null;
    function loadIndex() {
      if (!indexPromise) {
        indexPromise = load(finder.getAttribute("data-index")).then(decode);
        indexPromise.catch(function () { indexPromise = null; });
      }
      return indexPromise;
    }

    function el(tag, attrs, text) {
      var node = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
      if (text !== undefined) { node.textContent = text; }
      return node;
    }
    function clear() { while (output.firstChild) { output.removeChild(output.firstChild); } }
    function say(text) { status.textContent = text; }
    function count(n, one, many) { return n + " " + (n === 1 ? one : many); }

    function statesText(index) {
      var names = Object.keys(index.states).map(function (c) { return index.states[c]; });
      return names.length && names.length <= 3 ? " This site lists clinics in " + names.join(", ") + "." : "";
    }

    function choices(id, intro, places, focusResults) {
      if (!places.length) { return; }
      var box = el("div", { id: id, "class": "finder-choices" });
      box.appendChild(el("p", {}, intro));
      var list = el("ul", { "class": "finder-buttons" });
      places.forEach(function (p) {
        var item = el("li");
        var button = el("button", { type: "button", "class": "finder-suggestion", "data-query": p.label }, p.label);
        button.addEventListener("click", function () {
          input.value = p.label;
          run(p.label, focusResults);
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      box.appendChild(list);
      output.appendChild(box);
    }

    function facts(clinic) {
      var line = el("p", { "class": "meta finder-facts" });
      var parts = [];
      var hours = root.kdirectory.hours;
      var open = hours ? hours.describe(hours.openState(clinic.schedule, clinic.zone)) : null;
      if (open) { parts.push(el("span", { "class": "finder-open" }, open)); }
      if (clinic.accepting === true) { parts.push(el("span", {}, "Accepting new patients")); }
      if (clinic.accepting === false) { parts.push(el("span", {}, "Not accepting new patients")); }
      if (clinic.spravato) { parts.push(el("span", {}, "Spravato")); }
      parts.forEach(function (part, i) {
        if (i) { line.appendChild(document.createTextNode(" \u00b7 ")); }
        line.appendChild(part);
      });
      return { line: parts.length ? line : null, open: open ? (open === "Open now" ? "open" : "closed") : "" };
    }

    function item(clinic, distance) {
      var f = facts(clinic);
      var li = el("li", {
        "class": "finder-item", "data-clinic-slug": clinic.slug, "data-open": f.open,
        "data-accepting": clinic.accepting === null ? "unknown" : clinic.accepting ? "yes" : "no",
        "data-spravato": clinic.spravato ? "yes" : "no"
      });
      if (distance !== null) { li.setAttribute("data-distance-miles", distance.toFixed(1)); }
      var h = el("h3");
      h.appendChild(el("a", { href: clinic.path }, clinic.name));
      li.appendChild(h);
      var where = el("p", { "class": "meta" });
      where.appendChild(el("a", { href: clinic.place.path }, clinic.place.label));
      if (distance !== null) { where.appendChild(document.createTextNode(" \u00b7 " + distanceText(distance))); }
      li.appendChild(where);
      if (f.line) { li.appendChild(f.line); }
      return li;
    }

    // Results for an origin: {lat, lon, label, place (a city page, for service areas)}.
    function show(index, origin, focusResults) {
      clear();
      var ranked = origin.lat === null ? [] : nearest(index.clinics, origin.lat, origin.lon, NEAREST);
      var serving = servedBy(index, origin.place);
      var heading = el("h2", { id: "finder-heading", tabindex: "-1" },
        ranked.length ? "Clinics nearest " + origin.label : "Clinics for " + origin.label);
      output.appendChild(heading);
      if (ranked.length) {
        var list = el("ol", { id: "finder-nearest", "class": "finder-list" });
        ranked.forEach(function (r) { list.appendChild(item(r.clinic, r.miles)); });
        output.appendChild(list);
      } else {
        output.appendChild(el("p", {}, "No clinic with a street address is listed near " + origin.label + "."));
      }
      if (serving.length) {
        output.appendChild(el("h2", { id: "finder-serving-heading" }, "Clinics that serve your area"));
        output.appendChild(el("p", {}, (serving.length === 1 ? "This clinic lists " : "These clinics list ") +
          origin.place.label + " in " + (serving.length === 1 ? "its" : "their") +
          " service area and give" + (serving.length === 1 ? "s" : "") +
          " no street address; call to ask where you would be seen."));
        var served = el("ul", { id: "finder-serving", "class": "finder-list" });
        serving.forEach(function (c) { served.appendChild(item(c, null)); });
        output.appendChild(served);
      }
      var near = !ranked.length ? "" : ranked[0].miles <= FAR_MILES
        ? count(ranked.length, "clinic", "clinics") + " near " + origin.label
        : "The nearest clinic to " + origin.label + " is " + distanceText(ranked[0].miles).toLowerCase() + " away";
      var serve = serving.length ? count(serving.length, "clinic serves", "clinics serve") + " " + origin.place.label : "";
      say(near && serve ? near + "; " + serve : near || serve || "No clinic is listed near " + origin.label);
      if (focusResults) { heading.focus(); }
      return ranked.length;
    }

    function searchZip(index, zip, focusResults, current) {
      return shard(index, "zip", zip.slice(0, 3)).then(function (zips) {
        if (current !== searches) { return; }
        var entry = zips && zips[zip];
        if (!entry) {
          clear();
          say("ZIP code " + zip + " is not one this finder can place. Try a nearby ZIP code or a city name." + statesText(index));
          return;
        }
        var page = pageFor(index, entry[2], entry[3]);
        show(index, { lat: entry[0], lon: entry[1], label: zip + " (" + entry[2] + ", " + entry[3] + ")", place: page }, focusResults);
      });
    }

    function searchName(index, query, focusResults, current) {
      var initials = [query.key.slice(0, 2), query.fullKey.slice(0, 2)].filter(function (k, i, all) {
        return k && all.indexOf(k) === i;
      });
      var shards = initials.map(function (k) { return shard(index, "places", k); });
      return root.Promise.all(shards).then(function (loaded) {
        if (current !== searches) { return; }
        var places = index.places;
        loaded.forEach(function (rows) { places = places.concat(decodePlaces(rows || [])); });
        function usable(q) {
          return (q.key ? matchPlaces(q, places) : []).filter(function (p) {
            return p.lat !== null || servedBy(index, p).length;
          });
        }
        var found = usable(query);
        if (!found.length && query.state) {
          found = usable({ key: query.fullKey, state: null });
        }
        if (!found.length) {
          clear();
          var close = query.key ? suggest(query, places, SUGGESTIONS) : [];
          say("No match for \u201c" + query.text + "\u201d." +
            (close.length ? " Did you mean one of these?" : " Try a ZIP code or another spelling.") + statesText(index));
          choices("finder-suggestions", "Closest spellings:", close, true);
          return;
        }
        var best = found[0];
        var page = best.page ? best : pageFor(index, best.name, best.state);
        show(index, { lat: best.lat, lon: best.lon, label: best.label, place: page }, focusResults);
        choices("finder-others", "Other places matching \u201c" + query.text + "\u201d:", found.slice(1, 1 + OTHERS), true);
      });
    }

    function failed() {
      clear();
      say("The finder could not load. Check your connection and try again, or browse the states and cities below.");
    }

    function run(text, focusResults) {
      var current = ++searches;
      var query = parseQuery(text, {});
      if (!query) { clear(); say("Type a 5-digit ZIP code or a city name."); return; }
      if (query.digits) { clear(); say("A ZIP code has 5 digits; \u201c" + query.digits + "\u201d has " + query.digits.length + "."); return; }
      say("Searching\u2026");
      loadIndex().then(function (index) {
        if (current !== searches) { return; }
        if (query.zip) { return searchZip(index, query.zip, focusResults, current); }
        return searchName(index, parseQuery(text, index.states), focusResults, current);
      }).catch(function () { if (current === searches) { failed(); } });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run(input.value, false);
    });

    var geo = document.getElementById("finder-geo");
    if (geo && locate && root.navigator && root.navigator.geolocation) {
      geo.hidden = false;
      locate.addEventListener("click", function () {
        var current = ++searches;
        say("Finding your location\u2026");
        root.navigator.geolocation.getCurrentPosition(function (position) {
          var lat = position.coords.latitude, lon = position.coords.longitude;
          loadIndex().then(function (index) {
            if (current !== searches) { return; }
            show(index, { lat: lat, lon: lon, label: "your location", place: pageNear(index, lat, lon) }, false);
          }).catch(function () { if (current === searches) { failed(); } });
        }, function (error) {
          if (current !== searches) { return; }
          clear();
          say(error.code === 1
            ? "This browser is not allowing the page to use your location. Type a ZIP code or city instead."
            : "Your location could not be found. Type a ZIP code or city instead.");
        }, { enableHighAccuracy: false, maximumAge: 600000 });
      });
    }
    finder.hidden = false;
  }

  if (root.kdirectory.hours) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})(this);
