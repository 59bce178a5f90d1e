"""The page to listen on: one static ``index.html``, CSS and JavaScript inline, no build step.

The episodes are listed newest first, each with an audio player, its duration, a link to the
source article and its transcript. The HTML works without JavaScript (players, links, the
plain-text transcript); the script fetches each episode's timing JSON (a relative URL, so the
page works from any static host and any folder) when its transcript is opened or it starts
playing, shows one span per sentence, highlights the sentence being spoken as the audio plays
and seeks to a sentence when it is clicked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .publish import (
    ARTWORK_FILE,
    FEED_FILE,
    MEDIA_DIR,
    SYNTHETIC_VOICE_NOTE,
    FeedItem,
    Podcast,
    clock,
)

_CSS = """
:root { color-scheme: light dark; --accent: #b3261e; --muted: #666; }
body { font: 17px/1.55 system-ui, sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem; }
header { display: flex; gap: 1rem; align-items: flex-start; margin-bottom: 1.5rem; }
header img { width: 7.5rem; height: 7.5rem; border-radius: 0.5rem; flex: none; }
h1 { margin: 0 0 0.3rem; font-size: 1.6rem; line-height: 1.2; }
h2 { font-size: 1.2rem; margin: 0 0 0.3rem; line-height: 1.3; }
.note, .meta { color: var(--muted); font-size: 0.9rem; }
.episode { border-top: 1px solid #8884; padding: 1rem 0; }
audio { width: 100%; margin: 0.5rem 0; }
.segments { max-height: 18rem; overflow-y: auto; padding-right: 0.5rem; }
.segments p { margin: 0 0 0.7rem; }
.seg { cursor: pointer; border-radius: 0.2rem; }
.seg:hover, .seg:focus { text-decoration: underline; outline: none; }
.seg.current { background: var(--accent); color: #fff; }
"""

# One closure per episode; nothing global besides the loop. Times are seconds, as in the JSON.
_SCRIPT = """
"use strict";
for (const episode of document.querySelectorAll("article.episode")) {
  const audio = episode.querySelector("audio");
  const details = episode.querySelector("details.transcript");
  const box = episode.querySelector(".segments");
  let spans = [];
  let loading = null;

  function load() {
    if (!loading) {
      loading = fetch(episode.dataset.timings)
        .then((response) => {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(show)
        .catch(() => { loading = null; });  // the plain-text link stays; try again later
    }
    return loading;
  }

  function show(timing) {
    box.textContent = "";
    let paragraph = null;
    let block = null;
    spans = timing.segments.map((segment) => {
      const key = segment.block >= 0 ? segment.block : "head-" + segment.index;
      if (paragraph === null || key !== block) {
        paragraph = box.appendChild(document.createElement("p"));
        block = key;
      } else {
        paragraph.appendChild(document.createTextNode(" "));
      }
      const span = paragraph.appendChild(document.createElement("span"));
      span.className = "seg";
      span.textContent = segment.text;
      span.tabIndex = 0;
      span.dataset.index = segment.index;
      span.dataset.start = segment.start;
      span.addEventListener("click", () => seek(segment.start));
      span.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          seek(segment.start);
        }
      });
      return span;
    });
    episode.dataset.transcript = "ready";
    highlight();
  }

  function seek(seconds) {
    audio.currentTime = seconds;
    highlight();
    audio.play().catch(() => {});  // a browser may refuse to start without a gesture
  }

  function highlight() {
    // The sentence being spoken is the last one that has started; in the pause after it, it
    // stays lit until the next begins.
    const now = audio.currentTime;
    let current = null;
    for (const span of spans) {
      if (Number(span.dataset.start) <= now) current = span; else break;
    }
    for (const span of box.querySelectorAll(".seg.current")) {
      if (span !== current) {
        span.classList.remove("current");
        span.removeAttribute("aria-current");
      }
    }
    if (current && !current.classList.contains("current")) {
      current.classList.add("current");
      current.setAttribute("aria-current", "true");
      if (details.open) {  // keep it in view inside the transcript box, not by scrolling the page
        const top = current.offsetTop - box.offsetTop;
        if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - current.offsetHeight) {
          box.scrollTop = Math.max(0, top - box.clientHeight / 3);
        }
      }
    }
  }

  details.addEventListener("toggle", () => { if (details.open) load(); });
  audio.addEventListener("play", load);
  audio.addEventListener("timeupdate", highlight);
  audio.addEventListener("seeked", highlight);
}
"""


def page_html(podcast: Podcast, items: Sequence[FeedItem]) -> str:
    """The listening page for ``items`` (newest first), as an HTML document."""
    from lxml import html
    from lxml.html import builder as E

    def episode(item: FeedItem) -> Any:
        base = f"{MEDIA_DIR}/{item.stem}"
        meta: list[Any] = [
            E.TIME(item.published.strftime("%-d %B %Y"), datetime=item.published.isoformat()),
            " · ",
            E.SPAN(clock(item.duration_s), E.CLASS("duration")),
        ]
        if item.link:
            meta += [" · ", E.A("Source article", href=item.link)]
        return E.E.article(
            E.H2(item.title),
            E.P(*meta, E.CLASS("meta")),
            E.E.audio(controls="", preload="metadata", src=f"{base}.mp3"),
            E.E.details(
                E.E.summary("Transcript"),
                E.DIV(E.P(E.A("Plain-text transcript", href=f"{base}.txt")), E.CLASS("segments")),
                E.CLASS("transcript"),
            ),
            E.CLASS("episode"),
            id=f"episode-{item.guid}",
            **{"data-timings": f"{base}.json"},
        )

    main = E.E.main(*(episode(item) for item in items))
    if not items:
        main.append(E.P("No episodes yet."))
    document = E.HTML(
        E.HEAD(
            E.META(charset="utf-8"),
            E.META(name="viewport", content="width=device-width, initial-scale=1"),
            E.TITLE(podcast.title),
            E.LINK(
                rel="alternate", type="application/rss+xml", title=podcast.title, href=FEED_FILE
            ),
            E.STYLE(_CSS),
        ),
        E.BODY(
            E.E.header(
                E.IMG(src=ARTWORK_FILE, alt=""),
                E.DIV(
                    E.H1(podcast.title),
                    E.P(podcast.description),
                    E.P(SYNTHETIC_VOICE_NOTE, E.CLASS("note")),
                    E.P(E.A("Subscribe: podcast feed (RSS)", href=FEED_FILE), E.CLASS("note")),
                ),
            ),
            main,
            E.SCRIPT(_SCRIPT),
        ),
        lang=podcast.language,
    )
    body = str(html.tostring(document, encoding="unicode", method="html"))
    return "<!DOCTYPE html>\n" + body + "\n"
