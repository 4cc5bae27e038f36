/*
 * Meeting publisher: the latest meetings of one body, embedded in any web page.
 *
 *   <script src="https://HOST/embed.js" data-body="socialnamnden" data-limit="5"
 *           data-lang="sv" data-heading-level="2" async></script>
 *
 * Looks the body up in HOST/feeds/index.json (the feed index the renderer writes; it knows
 * each body's feed file, e.g. a body whose slug is "all" has feeds/all-body.json), reads that
 * JSON Feed 1.1 (served with CORS) from the script's own origin and renders a heading and a
 * list into a Shadow DOM root placed right after the script tag, so neither the host page's
 * CSS nor ours leaks across. Text is only ever set with textContent: nothing from the feed is
 * parsed as HTML on the host page.
 *
 * Labels: data-lang (sv, en, de, nb), else the page's <html lang> if it is one of those, else
 * the feed's own language, else sv. Dates are formatted with Intl in that language. Titles
 * are in the body's language: an entry in another language than the labels gets its own
 * lang attribute.
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

  // the label language for a tag such as "sv-SE", "no" or "de-AT", if there are labels for it
  function supported(tag) {
    var base = String(tag || "").toLowerCase().split("-")[0];
    if (base === "no" || base === "nn") {
      base = "nb";
    }
    return LABELS.hasOwnProperty(base) ? base : null;
  }

  // null: the feed's own language decides, once it has arrived ("sv" until then)
  var chosen = LABELS.hasOwnProperty(data.lang)
    ? data.lang
    : supported(document.documentElement.lang);
  var lang = chosen || "sv";
  var t = LABELS[lang];
  var indexUrl = new URL("feeds/index.json", script.src).href;
  var atomUrl = null;

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

  function dateFormatFor(language) {
    try {
      // en-GB: day before month, as the feeds and the iframe page write it ("18 June 2024")
      return new Intl.DateTimeFormat(language === "en" ? "en-GB" : language, {
        dateStyle: "long",
        timeZone: "UTC"
      });
    } catch (e) {
      return null;
    }
  }
  var dateFormat = dateFormatFor(lang);

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

  function languageTag(value) {
    return typeof value === "string" && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(value)
      ? value
      : null;
  }

  // The index names files by the instance's base URL; fetch them from where this script came
  // from (the same files, and the origin the host page trusts with this script).
  function localUrl(url, home) {
    if (typeof url !== "string") {
      return null;
    }
    if (typeof home === "string" && home && url.indexOf(home) === 0) {
      return new URL(url.slice(home.length), script.src).href;
    }
    return safeUrl(url);
  }

  function bodyFeed(index) {
    var feeds = (index && index.feeds) || [];
    for (var i = 0; i < feeds.length; i++) {
      var feed = feeds[i];
      if (feed && feed.kind === "body" && feed.body && feed.body.slug === body) {
        var formats = feed.formats || {};
        var home = index.home_page_url;
        atomUrl = formats.atom ? localUrl(formats.atom.url, home) : null;
        var json = formats.json ? localUrl(formats.json.url, home) : null;
        if (json) {
          return json;
        }
      }
    }
    throw new Error("no feed for " + body);
  }

  function getJson(url) {
    return fetch(url, { mode: "cors", credentials: "omit" }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    });
  }

  function render(feed) {
    var feedTag = languageTag(feed.language);
    if (!chosen && supported(feedTag)) {
      lang = supported(feedTag);
      t = LABELS[lang];
      dateFormat = dateFormatFor(lang);
      host.setAttribute("lang", lang);
    }
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
        // the title is in the body's language, the date in the labels' (set back on <time>)
        var tag = languageTag(item.language) || feedTag;
        var foreign = tag && (supported(tag) || tag) !== lang;
        if (foreign) {
          li.setAttribute("lang", tag);
        }
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
          if (foreign) {
            time.setAttribute("lang", lang);
          }
          time.textContent = dateFormat ? dateFormat.format(when.date) : when.iso;
          li.appendChild(time);
        }
        list.appendChild(li);
      });
      section.appendChild(list);
    }
    if (atomUrl) {
      var more = document.createElement("p");
      var subscribe = document.createElement("a");
      subscribe.href = atomUrl;
      subscribe.type = "application/atom+xml";
      subscribe.textContent = t.subscribe;
      more.appendChild(subscribe);
      section.appendChild(more);
    }
    host.setAttribute("data-state", "ready");
  }

  function fail() {
    status.textContent = t.error;
    status.className = "mp-error";
    host.setAttribute("data-state", "error");
  }

  getJson(indexUrl).then(bodyFeed).then(getJson).then(render).catch(fail);
})();
