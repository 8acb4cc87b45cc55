// kdirectory: progressive enhancement only. Every page is complete without this file.
// 1. Opening hours (kdirectory.hours): "Open now" or "Closed now · opens …" for a clinic, in
//    its own time zone, honouring split shifts and special hours; the badges of clinic cards
//    and pages ([data-hours]) and the finder (assets/finder.js) both use it.
// 2. The filters of a city page (#filters): hide the cards that do not match.
(function (root) {
  "use strict";
  var DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
  var DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

  // The calendar date and the minute of the day of `now` (a Date) in time zone `tz`.
  function localTime(tz, now) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(now).forEach(function (p) { parts[p.type] = p.value; });
    return {
      y: Number(parts.year), m: Number(parts.month), d: Number(parts.day),
      minutes: (Number(parts.hour) % 24) * 60 + Number(parts.minute)
    };
  }

  // The day `offset` days after `local`'s: its ISO date and weekday (0 = Monday).
  function dayAfter(local, offset) {
    var t = new Date(Date.UTC(local.y, local.m - 1, local.d + offset));
    return { iso: t.toISOString().slice(0, 10), weekday: (t.getUTCDay() + 6) % 7 };
  }

  // A day's shifts ([opens, closes, …] in minutes; [] closed), or null when not stated.
  // A special date overrides its weekday.
  function shiftsOn(schedule, day) {
    var special = schedule.special || {};
    if (Object.prototype.hasOwnProperty.call(special, day.iso)) { return special[day.iso]; }
    return schedule.week ? schedule.week[day.weekday] : null;
  }

  // Where `schedule` ({week: 7 days from Monday, special: {"2026-12-25": []}}) stands at
  // `now` in `tz`: {open: true}, {open: false, opens: {offset, weekday, minutes} or null},
  // or null when today's hours are not stated (then nothing is said).
  function openState(schedule, tz, now) {
    var local;
    try { local = localTime(tz, now || new Date()); } catch (e) { return null; }
    var today = dayAfter(local, 0);
    var shifts = shiftsOn(schedule, today);
    if (!shifts) { return null; }
    for (var i = 0; i < shifts.length; i += 2) {
      if (local.minutes >= shifts[i] && local.minutes < shifts[i + 1]) { return { open: true }; }
    }
    for (var offset = 0; offset <= 7; offset++) {
      var day = offset ? dayAfter(local, offset) : today;
      var list = offset ? shiftsOn(schedule, day) : shifts;
      if (!list) { break; } // a day whose hours are not stated: the next opening is unknown
      for (var j = 0; j < list.length; j += 2) {
        if (offset > 0 || list[j] > local.minutes) {
          return { open: false, opens: { offset: offset, weekday: day.weekday, minutes: list[j] } };
        }
      }
    }
    return { open: false, opens: null };
  }

  // 9:00 AM, noon, midnight: as the pages write opening hours.
  function clock(minutes) {
    if (minutes === 0 || minutes === 1440) { return "midnight"; }
    if (minutes === 720) { return "noon"; }
    var m = minutes % 60;
    return ((Math.floor(minutes / 60) + 11) % 12 + 1) + ":" + (m < 10 ? "0" : "") + m +
      (minutes < 720 ? " AM" : " PM");
  }

  // "Open now", "Closed now · opens tomorrow at 9:00 AM", "Closed now"; null for null.
  function describe(state) {
    if (!state) { return null; }
    if (state.open) { return "Open now"; }
    if (!state.opens) { return "Closed now"; }
    var o = state.opens;
    var when = o.offset === 0 ? "today" : o.offset === 1 ? "tomorrow" : DAY_NAMES[o.weekday];
    return "Closed now \u00b7 opens " + when + " at " + clock(o.minutes);
  }

  function toMinutes(hhmm) {
    var bits = String(hhmm).split(":");
    return Number(bits[0]) * 60 + Number(bits[1]);
  }

  // A badge's data-hours ({"monday": [["09:00", "12:00"], …], …}) and data-special
  // ("2026-12-25 closed;2026-12-24 09:00-12:00,13:00-17:00") as a schedule.
  function badgeSchedule(hoursText, specialText) {
    var hours = JSON.parse(hoursText);
    var week = DAYS.map(function (day) {
      var ranges = hours[day];
      if (!ranges) { return null; }
      var flat = [];
      ranges.forEach(function (r) { flat.push(toMinutes(r[0]), toMinutes(r[1])); });
      return flat;
    });
    var special = {};
    (specialText || "").split(";").forEach(function (entry) {
      var bits = entry.trim().split(/\s+/);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(bits[0] || "")) { return; }
      var flat = [];
      if (bits[1] && bits[1] !== "closed") {
        bits[1].split(",").forEach(function (r) {
          var ends = r.split("-");
          flat.push(toMinutes(ends[0]), toMinutes(ends[1]));
        });
      }
      special[bits[0]] = flat;
    });
    return { week: week, special: special };
  }

  var api = root.kdirectory = root.kdirectory || {};
  api.hours = {
    DAYS: DAYS, openState: openState, describe: describe, clock: clock,
    badgeSchedule: badgeSchedule
  };
  if (!root.document) { return; }
  var document = root.document;

  document.querySelectorAll("[data-hours]").forEach(function (el) {
    var tz = el.getAttribute("data-tz");
    var schedule;
    try {
      schedule = badgeSchedule(el.getAttribute("data-hours"), el.getAttribute("data-special"));
    } catch (e) { return; }
    var text = tz ? describe(openState(schedule, tz)) : null;
    if (!text) { return; }
    el.textContent = text;
    el.hidden = false;
  });

  // Filters: a card shows when it has the data- attribute of every checked box.
  var filters = document.getElementById("filters");
  if (!filters) { return; }
  var status = document.getElementById("filters-status");
  var lists = Array.prototype.filter.call(document.querySelectorAll("ul.cards"), function (list) {
    return list.querySelector("li.card");
  });

  // A list of cards, its heading and what stands between them (its introduction); what the
  // page itself hides stays hidden.
  function sectionOf(list) {
    var parts = [list];
    for (var el = list.previousElementSibling; el; el = el.previousElementSibling) {
      if (el === filters || el.matches("ul.cards")) { return [list]; }
      parts.push(el);
      if (/^H[2-6]$/.test(el.tagName)) {
        return parts.filter(function (part) { return !part.hidden; });
      }
    }
    return [list];
  }
  var sections = lists.map(sectionOf);

  function apply() {
    var wanted = Array.prototype.filter.call(
      filters.querySelectorAll("input[type=checkbox]"), function (box) { return box.checked; }
    ).map(function (box) { return "data-" + box.name; });
    var shown = 0, total = 0;
    lists.forEach(function (list, n) {
      var visible = 0;
      list.querySelectorAll("li.card").forEach(function (card) {
        var match = wanted.every(function (name) { return card.hasAttribute(name); });
        card.hidden = !match;
        total += 1;
        visible += match ? 1 : 0;
      });
      shown += visible;
      sections[n].forEach(function (el) { el.hidden = visible === 0; });
    });
    if (!status) { return; }
    if (!wanted.length) {
      status.textContent = "";
    } else if (shown === 0) {
      status.textContent = "No clinic on this page matches; clear a filter";
    } else {
      status.textContent = "Showing " + shown + " of " + total + (total === 1 ? " clinic" : " clinics") +
        " on this page";
    }
  }

  filters.hidden = false;
  filters.addEventListener("change", apply);
  filters.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
})(this);
