"""Rendering: publications → Atom, RSS (feedgen), JSON Feed, summaries, iCal, OPML.

``render``   what changed: feed log appends, then only the files they affect (entry point)
``entries``  snapshots of meetings/decisions and the ``Entry`` a feed shows; ids
``formats``  one ``FeedDoc`` as Atom 1.0, RSS 2.0 or JSON Feed 1.1 (tombstones, RFC 5005)
``site``     per-meeting JSON/HTML, meetings index, feed index, OPML, ``index.html``
``ical``     iCalendar per body
``search``   search feeds for the web app
``i18n``     labels: Swedish, English, German, Norwegian Bokmål
``safety``   control characters, nh3, the final personnummer check on every file
``websub``   hub pings
``writer``   atomic, change-only file writes
"""
