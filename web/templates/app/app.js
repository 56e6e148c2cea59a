// The members' web app's script: every page works without it; with it,
// the compose form previews its Markdown, the header's unread count and
// the home feed update live, feeds load older posts as one scrolls, and
// event times gain the viewer's own time.
// Everything it inserts was rendered (and sanitised) by the node.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf"]')?.content;
  if (!csrf) return; // signed out: nothing to enhance

  // Markdown preview: the node renders the text as the post would show.
  for (const area of document.querySelectorAll("textarea[data-preview]")) {
    const out = document.getElementById(area.dataset.preview);
    if (!out) continue;
    let timer = null;
    let asked = 0;
    const show = async () => {
      const text = area.value;
      if (!text.trim()) {
        out.hidden = true;
        out.replaceChildren();
        return;
      }
      const ask = ++asked;
      try {
        const res = await fetch("/compose/preview", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ csrf, content: text }),
        });
        const body = await res.json();
        if (ask !== asked) return; // a newer preview is on its way
        const label = document.createElement("p");
        label.className = "meta";
        label.textContent = body.error ? "Preview: " + body.error : "Preview";
        const shown = document.createElement("div");
        shown.className = "content";
        if (body.html) shown.innerHTML = body.html;
        out.replaceChildren(label, shown);
        out.hidden = false;
      } catch (_) {
        /* the preview is a convenience: a failure leaves the form alone */
      }
    };
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(show, 350);
    });
  }

  // Live updates.
  const feed = document.querySelector("[data-live-feed]");
  const badge = document.getElementById("unread");
  let waiting = [];
  let button = null;
  const showWaiting = () => {
    for (const html of waiting.reverse()) feed.insertAdjacentHTML("afterbegin", html);
    waiting = [];
    button?.remove();
    button = null;
  };
  const announce = () => {
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "new-posts";
      button.addEventListener("click", showWaiting);
      feed.before(button);
    }
    const n = waiting.length;
    button.textContent = n === 1 ? "Show 1 new post" : `Show ${n} new posts`;
  };
  if (window.EventSource) {
    const live = new EventSource("/live");
    live.addEventListener("notification", (e) => {
      if (!badge) return;
      const n = Number(e.data);
      badge.textContent = n > 0 ? ` (${n} unread)` : "";
      badge.hidden = n === 0;
    });
    live.addEventListener("post", (e) => {
      if (!feed) return;
      waiting.push(e.data);
      announce();
    });
    live.addEventListener("edit", (e) => {
      const tmp = document.createElement("div");
      tmp.innerHTML = e.data;
      const card = tmp.firstElementChild;
      const old = card && document.getElementById(card.id);
      if (old) old.replaceWith(card);
    });
    live.addEventListener("delete", (e) => {
      document.getElementById("p-" + e.data)?.remove();
    });
  }

  // Older posts as the pager comes into view.
  const more = () => {
    const link = document.querySelector("nav.pager a[rel=next]");
    const list = document.querySelector("[data-feed]");
    if (!link || !list || !window.IntersectionObserver) return;
    const seen = new IntersectionObserver(async (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      seen.disconnect();
      try {
        const res = await fetch(link.href, { credentials: "same-origin" });
        if (!res.ok) return;
        const page = new DOMParser().parseFromString(await res.text(), "text/html");
        const posts = page.querySelectorAll("[data-feed] > article.post");
        for (const post of posts) {
          if (!document.getElementById(post.id)) list.append(document.adoptNode(post));
        }
        const next = page.querySelector("nav.pager");
        const pager = link.closest("nav.pager");
        if (next) pager.replaceWith(document.adoptNode(next));
        else pager.remove();
        more();
      } catch (_) {
        /* the link still works */
      }
    });
    seen.observe(link);
  };
  more();

  // Event times: the page shows them in the event's zone; add the
  // viewer's own time when the viewer's zone is another.
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const t of document.querySelectorAll("time[data-zone]")) {
    const at = new Date(t.dateTime);
    if (Number.isNaN(at.getTime()) || !here || here === t.dataset.zone) continue;
    const local = document.createElement("span");
    local.className = "meta";
    local.textContent = ` (your time: ${at.toLocaleString([], {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
    })})`;
    t.after(local);
  }
})();
