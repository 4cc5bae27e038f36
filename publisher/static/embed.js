/*
 * Meeting publisher: the latest meetings of one body, embedded in any web page.
 *
 *   <script src="https://HOST/embed.js" data-body="socialnamnden" data-limit="5"
 *           data-lang="sv" data-heading-level="2" async></script>
 *
 * Reads HOST/feeds/<body>.json (JSON Feed 1.1, served with CORS) from the script's own origin
 * and renders a heading and a list into a Shadow DOM root placed right after the script tag,
 * so neither the host page's CSS nor ours leaks across. Text is only ever set with
 * textContent: nothing from the feed is parsed as HTML on the host page.
 *
 * data-lang: sv (default), en, de, nb; without it the page's <html lang> is used if it is
 * one of those. Dates are formatted with Intl in that language.
 */
(function () {
  "use strict";

  var LABELS = {
    sv: {
      heading: "{body}: senaste protokollen",
      headingAll: "Senaste protokollen",
      loading: "Hämtar protokoll …",
      empty: "Inga publicerade protokoll ännu.",
      error: "Protokollen kunde inte hämtas just nu.",
      subscribe: "Prenumerera (Atom)",
      meeting: "Sammanträde"
    },
    en: {
      heading: "{body}: latest minutes",
      headingAll: "Latest minutes",
      loading: "Loading minutes …",
      empty: "No minutes published yet.",
      error: "The minutes could not be loaded right now.",
      subscribe: "Subscribe (Atom)",
      meeting: "Meeting"
    },
    de: {
      heading: "{body}: neueste Protokolle",
      headingAll: "Neueste Protokolle",
      loading: "Protokolle werden geladen …",
      empty: "Noch keine Protokolle veröffentlicht.",
      error: "Die Protokolle konnten gerade nicht geladen werden.",
      subscribe: "Abonnieren (Atom)",
      meeting: "Sitzung"
    },
    nb: {
      heading: "{body}: siste protokoller",
      headingAll: "Siste protokoller",
      loading: "Henter protokoller …",
      empty: "Ingen protokoller publisert ennå.",
      error: "Protokollene kunne ikke hentes akkurat nå.",
      subscribe: "Abonner (Atom)",
      meeting: "Møte"
    }
  };

  // Colours: text 15.9:1, links 8.6:1, dates 9.1:1 against white (WCAG AAA for body text).
  var STYLE =
    ":host{all:initial;display:block;contain:content}" +
    ".mp{font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;" +
    "background:#fff;border:1px solid #c4c4c4;border-radius:6px;padding:.75rem 1rem;" +
    "max-width:40rem;margin:.75rem 0}" +
    ".mp-h{font-size:1.15rem;font-weight:700;margin:0 0 .5rem;line-height:1.3}" +
    "ul{list-style:none;margin:0;padding:0}" +
    "li{padding:.45rem 0;border-top:1px solid #d0d0d0}" +
    "li:first-child{border-top:0}" +
    "a{color:#0b4f8a;text-decoration:underline}" +
    "a:focus-visible{outline:3px solid #0b4f8a;outline-offset:2px}" +
    "time{display:block;color:#474747;font-size:.9rem}" +
    "p{margin:.6rem 0 0;font-size:.9rem}" +
    ".mp-error{color:#8a1010}";

  var script = document.currentScript;
  if (!script || !script.src) {
    return;
  }
  var data = script.dataset;
  var body = (data.body || "").toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]{0,127}$/.test(body)) {
    return;
  }
  var limit = Math.min(50, Math.max(1, parseInt(data.limit || "5", 10) || 5));
  var level = Math.min(6, Math.max(2, parseInt(data.headingLevel || "2", 10) || 2));
  var pageLang = (document.documentElement.lang || "").toLowerCase().split("-")[0];
  if (pageLang === "no" || pageLang === "nn") {
    pageLang = "nb";
  }
  var lang = LABELS[data.lang] ? data.lang : LABELS[pageLang] ? pageLang : "sv";
  var t = LABELS[lang];
  var feedUrl = new URL("feeds/" + body + ".json", script.src).href;
  var atomUrl = new URL("feeds/" + body + ".atom", script.src).href;

  var host = document.createElement("div");
  host.className = "meeting-publisher-embed";
  host.setAttribute("lang", lang);
  host.setAttribute("data-body", body);
  script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;

  var style = document.createElement("style");
  style.textContent = STYLE;
  var section = document.createElement("section");
  section.className = "mp";
  var heading = document.createElement("h" + level);
  heading.className = "mp-h";
  heading.id = "mp-heading";
  heading.textContent = t.headingAll;
  section.setAttribute("aria-labelledby", "mp-heading");
  var status = document.createElement("p");
  status.setAttribute("role", "status");
  status.textContent = t.loading;
  section.appendChild(heading);
  section.appendChild(status);
  root.appendChild(style);
  root.appendChild(section);

  var dateFormat;
  try {
    // en-GB: day before month, as the feeds and the iframe page write it ("18 June 2024")
    dateFormat = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : lang, {
      dateStyle: "long",
      timeZone: "UTC"
    });
  } catch (e) {
    dateFormat = null;
  }

  function meetingDate(item) {
    var ext = item._publisher || {};
    var value = ext.date || item.date_published || "";
    var match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    if (!match) {
      return null;
    }
    return { iso: match[0], date: new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])) };
  }

  function safeUrl(value) {
    return typeof value === "string" && /^https?:\/\//i.test(value) ? value : null;
  }

  function render(feed) {
    var entries = (feed.items || []).filter(function (item) {
      return item && !(item._publisher && item._publisher.retracted);
    });
    var name = null;
    for (var i = 0; i < entries.length && !name; i++) {
      var ext = entries[i]._publisher || {};
      name = ext.body && ext.body.name;
    }
    heading.textContent = name ? t.heading.replace("{body}", name) : t.headingAll;
    status.remove();
    if (!entries.length) {
      var empty = document.createElement("p");
      empty.textContent = t.empty;
      section.appendChild(empty);
    } else {
      var list = document.createElement("ul");
      entries.slice(0, limit).forEach(function (item) {
        var li = document.createElement("li");
        var url = safeUrl(item.url);
        var title = document.createElement(url ? "a" : "span");
        title.textContent = item.title || t.meeting;
        if (url) {
          title.href = url;
        }
        li.appendChild(title);
        var when = meetingDate(item);
        if (when) {
          var time = document.createElement("time");
          time.dateTime = when.iso;
          time.textContent = dateFormat ? dateFormat.format(when.date) : when.iso;
          li.appendChild(time);
        }
        list.appendChild(li);
      });
      section.appendChild(list);
    }
    var more = document.createElement("p");
    var subscribe = document.createElement("a");
    subscribe.href = atomUrl;
    subscribe.type = "application/atom+xml";
    subscribe.textContent = t.subscribe;
    more.appendChild(subscribe);
    section.appendChild(more);
    host.setAttribute("data-state", "ready");
  }

  function fail() {
    status.textContent = t.error;
    status.className = "mp-error";
    host.setAttribute("data-state", "error");
  }

  fetch(feedUrl, { mode: "cors", credentials: "omit" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(render)
    .catch(fail);
})();
